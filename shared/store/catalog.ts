/**
 * Departments and assistants of an account: small lists read whole (an account has
 * tens of them), written by admins.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acc, keys } from './keys.ts';
import { assistantSchema, departmentSchema, type Assistant, type Department } from './types.ts';

async function listByPrefix<T>(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  prefix: string,
  parse: (item: unknown) => T,
): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': acc(accountId), ':p': prefix },
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []).map(parse));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

export const listDepartments = (ddb: DynamoDBDocumentClient, tableName: string, accountId: string) =>
  listByPrefix<Department>(ddb, tableName, accountId, 'DEPT#', (i) => departmentSchema.parse(i));

export const listAssistants = (ddb: DynamoDBDocumentClient, tableName: string, accountId: string) =>
  listByPrefix<Assistant>(ddb, tableName, accountId, 'ASSISTANT#', (i) => assistantSchema.parse(i));

export async function putDepartment(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  d: Department,
): Promise<Department> {
  const item = departmentSchema.parse(d);
  await ddb.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.department(d.accountId, d.id), ...item } }),
  );
  return item;
}

export async function putAssistant(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  a: Assistant,
): Promise<Assistant> {
  const item = assistantSchema.parse(a);
  await ddb.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.assistant(a.accountId, a.id), ...item } }),
  );
  return item;
}
