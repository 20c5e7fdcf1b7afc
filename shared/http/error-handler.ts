/**
 * The one place errors become HTTP responses (shared/errors.ts taxonomy). Client errors
 * (< 500) carry their code and pt-BR message; everything else is logged and answered as
 * INTERNAL_ERROR without details. The log line has no request body or headers (tokens).
 */
import type { MiddlewareObj } from '@middy/core';
import { toErrorResponse, TooManyRequestsError } from '#shared/errors.ts';
import { log } from '#shared/log.ts';
import { json } from './response.ts';
import type { HttpEvent, HttpResult } from './types.ts';

export type ErrorLogger = (entry: Record<string, unknown>) => void;

/** The one logger (shared/log.ts): the request id is the line's correlation id. */
export const defaultErrorLogger: ErrorLogger = ({ level: _level, msg, requestId, ...rest }) =>
  log('error', String(msg), { ...(requestId ? { correlationId: requestId } : {}), ...rest });

export function httpErrorHandler(opts: { log?: ErrorLogger } = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const logError = opts.log ?? defaultErrorLogger;
  return {
    name: 'httpErrorHandler',
    onError: (request) => {
      const { statusCode, body } = toErrorResponse(request.error);
      if (statusCode >= 500) {
        const err = request.error;
        logError({
          level: 'error',
          msg: 'request failed',
          requestId: request.event?.requestContext?.requestId,
          route: request.event?.requestContext?.http
            ? `${request.event.requestContext.http.method} ${request.event.rawPath}`
            : undefined,
          accountId: request.event?.auth?.accountId,
          error:
            err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
        });
      }
      request.response = json(statusCode, body);
      const err = request.error;
      if (err instanceof TooManyRequestsError && err.retryAfterSeconds !== undefined)
        request.response.headers['retry-after'] = String(err.retryAfterSeconds);
    },
  };
}
