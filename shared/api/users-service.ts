/**
 * The team (INB-3): users with their role, departments and permissions. Everyone in the
 * account may list them (names for the inbox, the agent picker); only admins change them.
 * Password hashes never leave the server.
 */
import { ulid } from 'ulid';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import { keys } from '#shared/store/keys.ts';
import { updateIfAllowed } from '#shared/store/ops.ts';
import { createUser, toPublicUser } from '#shared/store/users.ts';
import { userSchema, type PublicUser } from '#shared/store/types.ts';
import type { z } from 'zod';
import { removeSubscription, saveSubscription } from '#shared/push/web-push.ts';
import type { ApiDeps } from './deps.ts';
import { accountDirectory, forgetDirectory } from './inbox-views.ts';
import type * as schemas from './schemas.ts';

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
  const entries = Object.entries(set).filter(([, v]) => v !== undefined);
  if (!entries.length) throw new ValidationError('Nada para mudar.', undefined, 'EMPTY_UPDATE');
  const updated = await updateIfAllowed(deps.ddb, {
    TableName: deps.tableName,
    Key: keys.user(auth.accountId, id),
    UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
    ReturnValues: 'ALL_NEW',
  });
  if (!updated) throw new NotFoundError('Usuário não encontrado.');
  forgetDirectory(deps.tableName, auth.accountId);
  return toPublicUser(userSchema.parse(updated));
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
