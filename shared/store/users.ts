/**
 * Users (agents, supervisors, admins). The user item lives in its account's partition and
 * carries gsi1 keys for login by e-mail (keys.userByEmail). E-mails are unique across the
 * deployment: a claim item `EMAIL#<email>` / `CLAIM` is written in the same transaction,
 * because a GSI cannot enforce uniqueness.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { acc, keys } from './keys.ts';
import { firstByGsi1, queryPrefix } from './ops.ts';
import { userSchema, publicUserSchema, type User, type PublicUser } from './types.ts';
import { ConflictError } from '#shared/errors.ts';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Global claim item that makes an e-mail unique (no account prefix: checked before login). */
export const emailClaimKey = (email: string) => ({ pk: `EMAIL#${normalizeEmail(email)}`, sk: 'CLAIM' });

/** Creates a user; ConflictError EMAIL_UNAVAILABLE when another user (of any account) has the e-mail. */
export async function createUser(ddb: DynamoDBDocumentClient, tableName: string, user: User): Promise<User> {
  const item = userSchema.parse({ ...user, email: normalizeEmail(user.email) });
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...emailClaimKey(item.email), accountId: item.accountId, userId: item.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: { ...keys.user(item.accountId, item.id), ...keys.userByEmail(item.email), ...item },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (err) {
    if (err instanceof TransactionCanceledException) {
      // Neutral: e-mails are unique in the whole deployment; another account's are not named.
      throw new ConflictError('Este e-mail não pode ser usado. Use outro e-mail.', 'EMAIL_UNAVAILABLE');
    }
    throw err;
  }
  return item;
}

/** The user of this account, or undefined (another account's user id → undefined). */
export async function getUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<User | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.user(accountId, userId) }));
  return res.Item ? userSchema.parse(res.Item) : undefined;
}

/** Login lookup by e-mail (gsi1), before the account is known. Includes the password hash. */
export async function findUserByEmail(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  email: string,
): Promise<User | undefined> {
  const item = await firstByGsi1(ddb, tableName, keys.userByEmail(email));
  return item ? userSchema.parse(item) : undefined;
}

const usersCache = new Map<string, { at: number; users: Promise<User[]> }>();

/** The users of an account (a few dozen), cached for 5 s per process. */
export function accountUsers(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
): Promise<User[]> {
  const key = `${tableName}/${accountId}`;
  const hit = usersCache.get(key);
  if (hit && now - hit.at < 5000 && now >= hit.at) return hit.users;
  const users = queryPrefix(ddb, tableName, acc(accountId), 'USER#').then((items) =>
    items.map((i) => userSchema.parse(i)),
  );
  usersCache.set(key, { at: now, users });
  return users;
}

/** After a user changed: the next read sees it. */
export function forgetAccountUsers(tableName: string, accountId: string): void {
  usersCache.delete(`${tableName}/${accountId}`);
}

/** What the API may show of a user (no password hash). */
export function toPublicUser(user: User): PublicUser {
  return publicUserSchema.parse(user);
}
