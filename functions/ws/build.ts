/**
 * fn ws: the WebSocket API's $connect, $disconnect and $default routes. Wiring only; the
 * logic is shared/api/websocket.ts. Replies go through the management API
 * (WS_MANAGEMENT_ENDPOINT) when it is configured. `buildWsHandler` takes a function giving
 * its dependencies (called on the first event); ./handler.ts gives the environment's.
 */
import middy from '@middy/core';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { dynamo, secretsManager, wsManagement } from '#shared/aws/clients.ts';
import { loadConfig, type Config } from '#shared/config.ts';
import { wsErrorHandler } from '#shared/http/ws-error-handler.ts';
import { withLogContext } from '#shared/log.ts';
import { handleWsEvent, type WsDeps, type WsEvent, type WsResult } from '#shared/api/websocket.ts';

export function defaultWsDeps(config: Config): WsDeps {
  const secretId = config.secretIds.auth;
  const endpoint = config.wsEndpoint;
  return {
    ddb: dynamo(),
    tableName: config.tableName,
    getJwtKey: async () => {
      if (!secretId) throw new Error('AUTH_SECRET_ID is not configured');
      // Loaded on first use: tests build the handler with their own key.
      const { loadJwtKey } = await import('#shared/auth/jwt-key.ts');
      return loadJwtKey(secretsManager(), secretId);
    },
    now: Date.now,
    post: endpoint
      ? async (connectionId, data) => {
          await wsManagement(endpoint).send(
            new PostToConnectionCommand({
              ConnectionId: connectionId,
              Data: Buffer.from(JSON.stringify(data)),
            }),
          );
        }
      : undefined,
  };
}

export function buildWsHandler(getDeps: () => WsDeps) {
  let deps: WsDeps | undefined;
  return middy<WsEvent, WsResult>()
    .use(wsErrorHandler())
    .handler((event) =>
      withLogContext({ correlationId: event.requestContext.connectionId }, () =>
        handleWsEvent(event, (deps ??= getDeps())),
      ),
    );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): WsDeps {
  return defaultWsDeps(loadConfig(env, 'ws'));
}
