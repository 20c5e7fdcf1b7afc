/**
 * The integrations page: WhatsApp numbers (NUM-1..4) with their routing (RT-1..6), the
 * departments and assistants routing can name, and the account's clock settings (WIN-3).
 * Reading is for every user of the account; changing needs the "settings" permission. Tokens are
 * write-only: no response carries one.
 */
import { ulid } from 'ulid';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import { routingProblems } from '#shared/domain/routing.ts';
import { getAccount, setOutsideWindowTemplate, updateAccountSettings } from '#shared/store/accounts.ts';
import { listTemplates } from '#shared/store/templates.ts';
import {
  listAssistants,
  listDepartments,
  putDepartment,
  renameDepartment as renameDepartmentItem,
  toPublicAssistant,
} from '#shared/store/catalog.ts';
import type { Violation } from '#shared/whatsapp/limits.ts';
import {
  createNumber,
  getNumber,
  getNumberStats,
  listNumbers,
  updateNumberFields,
} from '#shared/store/numbers.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE, type WhatsAppNumber } from '#shared/store/types.ts';
import { can } from '#shared/domain/inbox.ts';
import type { ApiDeps } from './api-deps.ts';
import { caller } from './conversations-service.ts';
import { forgetDirectory } from './inbox-views.ts';
import type { z } from 'zod';
import type * as schemas from './routes/integrations.schemas.ts';

type ApiNumber = z.infer<typeof schemas.apiNumberSchema>;

/** Meta could not be asked (network, 5xx): a 503 whose message the user reads. */
class ServiceUnavailableError extends AppError {
  constructor(message: string, code: string) {
    super(503, code, message);
  }
  override get expose(): boolean {
    return true;
  }
}

/** Changing numbers, departments and settings needs the "settings" permission (admins have it). */
export async function requireSettings(deps: ApiDeps, auth: AccessClaims): Promise<void> {
  if (auth.role === 'admin') return;
  const { viewer } = await caller(deps, auth);
  if (!can(viewer, 'settings'))
    throw new ForbiddenError('Você não tem permissão para mudar as configurações.', 'FORBIDDEN');
}

async function withStats(deps: ApiDeps, n: WhatsAppNumber): Promise<ApiNumber> {
  const { hasAccessToken, hasAppSecret, hasVerifyToken, ...rest } = n;
  return {
    ...rest,
    hasToken: Boolean(hasAccessToken),
    hasAppSecret: Boolean(hasAppSecret),
    hasVerifyToken: Boolean(hasVerifyToken),
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
  await requireSettings(deps, auth);
  await checkWithMeta(deps, body.phoneNumberId, body.accessToken);
  const { accessToken, ...plain } = body;
  const id = ulid(deps.now());
  // The token first (under the new number's id, in this account's secret), then the item.
  if (accessToken) await saveNumberSecrets(deps, auth.accountId, id, { accessToken });
  try {
    const created = await createNumber(deps.ddb, deps.tableName, {
      id,
      accountId: auth.accountId,
      ...plain,
      hasAccessToken: Boolean(accessToken),
      createdAt: deps.now(),
    });
    return await withStats(deps, created);
  } catch (err) {
    if (accessToken) await forgetNumberSecrets(deps, auth.accountId, id).catch(() => undefined);
    throw err;
  }
}

export async function updateAccountNumber(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: z.infer<typeof schemas.updateNumberBodySchema>,
) {
  await requireSettings(deps, auth);
  const problems = await routingProblemsOf(deps, auth.accountId, body);
  if (problems.length)
    throw new ValidationError(
      problems.map((p) => p.message).join(' '),
      problems.map((p) => ({ path: 'routing', message: p.message })),
      'INVALID_ROUTING',
    );
  const { accessToken, appSecret, verifyToken, ...plain } = body;
  const secrets = { accessToken, appSecret, verifyToken };
  const fields = {
    ...plain,
    ...(accessToken ? { hasAccessToken: true } : {}),
    ...(appSecret ? { hasAppSecret: true } : {}),
    ...(verifyToken ? { hasVerifyToken: true } : {}),
  };
  if (!hasFields(fields)) return getAccountNumber(deps, auth, id);
  if (accessToken || appSecret || verifyToken) {
    const number = await ownNumber(deps, auth, id);
    if (accessToken) await checkWithMeta(deps, number.phoneNumberId, accessToken);
    await saveNumberSecrets(deps, auth.accountId, id, secrets);
  }
  // A new token ends the "invalid token" notice (NUM-4).
  const updated = await updateNumberFields(deps.ddb, deps.tableName, auth.accountId, id, fields, {
    clearTokenError: Boolean(accessToken),
  });
  if (!updated) throw new NotFoundError('Número não encontrado.');
  return withStats(deps, updated);
}

/**
 * Writes a number's secrets to the account's secrets in Secrets Manager: the token to
 * `credentials`, the app secret and verify token to `webhook` (what fn webhook may read).
 */
async function saveNumberSecrets(
  deps: ApiDeps,
  accountId: string,
  numberId: string,
  s: { accessToken?: string; appSecret?: string; verifyToken?: string },
) {
  if (!deps.accountSecrets) throw new Error('account secrets are not configured');
  if (s.accessToken)
    await deps.accountSecrets.update(accountId, 'credentials', (doc) => {
      doc.numbers[numberId] = { ...doc.numbers[numberId], accessToken: s.accessToken };
    });
  if (s.appSecret || s.verifyToken)
    await deps.accountSecrets.update(accountId, 'webhook', (doc) => {
      doc.numbers[numberId] = {
        ...doc.numbers[numberId],
        ...(s.appSecret ? { appSecret: s.appSecret } : {}),
        ...(s.verifyToken ? { verifyToken: s.verifyToken } : {}),
      };
    });
}

async function forgetNumberSecrets(deps: ApiDeps, accountId: string, numberId: string) {
  await deps.accountSecrets?.update(accountId, 'credentials', (doc) => {
    delete doc.numbers[numberId];
  });
}

/**
 * Asks Meta for the phone-number id with the token that will use it (the deployment's
 * when the number brings none): an id this token cannot read is refused before anything
 * is saved or claimed. Meta's codes: 190 the token, 100 an id it does not know or this
 * token may not read.
 */
async function checkWithMeta(deps: ApiDeps, phoneNumberId: string, ownToken: string | undefined) {
  if (!deps.whatsapp) return;
  const token = ownToken ?? (await deps.whatsapp.defaultToken());
  if (!token)
    throw new ValidationError(
      'Informe o token de acesso do número: sem ele não é possível confirmá-lo com a Meta.',
      [{ path: 'accessToken', message: 'Informe o token de acesso.' }],
      'WHATSAPP_TOKEN_REQUIRED',
    );
  try {
    await deps.whatsapp.graph.getPhoneNumber(phoneNumberId, token);
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    if (err.code === 190 || err.httpStatus === 401)
      throw new ValidationError(
        'A Meta recusou o token de acesso. Confira o token e tente de novo.',
        [{ path: 'accessToken', message: 'Token recusado pela Meta.' }],
        'WHATSAPP_TOKEN_INVALID',
      );
    if (err.httpStatus < 500 && !err.retryable)
      throw new ValidationError(
        'A Meta não encontrou este ID de número com este token. Confira o ID do número e o token.',
        [{ path: 'phoneNumberId', message: 'ID não encontrado na Meta com este token.' }],
        'PHONE_NUMBER_NOT_FOUND',
      );
    throw new ServiceUnavailableError(
      'Não foi possível confirmar o número com a Meta agora. Tente de novo em instantes.',
      'WHATSAPP_UNAVAILABLE',
    );
  }
}

/** What is wrong with a routing or active-routing change, against the account's departments and assistants. */
async function routingProblemsOf(
  deps: ApiDeps,
  accountId: string,
  body: z.infer<typeof schemas.updateNumberBodySchema>,
): Promise<Violation[]> {
  if (!body.routing && !body.activeRouting?.enabled) return [];
  const [departments, assistants] = await Promise.all([
    listDepartments(deps.ddb, deps.tableName, accountId),
    listAssistants(deps.ddb, deps.tableName, accountId),
  ]);
  const problems = body.routing
    ? routingProblems(body.routing, {
        departmentIds: departments.map((d) => d.id),
        assistantIds: assistants.map((a) => a.id),
      })
    : [];
  if (body.activeRouting?.enabled) {
    if (!body.activeRouting.departmentId)
      problems.push({ code: 'ACTIVE_ROUTING_DEPARTMENT', message: 'Escolha o setor das chamadas ativas.' });
    else if (!departments.some((d) => d.id === body.activeRouting!.departmentId))
      problems.push({ code: 'UNKNOWN_DEPARTMENT', message: 'O setor das chamadas ativas não existe.' });
  }
  return problems;
}

/** Whether a PATCH body carries any field. */
const hasFields = (body: Record<string, unknown>) => Object.values(body).some((v) => v !== undefined);

export async function listAccountDepartments(deps: ApiDeps, auth: AccessClaims) {
  return { items: await listDepartments(deps.ddb, deps.tableName, auth.accountId) };
}

export async function addDepartment(deps: ApiDeps, auth: AccessClaims, body: { name: string }) {
  await requireSettings(deps, auth);
  const d = await putDepartment(deps.ddb, deps.tableName, {
    id: ulid(deps.now()),
    accountId: auth.accountId,
    name: body.name,
    createdAt: deps.now(),
  });
  forgetDirectory(deps.tableName, auth.accountId);
  return d;
}

export async function renameDepartment(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: { name: string },
) {
  await requireSettings(deps, auth);
  const updated = await renameDepartmentItem(deps.ddb, deps.tableName, auth.accountId, id, body.name);
  if (!updated) throw new NotFoundError('Setor não encontrado.');
  return updated;
}

export async function listAccountAssistants(deps: ApiDeps, auth: AccessClaims) {
  return { items: (await listAssistants(deps.ddb, deps.tableName, auth.accountId)).map(toPublicAssistant) };
}

export async function getSettings(deps: ApiDeps, auth: AccessClaims) {
  const a = await getAccount(deps.ddb, deps.tableName, auth.accountId);
  return {
    name: a?.name ?? '',
    timezone: a?.timezone ?? DEFAULT_TIMEZONE,
    inactivityHours: a?.inactivityHours ?? DEFAULT_INACTIVITY_HOURS,
    readReceipts: a?.readReceipts ?? true,
    isolatedDepartments: a?.isolatedDepartments ?? false,
    outsideWindowTemplate: a?.outsideWindowTemplate ?? null,
  };
}

export async function updateSettings(
  deps: ApiDeps,
  auth: AccessClaims,
  body: z.infer<typeof schemas.updateSettingsBodySchema>,
) {
  await requireSettings(deps, auth);
  if (!hasFields(body)) return getSettings(deps, auth);
  const { outsideWindowTemplate, ...fields } = body;
  if (outsideWindowTemplate) {
    // An approved template of the account (on any of its numbers' WABAs).
    const approved = await listTemplates(deps.ddb, deps.tableName, auth.accountId, { status: 'APPROVED' });
    if (
      !approved.some(
        (t) => t.name === outsideWindowTemplate.name && t.language === outsideWindowTemplate.language,
      )
    )
      throw new ValidationError(
        'Escolha um modelo aprovado pela Meta para as mensagens fora da janela.',
        [{ path: 'outsideWindowTemplate', message: 'Modelo não encontrado ou não aprovado.' }],
        'TEMPLATE_NOT_APPROVED',
      );
  }
  let a = (await updateAccountSettings(deps.ddb, deps.tableName, auth.accountId, fields))!;
  if (outsideWindowTemplate !== undefined)
    a = await setOutsideWindowTemplate(deps.ddb, deps.tableName, auth.accountId, outsideWindowTemplate);
  return {
    name: a.name,
    timezone: a.timezone,
    readReceipts: a.readReceipts ?? true,
    inactivityHours: a.inactivityHours,
    isolatedDepartments: a.isolatedDepartments,
    outsideWindowTemplate: a.outsideWindowTemplate ?? null,
  };
}
