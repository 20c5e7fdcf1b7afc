/**
 * The WebSocket API's three routes. $connect authenticates with the access token in the
 * query string (browsers cannot set headers on a WebSocket) and records the connection
 * for push; $disconnect forgets it; $default answers `{action:'ping'}` with a pong.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { verifyAccessToken, type JwtKey } from '#shared/auth/tokens.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { deleteConnection, putConnection } from '#shared/store/connections.ts';

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
    } catch (err) {
      if (err instanceof UnauthorizedError) return { statusCode: 401 };
      throw err;
    }
    await putConnection(
      deps.ddb,
      deps.tableName,
      { connectionId, accountId: claims.accountId, userId: claims.userId },
      deps.now(),
    );
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
