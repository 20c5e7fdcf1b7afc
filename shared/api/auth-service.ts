/**
 * Login, refresh, logout, password changes and resets, and the per-request check of an
 * access token's user. Unknown e-mail and wrong password fail the same way, in the same
 * time (a dummy hash is verified). Logins are throttled per e-mail and per source IP
 * (shared/domain/login-throttle.ts). Refresh tokens are single use: a refresh revokes the
 * presented session and opens a new one atomically; presenting a rotated token again
 * revokes its whole family (the stolen copy and the legitimate one both stop working).
 * A login lives at most REFRESH_ABSOLUTE_TTL_MS, however often it is refreshed.
 *
 * Cutting a user off (cutOffUser): the user's tokenVersion was bumped by the caller (every
 * access token and session issued before is refused), their refresh sessions are revoked
 * and their sockets closed.
 */
import { createHash } from 'node:crypto';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '#shared/auth/password.ts';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_ABSOLUTE_TTL_MS,
  REFRESH_TOKEN_TTL_MS,
  hashRefreshToken,
  newRefreshToken,
  parseRefreshToken,
  signAccessToken,
  type AccessClaims,
} from '#shared/auth/tokens.ts';
import {
  ForbiddenError,
  InvalidCredentialsError,
  TooManyAttemptsError,
  UnauthorizedError,
  ValidationError,
} from '#shared/errors.ts';
import { LOGIN_LIMITS, retryAfterSeconds } from '#shared/domain/login-throttle.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { hitCounter, peekCounter, resetCounter, windowAt } from '#shared/store/rate-limits.ts';
import {
  createSession,
  getSession,
  revokeSession,
  revokeUserSessions,
  rotateSession,
} from '#shared/store/sessions.ts';
import {
  cachedUser,
  consumePasswordReset,
  findUserByEmail,
  forgetAccountUsers,
  getUser,
  normalizeEmail,
  toPublicUser,
  updateUserFields,
} from '#shared/store/users.ts';
import type { Session, User } from '#shared/store/types.ts';
import { effectivePermissions } from '#shared/domain/inbox.ts';
import { disconnectUser } from '#shared/push/push.ts';
import type { ApiDeps } from './api-deps.ts';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; name: string; email: string; role: User['role']; accountId: string };
}

/** Closes a user's WebSocket connections (shared/push/push.ts). */
const closeSockets = async (deps: ApiDeps, accountId: string, userId: string) => {
  await disconnectUser(accountId, userId, deps);
};

/** A rotated token presented again within this time is a race between tabs, not theft. */
const REUSE_GRACE_MS = 10_000;

const invalidRefresh = () =>
  new UnauthorizedError('Sessão expirada. Entre novamente.', 'INVALID_REFRESH_TOKEN');
const deactivated = () =>
  new ForbiddenError('Seu acesso foi desativado. Fale com o administrador da sua conta.', 'USER_DEACTIVATED');

function newSession(
  deps: ApiDeps,
  user: User,
  family?: { familyId: string; absoluteExpiresAt: number },
): { session: Session; refreshToken: string } {
  const now = deps.now();
  const id = deps.newId();
  const refreshToken = newRefreshToken({ accountId: user.accountId, sessionId: id });
  const absoluteExpiresAt = family?.absoluteExpiresAt ?? now + REFRESH_ABSOLUTE_TTL_MS;
  return {
    refreshToken,
    session: {
      id,
      accountId: user.accountId,
      userId: user.id,
      tokenHash: hashRefreshToken(refreshToken),
      createdAt: now,
      expiresAt: Math.min(now + REFRESH_TOKEN_TTL_MS, absoluteExpiresAt),
      familyId: family?.familyId ?? id,
      absoluteExpiresAt,
      tokenVersion: user.tokenVersion,
    },
  };
}

async function tokensFor(deps: ApiDeps, user: User, refreshToken: string): Promise<Tokens> {
  const accessToken = await signAccessToken(
    { userId: user.id, accountId: user.accountId, role: user.role, tokenVersion: user.tokenVersion },
    await deps.getJwtKey(),
    deps.now(),
  );
  return {
    accessToken,
    refreshToken,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    user: { id: user.id, name: user.name, email: user.email, role: user.role, accountId: user.accountId },
  };
}

/** A new login (family) for the user: session stored, tokens returned. */
async function openSession(deps: ApiDeps, user: User): Promise<Tokens> {
  const { session, refreshToken } = newSession(deps, user);
  await createSession(deps.ddb, deps.tableName, session);
  return tokensFor(deps, user, refreshToken);
}

/** Throttling subjects are hashed: the counters hold no e-mail or address. */
const subject = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 32);

export async function login(
  deps: ApiDeps,
  input: { email: string; password: string },
  sourceIp?: string,
): Promise<Tokens> {
  const now = deps.now();
  const emailWindow = windowAt(now, LOGIN_LIMITS.email.windowMs);
  const ipWindow = windowAt(now, LOGIN_LIMITS.ip.windowMs);
  const emailKey = subject(normalizeEmail(input.email));
  const ipKey = sourceIp ? subject(sourceIp) : undefined;
  const [attempts, ipFailures] = await Promise.all([
    hitCounter(deps.ddb, deps.tableName, 'login-email', emailKey, emailWindow),
    ipKey ? peekCounter(deps.ddb, deps.tableName, 'login-ip', ipKey, ipWindow) : 0,
  ]);
  if (ipFailures >= LOGIN_LIMITS.ip.max) throw new TooManyAttemptsError(retryAfterSeconds(ipWindow.end, now));
  if (attempts > LOGIN_LIMITS.email.max)
    throw new TooManyAttemptsError(retryAfterSeconds(emailWindow.end, now));

  const user = await findUserByEmail(deps.ddb, deps.tableName, input.email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) {
    if (ipKey) await hitCounter(deps.ddb, deps.tableName, 'login-ip', ipKey, ipWindow);
    throw new InvalidCredentialsError();
  }
  if (user.deactivatedAt) throw deactivated();
  await resetCounter(deps.ddb, deps.tableName, 'login-email', emailKey, emailWindow);
  // Upgrade a hash made at a lower cost while the password is at hand; the first login
  // also ends the user's "pristine" state (deletable only before it).
  const rehash = needsRehash(user.passwordHash);
  if (rehash || user.pristine) {
    await updateUserFields(deps.ddb, deps.tableName, user.accountId, user.id, {
      set: rehash ? { passwordHash: await hashPassword(input.password) } : {},
      remove: user.pristine ? ['pristine'] : [],
    });
  }
  return openSession(deps, user);
}

export async function refresh(deps: ApiDeps, input: { refreshToken: string }): Promise<Tokens> {
  const parts = parseRefreshToken(input.refreshToken);
  if (!parts) throw invalidRefresh();
  const old = await getSession(deps.ddb, deps.tableName, parts.accountId, parts.sessionId);
  const tokenHash = hashRefreshToken(input.refreshToken);
  if (!old || old.tokenHash !== tokenHash) throw invalidRefresh();
  const now = deps.now();
  if (old.revokedAt !== undefined) {
    // A token that was already exchanged is presented again: one of the two holders is
    // not the user. End every live session of this login.
    if (old.replacedBy && now - old.revokedAt > REUSE_GRACE_MS) {
      await revokeUserSessions(
        deps.ddb,
        deps.tableName,
        old.accountId,
        old.userId,
        now,
        old.familyId ?? old.id,
      );
    }
    throw invalidRefresh();
  }
  const absoluteExpiresAt = old.absoluteExpiresAt ?? old.createdAt + REFRESH_ABSOLUTE_TTL_MS;
  if (now >= absoluteExpiresAt || now >= old.expiresAt) throw invalidRefresh();
  // The user may have been removed, deactivated or cut off since; the role may have
  // changed (the new token carries it).
  const user = await getUser(deps.ddb, deps.tableName, old.accountId, old.userId);
  if (!user || user.deactivatedAt || user.tokenVersion !== (old.tokenVersion ?? 0)) throw invalidRefresh();
  const { session, refreshToken } = newSession(deps, user, {
    familyId: old.familyId ?? old.id,
    absoluteExpiresAt,
  });
  const rotated = await rotateSession(
    deps.ddb,
    deps.tableName,
    { accountId: old.accountId, id: old.id, tokenHash },
    session,
    now,
  );
  if (!rotated) throw invalidRefresh();
  return tokensFor(deps, user, refreshToken);
}

/** Ends the session of a refresh token of the caller; silent when it is not theirs or not live. */
export async function logout(
  deps: ApiDeps,
  auth: AccessClaims,
  input: { refreshToken: string },
): Promise<void> {
  const parts = parseRefreshToken(input.refreshToken);
  if (!parts || parts.accountId !== auth.accountId) return;
  const session = await getSession(deps.ddb, deps.tableName, auth.accountId, parts.sessionId);
  if (!session || session.userId !== auth.userId) return;
  await revokeSession(
    deps.ddb,
    deps.tableName,
    { accountId: auth.accountId, id: session.id, tokenHash: hashRefreshToken(input.refreshToken) },
    deps.now(),
  );
}

/**
 * Authentication's per-request check (shared/http/auth.ts explains why a version): the
 * token's user exists, is active, and its tokenVersion is the one the token carries. The
 * cached user (≤ 5 s old) answers the common case; when it disagrees with the token (a
 * user created or a password changed in another process a moment ago) the user item is
 * read again before refusing, so only a real cut-off refuses.
 */
export async function checkAccessClaims(
  deps: Pick<ApiDeps, 'ddb' | 'tableName' | 'now'>,
  claims: AccessClaims,
): Promise<void> {
  const live = (u: User | undefined) =>
    !!u && !u.deactivatedAt && u.tokenVersion === (claims.tokenVersion ?? 0);
  const cached = await cachedUser(deps.ddb, deps.tableName, claims.accountId, claims.userId, deps.now());
  if (live(cached)) return;
  const fresh = await getUser(deps.ddb, deps.tableName, claims.accountId, claims.userId);
  if (fresh?.tokenVersion !== cached?.tokenVersion || !!fresh?.deactivatedAt !== !!cached?.deactivatedAt)
    forgetAccountUsers(deps.tableName, claims.accountId);
  if (!live(fresh))
    throw new UnauthorizedError('Sua sessão foi encerrada. Entre novamente.', 'SESSION_REVOKED');
}

/** After the user's tokenVersion was bumped: no refresh session or socket of theirs survives. */
export async function cutOffUser(deps: ApiDeps, accountId: string, userId: string): Promise<void> {
  await revokeUserSessions(deps.ddb, deps.tableName, accountId, userId, deps.now());
  await closeSockets(deps, accountId, userId);
}

/**
 * The caller changes their own password, proving the current one. Every session of
 * theirs ends (other devices sign in again); this device gets a fresh login.
 */
export async function changeOwnPassword(
  deps: ApiDeps,
  auth: AccessClaims,
  input: { currentPassword: string; newPassword: string },
): Promise<Tokens> {
  const user = await getUser(deps.ddb, deps.tableName, auth.accountId, auth.userId);
  if (!user || user.deactivatedAt) throw new UnauthorizedError();
  // Guessing the current password with a stolen access token is throttled like login.
  const now = deps.now();
  const window = windowAt(now, LOGIN_LIMITS.email.windowMs);
  const key = subject(user.email);
  if ((await hitCounter(deps.ddb, deps.tableName, 'login-email', key, window)) > LOGIN_LIMITS.email.max)
    throw new TooManyAttemptsError(retryAfterSeconds(window.end, now));
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new ValidationError(
      'A senha atual não confere.',
      [{ path: 'body.currentPassword', message: 'A senha atual não confere.' }],
      'WRONG_PASSWORD',
    );
  await resetCounter(deps.ddb, deps.tableName, 'login-email', key, window);
  const updated = await updateUserFields(deps.ddb, deps.tableName, auth.accountId, auth.userId, {
    set: { passwordHash: await hashPassword(input.newPassword) },
    bumpTokenVersion: true,
  });
  if (!updated) throw new UnauthorizedError();
  await cutOffUser(deps, auth.accountId, auth.userId);
  return openSession(deps, updated);
}

const invalidReset = () =>
  new ValidationError(
    'Este link de redefinição é inválido, já foi usado ou expirou. Peça um novo ao administrador.',
    undefined,
    'INVALID_RESET_TOKEN',
  );

/** Sets a new password through a one-time link an admin generated; ends every session. */
export async function resetPassword(
  deps: ApiDeps,
  input: { token: string; password: string },
): Promise<void> {
  const parts = parseRefreshToken(input.token);
  if (!parts) throw invalidReset();
  const reset = await consumePasswordReset(
    deps.ddb,
    deps.tableName,
    parts.accountId,
    parts.sessionId,
    hashRefreshToken(input.token),
    deps.now(),
  );
  if (!reset) throw invalidReset();
  const updated = await updateUserFields(deps.ddb, deps.tableName, reset.accountId, reset.userId, {
    set: { passwordHash: await hashPassword(input.password) },
    bumpTokenVersion: true,
    condition: 'attribute_not_exists(deactivatedAt)',
  });
  if (!updated) throw invalidReset();
  await cutOffUser(deps, reset.accountId, reset.userId);
}

/** The caller, with their account. */
export async function me(deps: ApiDeps, auth: AccessClaims) {
  const [user, account] = await Promise.all([
    getUser(deps.ddb, deps.tableName, auth.accountId, auth.userId),
    getAccount(deps.ddb, deps.tableName, auth.accountId),
  ]);
  if (!user || !account) throw new UnauthorizedError();
  return {
    ...toPublicUser(user),
    permissions: [...effectivePermissions(user)],
    account: { id: account.id, name: account.name, timezone: account.timezone },
  };
}
