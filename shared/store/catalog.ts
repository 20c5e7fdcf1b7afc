/**
 * Departments and assistants of an account: small lists read whole (an account has
 * tens of them), written by admins.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acc, keys, prefixes } from './keys.ts';
import { queryPrefix, renameItem } from './ops.ts';
import { publicHeaders } from '#shared/domain/http-tool-headers.ts';
import {
  assistantSchema,
  departmentSchema,
  type Assistant,
  type AssistantInput,
  type Department,
  type PublicAssistant,
} from './types.ts';

/** What the API returns: the endpoints' header names and a `set` flag, never their values. */
export function toPublicAssistant(a: Assistant): PublicAssistant {
  return { ...a, httpTools: a.httpTools.map((t) => ({ ...t, headers: publicHeaders(t.headers) })) };
}

export const listDepartments = async (ddb: DynamoDBDocumentClient, tableName: string, accountId: string) =>
  (await queryPrefix(ddb, tableName, acc(accountId), prefixes.department)).map((i) =>
    departmentSchema.parse(i),
  );

export const listAssistants = async (ddb: DynamoDBDocumentClient, tableName: string, accountId: string) =>
  (await queryPrefix(ddb, tableName, acc(accountId), prefixes.assistant)).map((i) =>
    assistantSchema.parse(i),
  );

/** One assistant of the account, or undefined. */
export async function getAssistant(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  assistantId: string,
): Promise<Assistant | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.assistant(accountId, assistantId) }),
  );
  return res.Item ? assistantSchema.parse(res.Item) : undefined;
}

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
  a: AssistantInput,
): Promise<Assistant> {
  const item = assistantSchema.parse(a);
  await ddb.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.assistant(a.accountId, a.id), ...item } }),
  );
  return item;
}

export async function deleteAssistant(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  assistantId: string,
): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: tableName, Key: keys.assistant(accountId, assistantId) }));
}

/** The renamed department, or undefined when it does not exist. */
export async function renameDepartment(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  departmentId: string,
  name: string,
): Promise<Department | undefined> {
  const updated = await renameItem(ddb, tableName, keys.department(accountId, departmentId), name);
  return updated && departmentSchema.parse(updated);
}
