/**
 * WebSocket connections of agents, for push. Two items per connection: one in the
 * account's connections partition (fan-out query) and a global one by connection id
 * ($disconnect knows only the id). Both expire by TTL after 2 h; API Gateway closes
 * WebSocket connections after 2 h anyway.
 *
 * Each connection carries its user's viewer (role, departments, permissions) for the push
 * filter. A copy is never left stale by a race: whoever writes it ($connect, or a refresh
 * after the user changed) reads the user again afterwards (strongly consistent) and writes
 * again if it moved meanwhile — the last write is always followed by a read of the newest
 * user.
 */
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.ts';
import { getUser } from './users.ts';
import { connectionSchema, connectionViewerSchema, type Connection, type ConnectionViewer } from './types.ts';

export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;

/** Stores a new connection of a user, valid for 2 h from `now`. */
export async function putConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conn: { connectionId: string; accountId: string; userId: string; viewer: ConnectionViewer },
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

/**
 * Live connections of an account (expired-but-not-yet-removed items are skipped); only
 * one user's with `userId` (filtered on the server, read strongly consistent: right after
 * a change it must see every connection of that user).
 */
export async function listConnections(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
  userId?: string,
): Promise<Connection[]> {
  const out: Connection[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keys.connectionsPartition(accountId),
          ...(userId ? { ':u': userId } : {}),
        },
        ...(userId ? { FilterExpression: 'userId = :u', ConsistentRead: true } : {}),
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

/**
 * The user as the push filter needs them, read strongly consistent (right after a change
 * it must be the changed user); undefined when there is no such user in this account, or
 * they are deactivated (their connections are closed, none is opened).
 */
export async function readViewer(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<ConnectionViewer | undefined> {
  const user = await getUser(ddb, tableName, accountId, userId);
  return user && !user.deactivatedAt ? viewerOf(user) : undefined;
}

export function viewerOf(user: {
  role: ConnectionViewer['role'];
  departmentIds: string[];
  permissions?: ConnectionViewer['permissions'];
}): ConnectionViewer {
  return connectionViewerSchema.parse({
    role: user.role,
    departmentIds: [...user.departmentIds].sort(),
    ...(user.permissions ? { permissions: [...user.permissions].sort() } : {}),
  });
}

export const sameViewer = (a: ConnectionViewer | undefined, b: ConnectionViewer | undefined): boolean =>
  JSON.stringify(a && viewerOf(a)) === JSON.stringify(b && viewerOf(b));

/** The live connections of one user (the account's partition, filtered; strongly consistent). */
export const listUserConnections = (
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  now: number,
): Promise<Connection[]> => listConnections(ddb, tableName, accountId, now, userId);

/** Writes the viewer on both items of a connection that still exists (a gone one stays gone). */
export async function setConnectionViewer(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conn: Pick<Connection, 'accountId' | 'connectionId'>,
  viewer: ConnectionViewer,
): Promise<void> {
  for (const Key of [
    keys.connection(conn.accountId, conn.connectionId),
    keys.connectionById(conn.connectionId),
  ])
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET viewer = :v',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': viewer },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
}

/**
 * Brings the viewer stored on the given connections of a user up to date with the user
 * item, re-reading until what was written is still the user's state (see the header).
 * Returns false when the user no longer exists or is deactivated (the caller closes the
 * connections).
 */
export async function syncConnectionViewers(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  connections: Connection[],
  written?: ConnectionViewer,
): Promise<boolean> {
  let stored = new Map(connections.map((c) => [c.connectionId, written ?? c.viewer]));
  for (let round = 0; round < 5; round++) {
    const viewer = await readViewer(ddb, tableName, accountId, userId);
    if (!viewer) return false;
    const stale = connections.filter((c) => !sameViewer(stored.get(c.connectionId), viewer));
    if (!stale.length) return true;
    await Promise.all(stale.map((c) => setConnectionViewer(ddb, tableName, c, viewer)));
    stored = new Map([...stored, ...stale.map((c) => [c.connectionId, viewer] as const)]);
  }
  return true;
}
