/**
 * Accounts (tenants). One item per account at `ACC#<id>` / `ACCOUNT`.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { setFields, updateIfAllowed } from './ops.ts';
import { accountSchema, type Account } from './types.ts';

/** Creates an account; fails (ConditionalCheckFailedException) if the id exists. */
export async function createAccount(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  account: Account,
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
 * Changes the account's settings (the fields given; undefined ones stay): the account after.
 * An account that does not exist fails to parse (it always exists for a signed-in caller).
 */
export async function updateAccountSettings(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  fields: Partial<Pick<Account, 'name' | 'timezone' | 'readReceipts' | 'inactivityHours'>>,
): Promise<Account | undefined> {
  const set = setFields(fields);
  if (!set) return getAccount(ddb, tableName, accountId);
  return accountSchema.parse(
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
}
