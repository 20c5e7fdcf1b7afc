/**
 * Authenticates every request that is not public: `Authorization: Bearer <JWT>` verified
 * with the account's HS256 key at the injected clock; the claims go to `event.auth`.
 * Services read the tenant only from there — never from the path or the body.
 *
 * A verified JWT is not enough on its own: access tokens live 15 minutes and a user can be
 * cut off before that (deactivation, password change, role or permission change). Each
 * request therefore also runs `checkClaims` (fn api: shared/api/auth-service.ts
 * checkAccessClaims), which compares the token's `tv` with the user's current
 * tokenVersion and refuses deactivated or deleted users. Why a version and not a revocation
 * list: one integer on the user item covers every reason to cut a user off, and the user
 * item is read through the per-process account-users cache (shared/store/users.ts, 5 s),
 * so the check costs one query per account per process every 5 s — and the cut-off takes
 * effect within those 5 s in every process (at once in the one that made the change).
 */
import type { MiddlewareObj } from '@middy/core';
import { bearerToken, verifyAccessToken, type AccessClaims, type JwtKey } from '#shared/auth/tokens.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { header, type HttpEvent, type HttpResult } from './types.ts';

export interface AuthOptions {
  getKey: () => Promise<JwtKey>;
  now: () => number;
  /** Requests that need no token (login, refresh, the OpenAPI document). */
  isPublic?: (event: HttpEvent) => boolean;
  /** Throws UnauthorizedError when the claims' user may no longer act (see above). */
  checkClaims?: (claims: AccessClaims) => Promise<void>;
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
      const claims = await verifyAccessToken(token, await opts.getKey(), opts.now());
      await opts.checkClaims?.(claims);
      event.auth = claims;
    },
  };
}
