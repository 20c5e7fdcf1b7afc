/**
 * Users (agents, supervisors, admins). The user item lives in its account's partition and
 * carries gsi1 keys for login by e-mail (keys.userByEmail). E-mails are unique across the
 * deployment: a claim item `EMAIL#<email>` / `CLAIM` is written in the same transaction,
 * because a GSI cannot enforce uniqueness.
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { acc, keys, prefixes } from './keys.ts';
import { firstByGsi1, queryPrefix, updateIfAllowed } from './ops.ts';
import { userSchema, publicUserSchema, type User, type PublicUser } from './types.ts';
import { ConflictError } from '#shared/errors.ts';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Global claim item that makes an e-mail unique (no account prefix: checked before login). */
export const emailClaimKey = (email: string) => keys.emailClaim(normalizeEmail(email));

/**
 * Creates a user; ConflictError EMAIL_UNAVAILABLE when another user (of any account) already has the e-mail.
 * `pristine` marks a user nobody has used yet (deletable).
 */
export async function createUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  user: Omit<User, 'tokenVersion'> & { tokenVersion?: number },
): Promise<User> {
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

/**
 * The user of this account, or undefined (another account's user id → undefined). A
 * strongly consistent read: deactivation and token versions must be seen at once.
 */
export async function getUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<User | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.user(accountId, userId), ConsistentRead: true }),
  );
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
  const users = queryPrefix(ddb, tableName, acc(accountId), prefixes.user).then((items) =>
    items.map((i) => userSchema.parse(i)),
  );
  usersCache.set(key, { at: now, users });
  return users;
}

/**
 * The user through the 5 s per-process cache of accountUsers: what authentication reads
 * on every request (one query per account per process every 5 s, not one read per call).
 */
export async function cachedUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  now: number,
): Promise<User | undefined> {
  return (await accountUsers(ddb, tableName, accountId, now)).find((u) => u.id === userId);
}

/** After a user changed: the next read sees it. */
export function forgetAccountUsers(tableName: string, accountId: string): void {
  usersCache.delete(`${tableName}/${accountId}`);
}

/** What the API may show of a user (no password hash). */
export function toPublicUser(user: User): PublicUser {
  return publicUserSchema.parse(user);
}

/**
 * Sets (and removes) attributes of a user of this account; `bumpTokenVersion` adds one to
 * tokenVersion (every access token and session issued before stops working). The updated
 * user, or undefined when there is no such user (or `condition` refused).
 */
export async function updateUserFields(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  change: {
    set?: Record<string, unknown>;
    remove?: string[];
    bumpTokenVersion?: boolean;
    /** Extra condition on the item, e.g. `attribute_not_exists(deactivatedAt)`. */
    condition?: string;
  },
): Promise<User | undefined> {
  const set = Object.entries(change.set ?? {}).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = set.map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  if (change.bumpTokenVersion) {
    names['#tv'] = 'tokenVersion';
    values[':zero'] = 0;
    values[':one'] = 1;
    sets.push('#tv = if_not_exists(#tv, :zero) + :one');
  }
  const removes = (change.remove ?? []).map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  const expression = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (!expression) return getUser(ddb, tableName, accountId, userId);
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.user(accountId, userId),
    UpdateExpression: expression,
    ConditionExpression: ['attribute_exists(pk)', change.condition].filter(Boolean).join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    ReturnValues: 'ALL_NEW',
  });
  forgetAccountUsers(tableName, accountId);
  return updated ? userSchema.parse(updated) : undefined;
}

/**
 * Deletes a user and its e-mail claim, only while the user is still `pristine` (never
 * signed in, never assigned). False when the user is not (or no longer) pristine.
 */
export async function deletePristineUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  user: User,
): Promise<boolean> {
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: tableName,
              Key: keys.user(user.accountId, user.id),
              ConditionExpression: 'pristine = :t',
              ExpressionAttributeValues: { ':t': true },
            },
          },
          {
            Delete: {
              TableName: tableName,
              Key: emailClaimKey(user.email),
              ConditionExpression: 'userId = :u',
              ExpressionAttributeValues: { ':u': user.id },
            },
          },
        ],
      }),
    );
  } catch (err) {
    if (err instanceof TransactionCanceledException) return false;
    throw err;
  } finally {
    forgetAccountUsers(tableName, user.accountId);
  }
  return true;
}

/** The user has been used (signed in, assigned a chat): from now on only deactivation. */
export async function markUserUsed(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  user: User,
): Promise<void> {
  if (!user.pristine) return;
  await updateUserFields(ddb, tableName, user.accountId, user.id, { remove: ['pristine'] });
}

// ── one-time password-reset links ──────────────────────────────────────────────────────

const passwordResetSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  userId: z.string(),
  tokenHash: z.string(),
  createdAt: z.number().int(),
  createdBy: z.string(),
  expiresAt: z.number().int(),
  usedAt: z.number().int().optional(),
});
export type PasswordReset = z.infer<typeof passwordResetSchema>;

export async function createPasswordReset(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  reset: PasswordReset,
): Promise<void> {
  const item = passwordResetSchema.parse(reset);
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.passwordReset(item.accountId, item.id),
        ...item,
        ttl: Math.ceil(item.expiresAt / 1000) + 86400,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Marks a reset link used, if it is unused, unexpired and its token hash matches: the
 * link (whose user then gets the new password), or undefined. Works once, even when two
 * requests race.
 */
export async function consumePasswordReset(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  resetId: string,
  tokenHash: string,
  now: number,
): Promise<PasswordReset | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.passwordReset(accountId, resetId),
    UpdateExpression: 'SET usedAt = :now',
    ConditionExpression:
      'attribute_exists(pk) AND attribute_not_exists(usedAt) AND tokenHash = :h AND expiresAt > :now',
    ExpressionAttributeValues: { ':now': now, ':h': tokenHash },
    ReturnValues: 'ALL_NEW',
  });
  return updated ? passwordResetSchema.parse(updated) : undefined;
}
