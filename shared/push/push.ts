/**
 * Push to the agents of an account over the WebSocket API. A connection that is gone
 * (410) is forgotten; a push never fails the work that caused it.
 */
import {
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteConnection, listConnections } from '#shared/store/connections.ts';
import type { Connection, Conversation, KbDocument, Message } from '#shared/store/types.ts';
import { log } from '#shared/log.ts';

export type PushEvent =
  | {
      type: 'message.created' | 'message.updated' | 'conversation.updated';
      conversationId: string;
      message?: Omit<Message, 'raw'>;
      conversation?: Conversation;
    }
  /** A knowledge document's ingestion progress (AI-4). */
  | { type: 'knowledge.updated'; knowledgeBaseId: string; document: KbDocument };

export interface PushDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  ws?: ApiGatewayManagementApiClient;
}

/**
 * Connections are read at most once a second per account and process: a busy account
 * pushes many events per second, and an agent who just connected still gets events
 * within a second (and resynchronises on connect anyway).
 */
const connectionCache = new Map<string, { at: number; list: Promise<Connection[]> }>();
function connectionsOf(accountId: string, deps: PushDeps): Promise<Connection[]> {
  const key = `${deps.tableName}:${accountId}`;
  const hit = connectionCache.get(key);
  if (hit && Date.now() - hit.at < 1000) return hit.list;
  const list = listConnections(deps.ddb, deps.tableName, accountId, Date.now());
  connectionCache.set(key, { at: Date.now(), list });
  return list;
}

/**
 * The frame of one push: a single event as itself, several (a message and its
 * conversation) as `{type:'batch', events}` — one post per connection either way.
 */
export function pushFrame(accountId: string, events: PushEvent[], at = Date.now()): string {
  const stamped = events.map((e) => ({ ...e, accountId, at }));
  return JSON.stringify(
    stamped.length === 1 ? stamped[0] : { type: 'batch', accountId, at, events: stamped },
  );
}

export async function pushToAccount(accountId: string, events: PushEvent[], deps: PushDeps): Promise<number> {
  if (!deps.ws || !events.length) return 0;
  const connections = await connectionsOf(accountId, deps);
  if (!connections.length) return 0;
  const data = new TextEncoder().encode(pushFrame(accountId, events));
  let delivered = 0;
  await Promise.all(
    connections.map(async (c) => {
      try {
        await deps.ws!.send(new PostToConnectionCommand({ ConnectionId: c.connectionId, Data: data }));
        delivered += events.length;
      } catch (err) {
        const name = (err as Error).name;
        if (
          name === 'GoneException' ||
          (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
        ) {
          await deleteConnection(deps.ddb, deps.tableName, c.connectionId).catch(() => undefined);
          return;
        }
        log('warn', 'push failed', { accountId, connectionId: c.connectionId, error: name });
      }
    }),
  );
  return delivered;
}

/** What agents see of a message: the raw payload stays on the server. */
export function publicMessage(m: Message): Omit<Message, 'raw'> {
  const { raw: _raw, ...rest } = m;
  return rest;
}
