/**
 * Accounts (tenants). One item per account at `ACC#<id>` / `ACCOUNT`.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { setFields, updateIfAllowed } from './ops.ts';
import { accountSchema, type Account } from './types.ts';
import { createCache } from '#shared/cache.ts';
import type { z } from 'zod';

/** Creates an account; fails (ConditionalCheckFailedException) if the id exists. */
export async function createAccount(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  account: z.input<typeof accountSchema>,
): Promise<Account> {
  const item = accountSchema.parse(account);
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.account(item.id), ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return item;
}

/** The account, or undefined. */
export async function getAccount(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
): Promise<Account | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.account(accountId) }));
  return res.Item ? accountSchema.parse(res.Item) : undefined;
}

/**
 * "Setores isolados" is read on every inbox request and push: cached a few seconds per
 * process, and dropped at once in the process that changes it (updateAccountSettings).
 */
const ISOLATION_TTL_MS = 5000;
const isolationCache = createCache<string, boolean>({ ttlMs: ISOLATION_TTL_MS, max: 10_000 });

/** Whether the account's "Setores isolados" setting is on (shared/domain/inbox.ts canSee). */
export async function isolatedDepartments(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
): Promise<boolean> {
  const key = `${tableName}/${accountId}`;
  const hit = isolationCache.get(key, now);
  if (hit !== undefined) return hit;
  const on = (await getAccount(ddb, tableName, accountId))?.isolatedDepartments ?? false;
  isolationCache.set(key, on, now);
  return on;
}

/**
 * Changes the account's settings (the fields given; undefined ones stay): the account after.
 * An account that does not exist fails to parse (it always exists for a signed-in caller).
 */
export async function updateAccountSettings(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  fields: Partial<
    Pick<Account, 'name' | 'timezone' | 'readReceipts' | 'inactivityHours' | 'isolatedDepartments'>
  >,
): Promise<Account | undefined> {
  const set = setFields(fields);
  if (!set) return getAccount(ddb, tableName, accountId);
  const updated = accountSchema.parse(
    await updateIfAllowed(ddb, {
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: set.expression,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: set.names,
      ExpressionAttributeValues: set.values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  isolationCache.delete(`${tableName}/${accountId}`);
  return updated;
}

/**
 * The account's "modelo para mensagens fora da janela" (an approved template by name and
 * language), or none (null removes it): the account after.
 */
export async function setOutsideWindowTemplate(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  template: NonNullable<Account['outsideWindowTemplate']> | null,
): Promise<Account> {
  return accountSchema.parse(
    await updateIfAllowed(ddb, {
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: template ? 'SET #t = :t' : 'REMOVE #t',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#t': 'outsideWindowTemplate' },
      ...(template ? { ExpressionAttributeValues: { ':t': template } } : {}),
      ReturnValues: 'ALL_NEW',
    }),
  );
}
