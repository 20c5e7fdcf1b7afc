/**
 * Message templates (MSG-5) and the business-started chat (INB-12, WIN-1, RT-5): the list
 * for the picker, a create sent to Meta (settings permission), a sync with Meta, sending a
 * template in a chat (also outside the 24 h window), and a new chat with a phone that
 * starts with a template. Every template and number is the caller's account's: another
 * account's is a 404. Graph is called with the number's own token, or the deployment's.
 */
import type { AccessClaims } from '#shared/auth/tokens.ts';
import {
  AppError,
  ConflictError,
  ConversationExistsError,
  NotFoundError,
  ValidationError,
} from '#shared/errors.ts';
import { typedPhone } from '#shared/domain/phone.ts';
import {
  buildTemplateSend,
  renderTemplateText,
  templateFromGraph,
  templateParameters,
  validateTemplateCreate,
  type Template,
  type TemplateCreate,
  type TemplateValues,
} from '#shared/domain/templates.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import { numberAccessToken } from '#shared/secrets/account-secrets.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { findContactByPhone, getContact, newContact } from '#shared/store/contacts.ts';
import {
  closeConversation,
  findConversation,
  markStartedByBusiness,
  openConversation,
} from '#shared/store/conversations.ts';
import { getNumber, listNumbers } from '#shared/store/numbers.ts';
import { getTemplate, listTemplates, putTemplate, replaceWabaTemplates } from '#shared/store/templates.ts';
import { DEFAULT_TIMEZONE, type Message, type WhatsAppNumber } from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import type { ApiDeps } from './api-deps.ts';
import { afterAgentReply, caller, visibleConversation } from './conversations-service.ts';
import { requireSettings } from './integrations-service.ts';

/** A template as the API shows it: with the parameters a send needs and its plain text. */
export type ApiTemplate = Template & {
  parameters: ReturnType<typeof templateParameters>;
  preview: string;
};
const toApi = (t: Template): ApiTemplate => ({
  ...t,
  parameters: templateParameters(t),
  preview: renderTemplateText(t),
});

/** Meta could not be reached (network, 5xx): 503 with a message the user reads. */
class MetaUnavailableError extends AppError {
  constructor() {
    super(
      503,
      'WHATSAPP_UNAVAILABLE',
      'Não foi possível falar com a Meta agora. Tente de novo em instantes.',
    );
  }
  override get expose(): boolean {
    return true;
  }
}

async function numberOf(deps: ApiDeps, accountId: string, numberId: string): Promise<WhatsAppNumber> {
  const number = await getNumber(deps.ddb, deps.tableName, accountId, numberId);
  // NOT_FOUND as for any other account's id (the cross-account test checks the code).
  if (!number) throw new NotFoundError('Número não encontrado.');
  return number;
}

/** The number's own Graph token, or the deployment's. */
async function tokenOf(deps: ApiDeps, number: WhatsAppNumber): Promise<string> {
  const own = deps.accountSecrets ? await numberAccessToken(deps.accountSecrets, number) : undefined;
  const token = own ?? (await deps.whatsapp?.defaultToken());
  if (!token || !deps.whatsapp)
    throw new ValidationError(
      'Este número não tem token de acesso da Meta.',
      undefined,
      'WHATSAPP_TOKEN_REQUIRED',
    );
  return token;
}

/** A Graph refusal as the user reads it: Meta's own text for 4xx, 503 when Meta could not answer. */
function fromGraph(err: unknown): never {
  if (!(err instanceof GraphApiError)) throw err;
  if (err.httpStatus >= 500 || err.retryable) throw new MetaUnavailableError();
  if (err.code === 190)
    throw new ValidationError(
      'A Meta recusou o token de acesso do número.',
      undefined,
      'WHATSAPP_TOKEN_INVALID',
    );
  throw new ValidationError(`A Meta recusou o pedido: ${err.message}`, undefined, 'TEMPLATE_REFUSED_BY_META');
}

export async function listAccountTemplates(
  deps: ApiDeps,
  auth: AccessClaims,
  query: { numberId?: string; status?: Template['status'] },
): Promise<{ items: ApiTemplate[] }> {
  const wabaId = query.numberId ? (await numberOf(deps, auth.accountId, query.numberId)).wabaId : undefined;
  const items = await listTemplates(deps.ddb, deps.tableName, auth.accountId, {
    ...(wabaId ? { wabaId } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  return { items: items.map(toApi) };
}

/** Sends the template to Meta for review (settings permission); stored as Meta answers (PENDING). */
export async function createTemplate(
  deps: ApiDeps,
  auth: AccessClaims,
  body: TemplateCreate & { numberId: string },
): Promise<ApiTemplate> {
  await requireSettings(deps, auth);
  const { numberId, ...request } = body;
  validateTemplateCreate(request);
  const number = await numberOf(deps, auth.accountId, numberId);
  const token = await tokenOf(deps, number);
  const graph = deps.whatsapp!.graph;
  if (!graph.createTemplate) throw new MetaUnavailableError();
  const created = await graph.createTemplate(number.wabaId, token, request).catch(fromGraph);
  const template = templateFromGraph(
    {
      ...request,
      id: created.id,
      status: created.status ?? 'PENDING',
      category: created.category ?? request.category,
    },
    { accountId: auth.accountId, wabaId: number.wabaId, now: deps.now() },
  );
  if (!template) throw new MetaUnavailableError();
  await putTemplate(deps.ddb, deps.tableName, template);
  return toApi(template);
}

/**
 * Reads the WABA's templates from Meta (every page) and stores them as listed: what Meta
 * no longer has goes. One sync per WABA: given a number, its WABA (Meta's refusal is the
 * answer); else every WABA of the account's numbers, a WABA Meta refuses (a number's
 * token revoked…) listed in `failed` while the others sync.
 */
export async function syncTemplates(
  deps: ApiDeps,
  auth: AccessClaims,
  body: { numberId?: string },
): Promise<{
  items: ApiTemplate[];
  removed: number;
  failed?: { numberId: string; code: string; message: string }[];
}> {
  const numbers = body.numberId
    ? [await numberOf(deps, auth.accountId, body.numberId)]
    : await listNumbers(deps.ddb, deps.tableName, auth.accountId);
  const byWaba = new Map<string, WhatsAppNumber>();
  for (const n of numbers) if (!byWaba.has(n.wabaId)) byWaba.set(n.wabaId, n);
  let removed = 0;
  const failed: { numberId: string; code: string; message: string }[] = [];
  for (const [wabaId, number] of byWaba) {
    try {
      removed += await syncWaba(deps, auth.accountId, wabaId, number);
    } catch (err) {
      if (body.numberId || !(err instanceof AppError) || err.statusCode >= 500) throw err;
      failed.push({ numberId: number.id, code: err.code, message: err.message });
      byWaba.delete(wabaId);
    }
  }
  const items = (await listTemplates(deps.ddb, deps.tableName, auth.accountId)).filter((t) =>
    byWaba.has(t.wabaId),
  );
  return { items: items.map(toApi), removed, ...(failed.length ? { failed } : {}) };
}

/** One WABA's sync; how many stored templates Meta no longer lists were removed. */
async function syncWaba(
  deps: ApiDeps,
  accountId: string,
  wabaId: string,
  number: WhatsAppNumber,
): Promise<number> {
  const token = await tokenOf(deps, number);
  const graph = deps.whatsapp!.graph;
  if (!graph.listTemplates) throw new MetaUnavailableError();
  const raw: Record<string, unknown>[] = [];
  let after: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await graph.listTemplates(wabaId, token, after).catch(fromGraph);
    raw.push(...res.data);
    after = res.after;
    if (!after) break;
  }
  const now = deps.now();
  const templates = raw.flatMap((r) => {
    const t = templateFromGraph(r, { accountId, wabaId, now });
    return t ? [t] : [];
  });
  return (await replaceWabaTemplates(deps.ddb, deps.tableName, accountId, wabaId, templates)).removed;
}

/** The approved template of the number's WABA, and its send object for these values. */
async function approvedTemplate(
  deps: ApiDeps,
  accountId: string,
  number: WhatsAppNumber,
  templateId: string,
  values: TemplateValues,
): Promise<NonNullable<Message['template']> & { text: string }> {
  const t = await getTemplate(deps.ddb, deps.tableName, accountId, number.wabaId, templateId);
  if (!t) throw new NotFoundError('Modelo não encontrado para este número.');
  if (t.status !== 'APPROVED')
    throw new ConflictError(
      'Este modelo ainda não foi aprovado pela Meta (ou foi pausado/rejeitado).',
      'TEMPLATE_NOT_APPROVED',
    );
  const send = buildTemplateSend(t, values);
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    send,
    text: renderTemplateText(t, values),
  };
}

/**
 * A template in a chat (MSG-5): allowed when the window is closed (WIN-1); shown in the
 * chat as its text. A closed conversation is opened again first (a new attendance and
 * protocol, started by the business: WIN-1, RT-5). The conversation becomes the agent's
 * as any reply does.
 */
export async function sendTemplateMessage(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  body: { templateId: string; values: TemplateValues; clientId?: string },
): Promise<Message> {
  const visible = await visibleConversation(deps, auth, conversationId);
  const { user } = visible;
  let { conversation } = visible;
  const number = await numberOf(deps, auth.accountId, conversation.numberId);
  const { text, ...template } = await approvedTemplate(
    deps,
    auth.accountId,
    number,
    body.templateId,
    body.values,
  );
  if (conversation.status === 'closed') {
    const account = await getAccount(deps.ddb, deps.tableName, auth.accountId);
    const contact = (await getContact(deps.ddb, deps.tableName, auth.accountId, conversation.contactId)) ?? {
      id: conversation.contactId,
      accountId: auth.accountId,
      name: conversation.contactName,
      createdAt: conversation.createdAt,
    };
    const opened = await openConversation(deps.ddb, deps.tableName, {
      number,
      contact,
      existing: conversation,
      newId: deps.newId,
      now: deps.now(),
      timeZone: account?.timezone ?? DEFAULT_TIMEZONE,
    });
    conversation = opened.conversation;
    if (opened.opened === 'reopened' && conversation.attendanceId) {
      await markStartedByBusiness(deps.ddb, deps.tableName, conversation, conversation.attendanceId);
      conversation = { ...conversation, startedBy: 'business' };
    }
  }
  const message = await queueAgentMessage(deps, {
    accountId: auth.accountId,
    conversationId,
    sender: { type: 'agent', id: auth.userId, name: user.name },
    text,
    template,
    ...(body.clientId ? { clientId: body.clientId } : {}),
  });
  await afterAgentReply(deps, conversation, auth.userId);
  return message;
}

/**
 * New chat (INB-12): a template to a phone on one of the account's numbers. The phone is
 * read as typed (Brazilian formats, or `+` and a country code). A contact that already has
 * a conversation on that number answers 409 CONVERSATION_EXISTS with its id ("Conversa já
 * existente"). Otherwise the contact (if new) and its conversation are created, marked as
 * started by the business, and the template is queued. With `openAttendance` the chat
 * stays open: with the number's active routing on (RT-5) it waits unassigned, so the
 * customer's reply goes to the active-routing department; without it the chat is the
 * caller's. Without `openAttendance` the attendance is closed at once (the message stays
 * in its history) and a reply opens one as any customer's message does.
 */
export async function startConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  body: {
    numberId: string;
    phone: string;
    name?: string;
    templateId: string;
    values: TemplateValues;
    openAttendance: boolean;
  },
): Promise<{ conversationId: string; message: Message }> {
  const { user } = await caller(deps, auth);
  const number = await numberOf(deps, auth.accountId, body.numberId);
  const phone = typedPhone(body.phone);
  if (!phone)
    throw new ValidationError(
      'Telefone inválido. Use DDD e número (ex.: 11 98888-7777) ou + e o código do país.',
      [{ path: 'phone', message: 'Telefone inválido.' }],
      'INVALID_PHONE',
    );
  // Checked before anything is written: an unknown or unapproved template creates nothing.
  const { text, ...template } = await approvedTemplate(
    deps,
    auth.accountId,
    number,
    body.templateId,
    body.values,
  );
  const known = await findContactByPhone(deps.ddb, deps.tableName, auth.accountId, phone);
  const existing = known
    ? await findConversation(deps.ddb, deps.tableName, auth.accountId, number.id, known.id)
    : undefined;
  if (existing) throw new ConversationExistsError(existing.id);
  const now = deps.now();
  const account = await getAccount(deps.ddb, deps.tableName, auth.accountId);
  const contact =
    known ??
    newContact(
      auth.accountId,
      { waId: phone, ...(body.name?.trim() ? { name: body.name.trim() } : {}) },
      deps.newId(),
      now,
    );
  const opened = await openConversation(deps.ddb, deps.tableName, {
    number,
    contact,
    contactIsNew: !known,
    newId: deps.newId,
    now,
    timeZone: account?.timezone ?? DEFAULT_TIMEZONE,
  });
  const conv = opened.conversation;
  if (opened.opened !== 'created')
    // Another request created this thread meanwhile.
    throw new ConversationExistsError(conv.id);
  await markStartedByBusiness(deps.ddb, deps.tableName, conv, conv.attendanceId!);
  const message = await queueAgentMessage(deps, {
    accountId: auth.accountId,
    conversationId: conv.id,
    sender: { type: 'agent', id: auth.userId, name: user.name },
    text,
    template,
  });
  if (!body.openAttendance)
    await closeConversation(deps.ddb, deps.tableName, conv, conv.attendanceId!, deps.now(), 'agent');
  else if (!(number.activeRouting?.enabled && number.activeRouting.departmentId))
    await afterAgentReply(deps, { ...conv, startedBy: 'business' }, auth.userId);
  return { conversationId: conv.id, message };
}
