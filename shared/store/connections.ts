/**
 * WebSocket connections of agents, for push. Two items per connection: one in the
 * account's connections partition (fan-out query) and a global one by connection id
 * ($disconnect knows only the id). Both expire by TTL after 2 h; API Gateway closes
 * WebSocket connections after 2 h anyway.
 */
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { connectionSchema, type Connection } from './types.ts';

export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;

/** Stores a new connection of a user, valid for 2 h from `now`. */
export async function putConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conn: { connectionId: string; accountId: string; userId: string },
  now: number,
): Promise<Connection> {
  const item = connectionSchema.parse({
    ...conn,
    connectedAt: now,
    ttl: Math.floor(now / 1000) + CONNECTION_TTL_SECONDS,
  });
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.connection(item.accountId, item.connectionId), ...item },
          },
        },
        { Put: { TableName: tableName, Item: { ...keys.connectionById(item.connectionId), ...item } } },
      ],
    }),
  );
  return item;
}

/** The connection by id (global lookup), or undefined. */
export async function getConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  connectionId: string,
): Promise<Connection | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.connectionById(connectionId) }),
  );
  return res.Item ? connectionSchema.parse(res.Item) : undefined;
}

/** Removes both items of a connection; a no-op for an unknown id. */
export async function deleteConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  connectionId: string,
): Promise<void> {
  const conn = await getConnection(ddb, tableName, connectionId);
  if (conn) {
    await ddb.send(
      new DeleteCommand({ TableName: tableName, Key: keys.connection(conn.accountId, connectionId) }),
    );
  }
  await ddb.send(new DeleteCommand({ TableName: tableName, Key: keys.connectionById(connectionId) }));
}

/** Live connections of an account (expired-but-not-yet-removed items are skipped). */
export async function listConnections(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
): Promise<Connection[]> {
  const out: Connection[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.connectionsPartition(accountId) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) {
      const conn = connectionSchema.parse(item);
      if (conn.ttl * 1000 > now) out.push(conn);
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
