/**
 * The team (INB-3): users with their role, departments and permissions. Everyone in the
 * account may list them (names for the inbox, the agent picker); only admins change them.
 * Password hashes never leave the server.
 */
import { ulid } from 'ulid';
import {
  PASSWORD_RESET_TTL_MS,
  hashRefreshToken,
  newRefreshToken,
  type AccessClaims,
} from '#shared/auth/tokens.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import {
  createPasswordReset,
  createUser,
  deletePristineUser,
  getUser,
  toPublicUser,
  updateUserFields,
} from '#shared/store/users.ts';
import type { PublicUser, User } from '#shared/store/types.ts';
import { effectivePermissions } from '#shared/domain/inbox.ts';
import { cutOffUser } from './auth-service.ts';
import type { z } from 'zod';
import { removeSubscription, saveSubscription } from '#shared/push/web-push.ts';
import { deleteUserPushSubscriptions } from '#shared/store/push-subscriptions.ts';
import { refreshUserConnections } from '#shared/push/push.ts';
import type { ApiDeps } from './api-deps.ts';
import { accountDirectory, forgetDirectory } from './inbox-views.ts';
import type * as schemas from './routes/team.schemas.ts';

function requireAdmin(auth: AccessClaims): void {
  if (auth.role !== 'admin')
    throw new ForbiddenError('Só administradores podem gerenciar a equipe.', 'FORBIDDEN');
}

async function checkDepartments(deps: ApiDeps, accountId: string, ids: string[] | undefined): Promise<void> {
  if (!ids?.length) return;
  const known = new Set((await listDepartments(deps.ddb, deps.tableName, accountId)).map((d) => d.id));
  if (ids.some((id) => !known.has(id)))
    throw new ValidationError('Setor não encontrado.', undefined, 'UNKNOWN_DEPARTMENT');
}

export async function listUsers(deps: ApiDeps, auth: AccessClaims): Promise<{ items: PublicUser[] }> {
  const dir = await accountDirectory(deps.ddb, deps.tableName, auth.accountId, deps.now());
  return { items: dir.users.map(toPublicUser).sort((a, b) => a.name.localeCompare(b.name, 'pt-BR')) };
}

export async function addUser(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.output<typeof schemas.createUserBodySchema>,
): Promise<PublicUser> {
  requireAdmin(auth);
  await checkDepartments(deps, auth.accountId, body.departmentIds);
  const user = await createUser(deps.ddb, deps.tableName, {
    id: ulid(deps.now()),
    accountId: auth.accountId,
    name: body.name,
    email: body.email,
    role: body.role,
    passwordHash: await hashPassword(body.password),
    departmentIds: body.departmentIds,
    ...(body.permissions ? { permissions: body.permissions } : {}),
    createdAt: deps.now(),
    pristine: true,
  });
  forgetDirectory(deps.tableName, auth.accountId);
  return toPublicUser(user);
}

export async function updateUser(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: z.output<typeof schemas.updateUserBodySchema>,
): Promise<PublicUser> {
  requireAdmin(auth);
  if (id === auth.userId && body.role && body.role !== 'admin')
    throw new ConflictError('Você não pode tirar de si o papel de administrador.', 'OWN_ROLE');
  await checkDepartments(deps, auth.accountId, body.departmentIds);
  const { password, ...fields } = body;
  const set: Record<string, unknown> = { ...fields };
  if (password) set.passwordHash = await hashPassword(password);
  if (!Object.values(set).some((v) => v !== undefined))
    throw new ValidationError('Nada para mudar.', undefined, 'EMPTY_UPDATE');
  const before = await getUser(deps.ddb, deps.tableName, auth.accountId, id);
  if (!before) throw new NotFoundError('Usuário não encontrado.');
  // A new password, role or permission list ends the user's sessions and sockets: what
  // they were allowed to do is decided again at their next login.
  const granted = (u: Pick<User, 'role' | 'permissions'>) => [...effectivePermissions(u)].sort().join();
  const cutOff =
    password !== undefined ||
    (body.role !== undefined && body.role !== before.role) ||
    granted(before) !==
      granted({ role: body.role ?? before.role, permissions: body.permissions ?? before.permissions });
  const updated = await updateUserFields(deps.ddb, deps.tableName, auth.accountId, id, {
    set,
    bumpTokenVersion: cutOff,
  });
  if (!updated) throw new NotFoundError('Usuário não encontrado.');
  forgetDirectory(deps.tableName, auth.accountId);
  if (cutOff) await cutOffUser(deps, auth.accountId, id);
  // Open sockets are filtered by the user as they are now (e.g. a new department's chats).
  else await refreshUserConnections(auth.accountId, id, deps);
  return toPublicUser(updated);
}

/** The user of the caller's account (another account's id is a 404, as if absent). */
async function accountUser(deps: ApiDeps, auth: AccessClaims, id: string): Promise<User> {
  const user = await getUser(deps.ddb, deps.tableName, auth.accountId, id);
  if (!user) throw new NotFoundError('Usuário não encontrado.');
  return user;
}

/**
 * Deactivates a user: their history stays (messages, logs, reports name them), they can
 * no longer sign in, refresh or use a token they hold, their sockets are closed and their
 * push subscriptions deleted.
 */
export async function deactivateUser(deps: ApiDeps, auth: AccessClaims, id: string): Promise<PublicUser> {
  requireAdmin(auth);
  if (id === auth.userId)
    throw new ConflictError('Você não pode desativar o seu próprio acesso.', 'OWN_USER');
  await accountUser(deps, auth, id);
  const updated = await updateUserFields(deps.ddb, deps.tableName, auth.accountId, id, {
    set: { deactivatedAt: deps.now() },
    bumpTokenVersion: true,
    condition: 'attribute_not_exists(deactivatedAt)',
  });
  forgetDirectory(deps.tableName, auth.accountId);
  await cutOffUser(deps, auth.accountId, id);
  // Their phones get no more customer messages (web push).
  await deleteUserPushSubscriptions(deps.ddb, deps.tableName, auth.accountId, id);
  return toPublicUser(updated ?? (await accountUser(deps, auth, id)));
}

export async function reactivateUser(deps: ApiDeps, auth: AccessClaims, id: string): Promise<PublicUser> {
  requireAdmin(auth);
  await accountUser(deps, auth, id);
  const updated = await updateUserFields(deps.ddb, deps.tableName, auth.accountId, id, {
    remove: ['deactivatedAt'],
  });
  forgetDirectory(deps.tableName, auth.accountId);
  return toPublicUser(updated ?? (await accountUser(deps, auth, id)));
}

const inUse = () =>
  new ConflictError(
    'Este usuário já tem histórico (entrou no sistema ou recebeu conversas) e não pode ser excluído. Desative-o para cortar o acesso.',
    'USER_IN_USE',
  );

/**
 * Deletes a user nothing refers to: one who never signed in (so wrote no message) and was
 * never assigned a chat (`pristine`). Anyone else is deactivated instead (409).
 */
export async function deleteUser(deps: ApiDeps, auth: AccessClaims, id: string): Promise<void> {
  requireAdmin(auth);
  if (id === auth.userId) throw new ConflictError('Você não pode excluir o seu próprio usuário.', 'OWN_USER');
  const user = await accountUser(deps, auth, id);
  if (!user.pristine) throw inUse();
  if (!(await deletePristineUser(deps.ddb, deps.tableName, user))) throw inUse();
  forgetDirectory(deps.tableName, auth.accountId);
  await cutOffUser(deps, auth.accountId, id);
  await deleteUserPushSubscriptions(deps.ddb, deps.tableName, auth.accountId, id);
}

/**
 * A one-time link for the user to choose a new password ("Esqueci a senha"): a random
 * token (256 bits, only its SHA-256 stored) valid for an hour, shown to the admin, who
 * hands it over. The web app opens it at /redefinir-senha?token=….
 */
export async function createResetLink(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
): Promise<{ token: string; expiresAt: number }> {
  requireAdmin(auth);
  const user = await accountUser(deps, auth, id);
  if (user.deactivatedAt)
    throw new ConflictError('Reative o usuário antes de gerar um link de redefinição.', 'USER_DEACTIVATED');
  const resetId = deps.newId();
  const token = newRefreshToken({ accountId: auth.accountId, sessionId: resetId });
  const now = deps.now();
  const expiresAt = now + PASSWORD_RESET_TTL_MS;
  await createPasswordReset(deps.ddb, deps.tableName, {
    id: resetId,
    accountId: auth.accountId,
    userId: id,
    tokenHash: hashRefreshToken(token),
    createdAt: now,
    createdBy: auth.userId,
    expiresAt,
  });
  return { token, expiresAt };
}

// ── web push subscriptions (INB-8) ─────────────────────────────────────────────────────

export async function pushKey(deps: ApiDeps): Promise<{ publicKey?: string }> {
  const v = await deps.vapid?.();
  return v ? { publicKey: v.publicKey } : {};
}

export async function subscribePush(
  deps: ApiDeps,
  auth: AccessClaims,
  body: { endpoint: string; keys: { p256dh: string; auth: string } },
): Promise<void> {
  await saveSubscription(deps, auth.accountId, auth.userId, body);
}

export async function unsubscribePush(
  deps: ApiDeps,
  auth: AccessClaims,
  body: { endpoint: string },
): Promise<void> {
  await removeSubscription(deps, auth.accountId, auth.userId, body.endpoint);
}
