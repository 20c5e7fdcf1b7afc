/**
 * Login, refresh and logout. Unknown e-mail and wrong password fail the same way, in the
 * same time (a dummy hash is verified). Refresh tokens are single use: a refresh revokes
 * the presented session and opens a new one atomically.
 */
import { dummyPasswordHash, verifyPassword } from '#shared/auth/password.ts';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_MS,
  hashRefreshToken,
  newRefreshToken,
  parseRefreshToken,
  signAccessToken,
  type AccessClaims,
} from '#shared/auth/tokens.ts';
import { InvalidCredentialsError, UnauthorizedError } from '#shared/errors.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { createSession, getSession, revokeSession, rotateSession } from '#shared/store/sessions.ts';
import { findUserByEmail, getUser, toPublicUser } from '#shared/store/users.ts';
import type { Session, User } from '#shared/store/types.ts';
import { effectivePermissions } from '#shared/domain/inbox.ts';
import type { ApiDeps } from './deps.ts';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; name: string; email: string; role: User['role']; accountId: string };
}

const invalidRefresh = () =>
  new UnauthorizedError('Sessão expirada. Entre novamente.', 'INVALID_REFRESH_TOKEN');

function newSession(deps: ApiDeps, user: User): { session: Session; refreshToken: string } {
  const now = deps.now();
  const id = deps.newId();
  const refreshToken = newRefreshToken({ accountId: user.accountId, sessionId: id });
  return {
    refreshToken,
    session: {
      id,
      accountId: user.accountId,
      userId: user.id,
      tokenHash: hashRefreshToken(refreshToken),
      createdAt: now,
      expiresAt: now + REFRESH_TOKEN_TTL_MS,
    },
  };
}

async function tokensFor(deps: ApiDeps, user: User, refreshToken: string): Promise<Tokens> {
  const accessToken = await signAccessToken(
    { userId: user.id, accountId: user.accountId, role: user.role },
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

export async function login(deps: ApiDeps, input: { email: string; password: string }): Promise<Tokens> {
  const user = await findUserByEmail(deps.ddb, deps.tableName, input.email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new InvalidCredentialsError();
  const { session, refreshToken } = newSession(deps, user);
  await createSession(deps.ddb, deps.tableName, session);
  return tokensFor(deps, user, refreshToken);
}

export async function refresh(deps: ApiDeps, input: { refreshToken: string }): Promise<Tokens> {
  const parts = parseRefreshToken(input.refreshToken);
  if (!parts) throw invalidRefresh();
  const old = await getSession(deps.ddb, deps.tableName, parts.accountId, parts.sessionId);
  if (!old) throw invalidRefresh();
  // The user may have been removed since; the role may have changed (the new token carries it).
  const user = await getUser(deps.ddb, deps.tableName, old.accountId, old.userId);
  if (!user) throw invalidRefresh();
  const { session, refreshToken } = newSession(deps, user);
  const rotated = await rotateSession(
    deps.ddb,
    deps.tableName,
    { accountId: old.accountId, id: old.id, tokenHash: hashRefreshToken(input.refreshToken) },
    session,
    deps.now(),
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
