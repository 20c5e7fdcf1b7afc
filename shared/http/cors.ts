/**
 * CORS for the inbox SPA, which may be served from another origin (CloudFront, Vite's dev
 * server). The gateway answers preflights too; this keeps direct calls and error
 * responses consistent. Auth is a bearer header, not a cookie, so echoing an allowed
 * origin does not expose sessions to other sites.
 */
import type { MiddlewareObj } from '@middy/core';
import { header, type HttpEvent, type HttpResult } from './types.ts';

export interface CorsOptions {
  /** Allowed origins; `['*']` (default) allows any. */
  origins?: string[];
}

export function cors(opts: CorsOptions = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const origins = opts.origins ?? ['*'];
  const allowOrigin = (event: HttpEvent): string | undefined => {
    const origin = header(event, 'origin');
    if (!origin) return undefined;
    return origins.includes('*') || origins.includes(origin) ? origin : undefined;
  };
  const addHeaders = (event: HttpEvent, response: HttpResult | null | undefined) => {
    const origin = allowOrigin(event);
    if (!response || !origin) return;
    response.headers = {
      ...response.headers,
      'access-control-allow-origin': origin,
      // A throttled login's wait (429), read by the login page.
      'access-control-expose-headers': 'retry-after',
      vary: 'origin',
    };
  };
  return {
    name: 'cors',
    before: (request) => {
      if (request.event.requestContext?.http?.method !== 'OPTIONS') return;
      const origin = allowOrigin(request.event);
      return {
        statusCode: 204,
        headers: {
          ...(origin ? { 'access-control-allow-origin': origin, vary: 'origin' } : {}),
          'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
          'access-control-allow-headers': 'authorization,content-type',
          'access-control-max-age': '600',
        },
      };
    },
    after: (request) => addHeaders(request.event, request.response),
    onError: (request) => addHeaders(request.event, request.response),
  };
}
