/**
 * The few DynamoDB shapes every repository repeats: a conditional update that may be
 * refused on purpose, the one-item lookup on gsi1, and reading a prefix of a partition
 * to its end.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { indexes } from './keys.ts';

/**
 * An update whose condition expresses "only if still applies" (once per message, never
 * backwards, still open…): the item's attributes as ReturnValues asks, or undefined when
 * the condition refused it.
 */
export async function updateIfAllowed(
  ddb: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<Record<string, unknown> | undefined> {
  try {
    return (await ddb.send(new UpdateCommand(input))).Attributes ?? {};
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

/** The item of a gsi1 lookup key (`gsi1pk` + `gsi1sk` identify one item), or undefined. */
export async function firstByGsi1(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  key: { gsi1pk: string; gsi1sk: string },
): Promise<Record<string, unknown> | undefined> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexes.lookup,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': key.gsi1pk, ':sk': key.gsi1sk },
      Limit: 1,
    }),
  );
  return res.Items?.[0];
}

/** Every item of partition `pk` whose sort key starts with `prefix`, all pages. */
export async function queryPrefix(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Renames the item at `key` (a department, a knowledge base…): the item, or undefined when absent. */
export async function renameItem(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
  name: string,
): Promise<Record<string, unknown> | undefined> {
  return updateIfAllowed(ddb, {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #n = :n',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#n': 'name' },
    ExpressionAttributeValues: { ':n': name },
    ReturnValues: 'ALL_NEW',
  });
}

/**
 * `SET #a = :a, …` for the fields given (undefined ones skipped), with its names and values;
 * undefined when there is nothing to set.
 */
export function setFields(
  fields: Record<string, unknown>,
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } | undefined {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (!entries.length) return undefined;
  return {
    expression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(', ')}`,
    names: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
    values: Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
  };
}
