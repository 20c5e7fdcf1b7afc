/**
 * The WebSocket API's three routes. $connect authenticates with the access token in the
 * query string (browsers cannot set headers on a WebSocket) and records the connection
 * for push, with what the push filter needs of its user (role, departments, permissions:
 * shared/push/frames.ts); a user who no longer exists is refused. $disconnect forgets it;
 * $default answers `{action:'ping'}` with a pong.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { verifyAccessToken, type JwtKey } from '#shared/auth/tokens.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { checkAccessClaims } from './auth-service.ts';
import {
  deleteConnection,
  putConnection,
  readViewer,
  syncConnectionViewers,
} from '#shared/store/connections.ts';

/**
 * What the routes read of API Gateway's WebSocket event (APIGatewayProxyWebsocketEventV2,
 * whose SDK type lacks the query string that $connect events carry).
 */
export interface WsEvent {
  requestContext: { routeKey: string; connectionId: string };
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
}

export interface WsResult {
  statusCode: number;
  body?: string;
}

export interface WsDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  getJwtKey: () => Promise<JwtKey>;
  now: () => number;
  /** Sends to a connection through the management API; without it, replies go in the route response. */
  post?: (connectionId: string, data: unknown) => Promise<void>;
}

const reply = async (deps: WsDeps, connectionId: string, data: unknown): Promise<WsResult> => {
  if (deps.post) {
    await deps.post(connectionId, data);
    return { statusCode: 200 };
  }
  return { statusCode: 200, body: JSON.stringify(data) };
};

export async function handleWsEvent(event: WsEvent, deps: WsDeps): Promise<WsResult> {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') {
    const token = event.queryStringParameters?.token;
    if (!token) return { statusCode: 401 };
    let claims;
    try {
      claims = await verifyAccessToken(token, await deps.getJwtKey(), deps.now());
      // A deactivated or cut-off user's token opens no socket (the REST API's check).
      await checkAccessClaims(deps, claims);
    } catch (err) {
      if (err instanceof UnauthorizedError) return { statusCode: 401 };
      throw err;
    }
    const viewer = await readViewer(deps.ddb, deps.tableName, claims.accountId, claims.userId);
    if (!viewer) return { statusCode: 401 };
    const conn = await putConnection(
      deps.ddb,
      deps.tableName,
      { connectionId, accountId: claims.accountId, userId: claims.userId, viewer },
      deps.now(),
    );
    // The user may have changed between the read and the write (a refresh then found no
    // connection to update): read again, and write again if so.
    if (!(await syncConnectionViewers(deps.ddb, deps.tableName, claims.accountId, claims.userId, [conn]))) {
      await deleteConnection(deps.ddb, deps.tableName, connectionId);
      return { statusCode: 401 };
    }
    return { statusCode: 200 };
  }
  if (routeKey === '$disconnect') {
    await deleteConnection(deps.ddb, deps.tableName, connectionId);
    return { statusCode: 200 };
  }
  let action: unknown;
  try {
    action = (JSON.parse(event.body ?? '') as { action?: unknown } | null)?.action;
  } catch {
    action = undefined;
  }
  if (action === 'ping') return reply(deps, connectionId, { type: 'pong' });
  return reply(deps, connectionId, {
    type: 'error',
    code: 'UNKNOWN_ACTION',
    message: 'Ação desconhecida.',
  });
}
