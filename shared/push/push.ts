/**
 * Push to the agents of an account over the WebSocket API. Every event is filtered per
 * connection by the inbox's visibility rule (shared/push/frames.ts, with the account's
 * "Setores isolados" read as REST reads it): a user receives what REST would show them,
 * and nothing else. A connection that is gone (410) is forgotten; a
 * push never fails the work that caused it.
 *
 * Also the two operations on a user's sockets: refresh what their connections know of them
 * after the user changed (departments, role, permissions), and close them all.
 */
import {
  DeleteConnectionCommand,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import {
  deleteConnection,
  listConnections,
  listUserConnections,
  syncConnectionViewers,
} from '#shared/store/connections.ts';
import { isolatedDepartments } from '#shared/store/accounts.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import type { Connection, Message } from '#shared/store/types.ts';
import { log } from '#shared/log.ts';
import {
  chatsCarried,
  selectFrames,
  viewerOfConnection,
  type ChatVisibility,
  type PushEvent,
} from './frames.ts';

export { pushFrame, type PushEvent } from './frames.ts';

export interface PushDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  ws?: ApiGatewayManagementApiClient;
}

/**
 * Connections are read at most once a second per account and process: a busy account
 * pushes many events per second, and an agent who just connected still gets events
 * within a second (and resynchronises on connect anyway). A change to a user's
 * connections made in this process (refresh, disconnect) drops the entry at once; other
 * processes see it within the second.
 */
const connectionCache = new Map<string, { at: number; list: Promise<Connection[]> }>();
function connectionsOf(accountId: string, deps: PushDeps): Promise<Connection[]> {
  const key = `${deps.tableName}:${accountId}`;
  const hit = connectionCache.get(key);
  if (hit && Date.now() - hit.at < 1000) return hit.list;
  const list = listConnections(deps.ddb, deps.tableName, accountId, Date.now());
  connectionCache.set(key, { at: Date.now(), list });
  list.catch(() => connectionCache.delete(key));
  return list;
}

/** The next push of this process reads the account's connections again. */
export function forgetConnections(tableName: string, accountId: string): void {
  connectionCache.delete(`${tableName}:${accountId}`);
}

const isGone = (err: unknown) =>
  (err as Error).name === 'GoneException' ||
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410;

/** The state of each conversation the push is about, as far as the filter needs it. */
async function chatsOf(
  accountId: string,
  events: PushEvent[],
  connections: Connection[],
  isolated: boolean,
  deps: PushDeps,
): Promise<Map<string, ChatVisibility>> {
  const viewers = connections.map((c) => viewerOfConnection(c, isolated)).filter((v) => v !== undefined);
  const { carried, missing } = chatsCarried(events, viewers);
  const read = await Promise.all(
    missing.map((id) => getConversationById(deps.ddb, deps.tableName, accountId, id)),
  );
  for (const c of read) if (c) carried.set(c.id, c);
  return carried;
}

export async function pushToAccount(accountId: string, events: PushEvent[], deps: PushDeps): Promise<number> {
  if (!deps.ws || !events.length) return 0;
  const connections = await connectionsOf(accountId, deps);
  if (!connections.length) return 0;
  // Items written before connections carried their user's viewer: nothing is sent to them;
  // they are closed, and the client reconnects (and resynchronises) with a filtered one.
  const blind = connections.filter((c) => !c.viewer);
  if (blind.length) {
    forgetConnections(deps.tableName, accountId);
    await Promise.all(blind.map((c) => closeConnection(c, deps)));
  }
  const isolated = await isolatedDepartments(deps.ddb, deps.tableName, accountId, Date.now());
  const chats = await chatsOf(accountId, events, connections, isolated, deps);
  let delivered = 0;
  await Promise.all(
    selectFrames(accountId, events, connections, chats, Date.now(), isolated).flatMap(
      ({ frame, events: count, connectionIds }) => {
        const data = new TextEncoder().encode(frame);
        return connectionIds.map(async (connectionId) => {
          try {
            await deps.ws!.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
            delivered += count;
          } catch (err) {
            if (isGone(err)) {
              await deleteConnection(deps.ddb, deps.tableName, connectionId).catch(() => undefined);
              return;
            }
            log('warn', 'push failed', { accountId, connectionId, error: (err as Error).name });
          }
        });
      },
    ),
  );
  return delivered;
}

/** Forgets a connection and asks API Gateway to close it (already gone is fine). */
async function closeConnection(c: Pick<Connection, 'connectionId'>, deps: PushDeps): Promise<void> {
  await deleteConnection(deps.ddb, deps.tableName, c.connectionId);
  if (!deps.ws) return;
  try {
    await deps.ws.send(new DeleteConnectionCommand({ ConnectionId: c.connectionId }));
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

/**
 * Closes every WebSocket of a user (deactivation, password change, removal): their
 * connection items go first (no push reaches them from then on), then API Gateway closes
 * each socket. Returns how many there were.
 */
export async function disconnectUser(accountId: string, userId: string, deps: PushDeps): Promise<number> {
  const mine = await listUserConnections(deps.ddb, deps.tableName, accountId, userId, Date.now());
  forgetConnections(deps.tableName, accountId);
  await Promise.all(mine.map((c) => closeConnection(c, deps)));
  return mine.length;
}

/**
 * After a user changed (departments, role, permissions): their open connections carry the
 * user as they are now, so the next push is filtered by the new rule. A user who no longer
 * exists is disconnected.
 */
export async function refreshUserConnections(
  accountId: string,
  userId: string,
  deps: PushDeps,
): Promise<void> {
  const mine = await listUserConnections(deps.ddb, deps.tableName, accountId, userId, Date.now());
  if (!mine.length) return;
  const exists = await syncConnectionViewers(deps.ddb, deps.tableName, accountId, userId, mine);
  forgetConnections(deps.tableName, accountId);
  if (!exists) await disconnectUser(accountId, userId, deps);
}

/** What agents see of a message: the raw payload stays on the server. */
export function publicMessage(m: Message): Omit<Message, 'raw'> {
  const { raw: _raw, ...rest } = m;
  return rest;
}
