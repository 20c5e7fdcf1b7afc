/**
 * Agents' session tokens.
 * - Access token: JWT HS256, 15 minutes, claims sub=userId, acc=accountId, role, tv (the
 *   user's tokenVersion: shared/http/auth.ts refuses it once the user's version moved or
 *   the user was deactivated).
 * - Refresh token: opaque `<accountId>.<sessionId>.<secret>`; only the SHA-256 of the
 *   whole token is stored (shared/store/sessions.ts), and each use rotates it. A session
 *   lives at most REFRESH_ABSOLUTE_TTL_MS from its login, and REFRESH_TOKEN_TTL_MS unused.
 * - Password-reset token: the same shape, `<accountId>.<resetId>.<secret>`, hashed at rest.
 * Every function takes the clock (`now`, epoch ms) so tests control expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { roleSchema, type Role } from '#shared/store/types.ts';
import { UnauthorizedError } from '#shared/errors.ts';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** Idle expiry of a refresh session: each rotation moves it (never past the absolute one). */
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Absolute lifetime of a login: rotations inherit it; then the agent signs in again. */
export const REFRESH_ABSOLUTE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A password-reset link an admin generated works once, for an hour. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
const ISSUER = 'atende';
const AUDIENCE = 'atende-agents';

export interface AccessClaims {
  userId: string;
  accountId: string;
  role: Role;
  /** The user's tokenVersion when the token was issued (0 for tokens issued before it existed). */
  tokenVersion?: number;
}

/** The HMAC key, at least 32 bytes (RFC 7518 §3.2: key ≥ hash output). */
export type JwtKey = Uint8Array;

export function jwtKeyFromSecret(secret: string): JwtKey {
  const key = new TextEncoder().encode(secret);
  if (key.length < 32) throw new Error('auth secret jwtSecret must have at least 32 bytes');
  return key;
}

/** Signs a 15-minute access token issued at `now`. */
export async function signAccessToken(claims: AccessClaims, key: JwtKey, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ acc: claims.accountId, role: claims.role, tv: claims.tokenVersion ?? 0 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(key);
}

const payloadSchema = z.object({
  sub: z.string().min(1),
  acc: z.string().min(1),
  role: roleSchema,
  tv: z.number().int().min(0).default(0),
});

/** Verifies signature, algorithm, issuer, audience and expiry at `now`; UnauthorizedError otherwise. */
export async function verifyAccessToken(token: string, key: JwtKey, now: number): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    const claims = payloadSchema.parse(payload);
    return { userId: claims.sub, accountId: claims.acc, role: claims.role, tokenVersion: claims.tv };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof z.ZodError) throw new UnauthorizedError();
    throw err;
  }
}

/** `Authorization: Bearer <token>` → token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export interface RefreshTokenParts {
  accountId: string;
  sessionId: string;
}

/** A new refresh token for a session (also the shape of a password-reset token). */
export function newRefreshToken(parts: RefreshTokenParts): string {
  return `${parts.accountId}.${parts.sessionId}.${randomBytes(32).toString('base64url')}`;
}

const idPart = /^[A-Za-z0-9_-]{1,64}$/;

/** The session a refresh token points to, or undefined when it is malformed. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [accountId, sessionId, secret] = parts as [string, string, string];
  if (!idPart.test(accountId) || !idPart.test(sessionId) || secret.length < 32) return undefined;
  return { accountId, sessionId };
}

/** What is stored for a refresh token: its SHA-256 (the token has 256 random bits; no salt needed). */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
