/**
 * Authenticates every request that is not public: `Authorization: Bearer <JWT>` verified
 * with the account's HS256 key at the injected clock; the claims go to `event.auth`.
 * Services read the tenant only from there — never from the path or the body.
 */
import type { MiddlewareObj } from '@middy/core';
import { bearerToken, verifyAccessToken, type JwtKey } from '#shared/auth/tokens.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { header, type HttpEvent, type HttpResult } from './types.ts';

export interface AuthOptions {
  getKey: () => Promise<JwtKey>;
  now: () => number;
  /** Requests that need no token (login, refresh, the OpenAPI document). */
  isPublic?: (event: HttpEvent) => boolean;
}

export function authenticate(opts: AuthOptions): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: 'authenticate',
    before: async (request) => {
      const event = request.event;
      delete event.auth;
      if (opts.isPublic?.(event)) return;
      const token = bearerToken(header(event, 'authorization'));
      if (!token) throw new UnauthorizedError('Faça login para continuar.', 'UNAUTHORIZED');
      event.auth = await verifyAccessToken(token, await opts.getKey(), opts.now());
    },
  };
}
