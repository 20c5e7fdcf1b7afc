/**
 * WebSocket routes answer a bare status: an unexpected error is logged (no event, which
 * may hold a token) and becomes a 500, which refuses a $connect.
 */
import type { MiddlewareObj } from '@middy/core';
import { defaultErrorLogger, type ErrorLogger } from './error-handler.ts';

interface WsLike {
  requestContext?: { routeKey?: string; connectionId?: string };
}

export function wsErrorHandler<E extends WsLike, R>(opts: { log?: ErrorLogger } = {}): MiddlewareObj<E, R> {
  const log = opts.log ?? defaultErrorLogger;
  return {
    name: 'wsErrorHandler',
    onError: (request) => {
      const err = request.error;
      log({
        level: 'error',
        msg: 'websocket route failed',
        route: request.event?.requestContext?.routeKey,
        connectionId: request.event?.requestContext?.connectionId,
        error:
          err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      });
      request.response = { statusCode: 500 } as R;
    },
  };
}
