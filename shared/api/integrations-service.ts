/**
 * The integrations page: WhatsApp numbers (NUM-1..4) with their routing (RT-1..6), the
 * departments and assistants routing can name, and the account's clock settings (WIN-3).
 * Reading is for every user of the account; changing is for admins. Tokens are
 * write-only: no response carries one.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { routingProblems } from '#shared/domain/routing.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { listAssistants, listDepartments, putDepartment } from '#shared/store/catalog.ts';
import { keys } from '#shared/store/keys.ts';
import { createNumber, getNumber, getNumberStats, listNumbers } from '#shared/store/numbers.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE, type WhatsAppNumber } from '#shared/store/types.ts';
import type { ApiDeps } from './deps.ts';
import type { z } from 'zod';
import type * as schemas from './schemas.ts';

type ApiNumber = z.infer<typeof schemas.apiNumberSchema>;

export function requireAdmin(auth: AccessClaims): void {
  if (auth.role !== 'admin') throw new ForbiddenError('Só administradores podem mudar as configurações.');
}

async function withStats(deps: ApiDeps, n: WhatsAppNumber): Promise<ApiNumber> {
  const { accessToken, ...rest } = n;
  return {
    ...rest,
    hasToken: Boolean(accessToken),
    stats: await getNumberStats(deps.ddb, deps.tableName, n.accountId, n.id),
  };
}

export async function listAccountNumbers(deps: ApiDeps, auth: AccessClaims) {
  const numbers = await listNumbers(deps.ddb, deps.tableName, auth.accountId);
  return { items: await Promise.all(numbers.map((n) => withStats(deps, n))) };
}

async function ownNumber(deps: ApiDeps, auth: AccessClaims, id: string): Promise<WhatsAppNumber> {
  const n = await getNumber(deps.ddb, deps.tableName, auth.accountId, id);
  if (!n) throw new NotFoundError('Número não encontrado.');
  return n;
}

export async function getAccountNumber(deps: ApiDeps, auth: AccessClaims, id: string) {
  return withStats(deps, await ownNumber(deps, auth, id));
}

export async function addNumber(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.infer<typeof schemas.createNumberBodySchema>,
) {
  requireAdmin(auth);
  const created = await createNumber(deps.ddb, deps.tableName, {
    id: ulid(deps.now()),
    accountId: auth.accountId,
    ...body,
    createdAt: deps.now(),
  });
  return withStats(deps, created);
}

export async function updateAccountNumber(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: z.infer<typeof schemas.updateNumberBodySchema>,
) {
  requireAdmin(auth);
  const current = await ownNumber(deps, auth, id);
  if (body.routing) {
    const [departments, assistants] = await Promise.all([
      listDepartments(deps.ddb, deps.tableName, auth.accountId),
      listAssistants(deps.ddb, deps.tableName, auth.accountId),
    ]);
    const problems = routingProblems(body.routing, {
      departmentIds: departments.map((d) => d.id),
      assistantIds: assistants.map((a) => a.id),
    });
    if (body.activeRouting?.enabled) {
      if (!body.activeRouting.departmentId)
        problems.push({ code: 'ACTIVE_ROUTING_DEPARTMENT', message: 'Escolha o setor das chamadas ativas.' });
      else if (!departments.some((d) => d.id === body.activeRouting!.departmentId))
        problems.push({ code: 'UNKNOWN_DEPARTMENT', message: 'O setor das chamadas ativas não existe.' });
    }
    if (problems.length)
      throw new ValidationError(
        problems.map((p) => p.message).join(' '),
        problems.map((p) => ({ path: 'routing', message: p.message })),
        'INVALID_ROUTING',
      );
  }
  const sets: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    sets.push(`#${k} = :${k}`);
    names[`#${k}`] = k;
    values[`:${k}`] = v;
  }
  // A new token ends the "invalid token" notice (NUM-4).
  const remove = body.accessToken ? ' REMOVE tokenError' : '';
  if (sets.length)
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.number(auth.accountId, current.id),
        UpdateExpression: `SET ${sets.join(', ')}${remove}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  return withStats(deps, await ownNumber(deps, auth, id));
}

export async function listAccountDepartments(deps: ApiDeps, auth: AccessClaims) {
  return { items: await listDepartments(deps.ddb, deps.tableName, auth.accountId) };
}

export async function addDepartment(deps: ApiDeps, auth: AccessClaims, body: { name: string }) {
  requireAdmin(auth);
  return putDepartment(deps.ddb, deps.tableName, {
    id: ulid(deps.now()),
    accountId: auth.accountId,
    name: body.name,
    createdAt: deps.now(),
  });
}

export async function listAccountAssistants(deps: ApiDeps, auth: AccessClaims) {
  return { items: await listAssistants(deps.ddb, deps.tableName, auth.accountId) };
}

export async function getSettings(deps: ApiDeps, auth: AccessClaims) {
  const a = await getAccount(deps.ddb, deps.tableName, auth.accountId);
  return {
    name: a?.name ?? '',
    timezone: a?.timezone ?? DEFAULT_TIMEZONE,
    inactivityHours: a?.inactivityHours ?? DEFAULT_INACTIVITY_HOURS,
  };
}

export async function updateSettings(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.infer<typeof schemas.updateSettingsBodySchema>,
) {
  requireAdmin(auth);
  const entries = Object.entries(body).filter(([, v]) => v !== undefined);
  if (entries.length)
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.account(auth.accountId),
        UpdateExpression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
      }),
    );
  return getSettings(deps, auth);
}
