/**
 * The inbox: views, counts and search; one conversation; what agents do to it (assign,
 * close, postpone, mark read/unread/answered, reactivate the bot). Everything is scoped to
 * the caller's account (from the token) and to what the caller may see (INB-1 visibility):
 * another account's id, or a chat of a department the caller may not see, is a 404.
 */
import type { AccessClaims } from '#shared/auth/tokens.ts';
import {
  assign,
  canSee,
  checkPostpone,
  type AssignmentEvent,
  type ChatState,
  type Viewer,
} from '#shared/domain/inbox.ts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '#shared/errors.ts';
import { emit } from '#shared/events/listeners.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { rearmNotification } from '#shared/push/web-push.ts';
import { isolatedDepartments } from '#shared/store/accounts.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import {
  closeConversation,
  getConversationById,
  markConversationAnswered,
  markConversationRead,
  renameConversationContact,
  setConversationFlags,
  writeChatState as writeChatStateInStore,
  type ConversationFlags,
} from '#shared/store/conversations.ts';
import { chatStateOf, normalizeText, putSearchTerms } from '#shared/store/inbox.ts';
import { findLastCustomerMessage } from '#shared/store/messages.ts';
import { getUser, markUserUsed } from '#shared/store/users.ts';
import { type Conversation, type User } from '#shared/store/types.ts';
import { enqueueOutbound } from '#shared/contracts/outbound-queue.ts';
import type { ApiDeps } from './api-deps.ts';
import { listMessages } from './inbox-queries.ts';
import { listView, searchView, viewCounts, type ListViewInput } from './inbox-views.ts';

const notFound = () => new NotFoundError('Conversa não encontrada.', 'NOT_FOUND');

export interface CallerContext {
  user: User;
  viewer: Viewer;
}

/**
 * The caller as the inbox rules see them (role, departments, permissions, read per
 * request; the account's "Setores isolados", cached a few seconds).
 */
export async function caller(deps: ApiDeps, auth: AccessClaims): Promise<CallerContext> {
  const [user, isolated] = await Promise.all([
    getUser(deps.ddb, deps.tableName, auth.accountId, auth.userId),
    isolatedDepartments(deps.ddb, deps.tableName, auth.accountId, deps.now()),
  ]);
  if (!user) throw new UnauthorizedError();
  return {
    user,
    viewer: {
      userId: user.id,
      role: user.role,
      departmentIds: user.departmentIds,
      ...(user.permissions ? { permissions: user.permissions } : {}),
      ...(isolated ? { isolated } : {}),
    },
  };
}

/** The conversation, if it is the caller's account's and the caller may see it; 404 otherwise. */
export async function visibleConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
): Promise<{ conversation: Conversation } & CallerContext> {
  const [ctx, conversation] = await Promise.all([
    caller(deps, auth),
    getConversationById(deps.ddb, deps.tableName, auth.accountId, id),
  ]);
  if (!conversation || !canSee(ctx.viewer, conversation)) throw notFound();
  return { conversation, ...ctx };
}

export async function listInbox(deps: ApiDeps, auth: AccessClaims, query: ListViewInput) {
  const { viewer } = await caller(deps, auth);
  const now = deps.now();
  return query.q?.trim()
    ? searchView(deps.ddb, deps.tableName, auth.accountId, viewer, { ...query, q: query.q }, now)
    : listView(deps.ddb, deps.tableName, auth.accountId, viewer, query, now);
}

export async function inboxCounts(deps: ApiDeps, auth: AccessClaims) {
  const { viewer } = await caller(deps, auth);
  return viewCounts(deps.ddb, deps.tableName, auth.accountId, viewer, deps.now());
}

export async function getOwnConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
): Promise<Conversation> {
  return (await visibleConversation(deps, auth, id)).conversation;
}

/**
 * Unread goes to 0 (and an agent's "unread" mark goes), and if there was something
 * unread and the account sends read receipts (its setting, on unless turned off), WhatsApp
 * is told the last customer message was read (blue ticks) through the outbound queue (the
 * only Graph API caller).
 */
export async function markRead(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Conversation> {
  await visibleConversation(deps, auth, id);
  // The agent opened the chat: this contact's next message notifies their phone again.
  await rearmNotification(deps, auth.accountId, id, auth.userId);
  const before = await markConversationRead(deps.ddb, deps.tableName, auth.accountId, id);
  if (!before) throw notFound();
  if (
    before.unread > 0 &&
    deps.outboundQueueUrl &&
    (await getAccount(deps.ddb, deps.tableName, auth.accountId))?.readReceipts !== false
  ) {
    const last = await findLastCustomerMessage(deps.ddb, deps.tableName, auth.accountId, id);
    if (last?.wamid) {
      await enqueueOutbound(
        deps.sqs,
        deps.outboundQueueUrl,
        { kind: 'markRead', accountId: auth.accountId, numberId: before.numberId, wamid: last.wamid },
        { MessageGroupId: id, MessageDeduplicationId: `read-${last.id}` },
      );
    }
  }
  const { markedUnread: _m, ...rest } = before;
  const after = { ...rest, unread: 0 };
  if (before.unread > 0 || before.markedUnread)
    await emit([{ type: 'conversation.updated', conversation: after }], deps);
  return after;
}

/** Sets simple flags (unread mark, answered) and tells the other agents. */
async function setFlags(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  update: ConversationFlags,
): Promise<Conversation> {
  await visibleConversation(deps, auth, id);
  const conversation = await setConversationFlags(deps.ddb, deps.tableName, auth.accountId, id, update);
  if (!conversation) throw notFound();
  await emit([{ type: 'conversation.updated', conversation }], deps);
  return conversation;
}

export const markUnread = (deps: ApiDeps, auth: AccessClaims, id: string) =>
  setFlags(deps, auth, id, { set: { markedUnread: true } });

export const markAnswered = (deps: ApiDeps, auth: AccessClaims, id: string, answered: boolean) =>
  setFlags(deps, auth, id, { set: { answered } });

// ── assignment ─────────────────────────────────────────────────────────────────────────

/**
 * Writes a new chat state (agent, department, postponement; people take over from the
 * automation) and its inbox bucket in one update, conditional on the state it was
 * computed from. Undefined when someone changed the chat meanwhile.
 */
async function writeChatState(
  deps: ApiDeps,
  conv: Conversation,
  next: ChatState,
  extra: Partial<Pick<Conversation, 'answered' | 'routingStage'>> = {},
): Promise<Conversation | undefined> {
  return writeChatStateInStore(deps.ddb, deps.tableName, conv, next, deps.now(), extra);
}

/**
 * Applies an assignment event (shared/domain/inbox.ts assign) to the conversation as it is
 * now, retrying when it changed meanwhile; logs and pushes what changed.
 */
async function applyAssignment(
  deps: ApiDeps,
  conv: Conversation,
  event: AssignmentEvent,
  extra?: Partial<Pick<Conversation, 'answered' | 'routingStage'>>,
): Promise<{ conversation: Conversation; changed: boolean }> {
  let current = conv;
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = assign(chatStateOf(current), event);
    if (!result.ok)
      throw result.reason === 'closed'
        ? new ConflictError('O atendimento está encerrado.', 'CONVERSATION_CLOSED')
        : new ConflictError('A conversa já tem um agente. Confirme para substituir.', 'CONFIRM_REPLACE');
    if (!result.changed && !extra) return { conversation: current, changed: false };
    const updated = await writeChatState(deps, current, result.chat, extra);
    if (updated) {
      // The chat log's line and the push (agents who saw it before and no longer do are
      // told to drop it): shared/events/listeners.ts.
      await emit(
        [
          {
            type: event.kind === 'toDepartment' ? 'conversation.transferred' : 'conversation.assigned',
            conversation: updated,
            previous: current,
            ...(result.changed && result.log ? { log: result.log } : {}),
          },
        ],
        deps,
      );
      return { conversation: updated, changed: result.changed };
    }
    const fresh = await getConversationById(deps.ddb, deps.tableName, conv.accountId, conv.id);
    if (!fresh) throw notFound();
    current = fresh;
  }
  throw new ConflictError('A conversa mudou enquanto era atribuída. Tente de novo.', 'CONCURRENT_CHANGE');
}

export async function assignConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  body: { agentId?: string; departmentId?: string; confirmReplace?: boolean },
): Promise<Conversation> {
  const { conversation } = await visibleConversation(deps, auth, id);
  let event: AssignmentEvent;
  if (body.agentId) {
    const agent = await getUser(deps.ddb, deps.tableName, auth.accountId, body.agentId);
    if (!agent) throw new ValidationError('Agente não encontrado.', undefined, 'UNKNOWN_AGENT');
    if (agent.deactivatedAt)
      throw new ValidationError('Este usuário está desativado.', undefined, 'USER_DEACTIVATED');
    // From its first chat on, a user has history: deactivation only, no deletion.
    await markUserUsed(deps.ddb, deps.tableName, agent);
    event = {
      kind: 'toAgent',
      agentId: agent.id,
      by: auth.userId,
      confirmReplace: body.confirmReplace ?? false,
    };
  } else if (body.departmentId) {
    const departments = await listDepartments(deps.ddb, deps.tableName, auth.accountId);
    if (!departments.some((d) => d.id === body.departmentId))
      throw new ValidationError('Setor não encontrado.', undefined, 'UNKNOWN_DEPARTMENT');
    event = { kind: 'toDepartment', departmentId: body.departmentId, by: auth.userId };
  } else throw new ValidationError('Informe um agente ou um setor.', undefined, 'MISSING_TARGET');
  return (await applyAssignment(deps, conversation, event)).conversation;
}

/**
 * An agent's reply (INB-2): an unassigned chat becomes theirs (a department stays); a chat
 * with an agent keeps it. Either way it is answered now.
 */
export async function afterAgentReply(deps: ApiDeps, conv: Conversation, agentId: string): Promise<void> {
  if (conv.status !== 'open') return;
  if (!conv.agentId) {
    await applyAssignment(deps, conv, { kind: 'agentReplied', agentId }, { answered: true });
    return;
  }
  if (conv.answered !== true) await markConversationAnswered(deps.ddb, deps.tableName, conv);
}

/** Close now: no agent, no department, the attendance ends; its timers go. */
export async function closeNow(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Conversation> {
  const { conversation } = await visibleConversation(deps, auth, id);
  if (conversation.status !== 'open' || !conversation.attendanceId)
    throw new ConflictError('O atendimento já está encerrado.', 'CONVERSATION_CLOSED');
  const closed = await closeConversation(
    deps.ddb,
    deps.tableName,
    conversation,
    conversation.attendanceId,
    deps.now(),
    'agent',
  );
  if (!closed) throw new ConflictError('A conversa mudou. Tente de novo.', 'CONCURRENT_CHANGE');
  // Its pending timers go, the chat log says so, agents see it (shared/events/listeners.ts).
  await emit(
    [
      {
        type: 'conversation.closed',
        conversation: closed,
        previous: conversation,
        reason: 'agent',
        by: auth.userId,
      },
    ],
    deps,
  );
  return closed;
}

/** INB-9: out of the open lists until `until`, back by a one-time schedule (or a customer message). */
export async function postpone(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  until: number,
): Promise<{ conversation: Conversation; warnWindow: boolean }> {
  const { conversation } = await visibleConversation(deps, auth, id);
  const now = deps.now();
  const check = checkPostpone(
    {
      closed: conversation.status !== 'open',
      ...(conversation.windowExpiresAt ? { windowExpiresAt: conversation.windowExpiresAt } : {}),
    },
    until,
    now,
  );
  if (!check.ok) {
    if (check.reason === 'closed')
      throw new ConflictError('O atendimento está encerrado.', 'CONVERSATION_CLOSED');
    throw new ValidationError(
      check.reason === 'past' ? 'Escolha uma data e hora no futuro.' : 'Adie por no máximo 90 dias.',
      undefined,
      'INVALID_POSTPONE',
    );
  }
  const updated = await writeChatState(deps, conversation, {
    ...chatStateOf(conversation),
    postponedUntil: until,
  });
  if (!updated) throw new ConflictError('A conversa mudou. Tente de novo.', 'CONCURRENT_CHANGE');
  // The schedule that brings it back, the chat log's line, the push (shared/events/listeners.ts).
  await emit([{ type: 'conversation.postponed', conversation: updated, until, by: auth.userId }], deps);
  return { conversation: updated, warnWindow: check.warnWindow };
}

/**
 * INB-10: the automation takes the chat again — people let go, and the customer's next
 * message is routed by the number's default (menu, assistant, department) as on opening.
 */
/**
 * The agent's name for the contact (reference 003: the name edit in the chat header): shown
 * in the list, the header and search; the WhatsApp profile name is kept apart and no
 * longer overwrites it.
 */
export async function renameContact(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  name: string,
): Promise<Conversation> {
  await visibleConversation(deps, auth, id);
  const updated = await renameConversationContact(deps.ddb, deps.tableName, auth.accountId, id, name);
  if (!updated) throw notFound();
  await putSearchTerms(deps.ddb, deps.tableName, updated);
  await emit([{ type: 'conversation.updated', conversation: updated }], deps);
  return updated;
}

export async function reactivateBot(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Conversation> {
  const { conversation } = await visibleConversation(deps, auth, id);
  if (conversation.status !== 'open')
    throw new ConflictError('O atendimento está encerrado.', 'CONVERSATION_CLOSED');
  const updated = await writeChatState(deps, conversation, { closed: false }, { routingStage: 'new' });
  if (!updated) throw new ConflictError('A conversa mudou. Tente de novo.', 'CONCURRENT_CHANGE');
  await emit([{ type: 'conversation.updated', conversation: updated }], deps);
  return updated;
}

/**
 * The chat's Chatbot switch turned off: the automation (triage menu, assistant, the
 * number's routing of the next message) lets go and people hold the chat, which shows in
 * Todos and Abertos (shared/domain/inbox.ts); "Reativar automação" (reactivateBot) turns it
 * back on. Already off: unchanged.
 */
export async function stopBot(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Conversation> {
  const { conversation } = await visibleConversation(deps, auth, id);
  if (conversation.status !== 'open')
    throw new ConflictError('O atendimento está encerrado.', 'CONVERSATION_CLOSED');
  if (conversation.routingStage === 'people') return conversation;
  const state = chatStateOf(conversation);
  // A running bot is switched off by the state write itself (it drops the assistant); a
  // chat not yet routed is marked held by people so the next message is not routed.
  const updated =
    state.bot === 'running'
      ? await writeChatState(deps, conversation, { ...state, bot: 'off' })
      : await writeChatState(deps, conversation, state, { routingStage: 'people' });
  if (!updated) throw new ConflictError('A conversa mudou. Tente de novo.', 'CONCURRENT_CHANGE');
  await emit([{ type: 'conversation.updated', conversation: updated }], deps);
  return updated;
}

// ── search inside a conversation (INB-5) ───────────────────────────────────────────────

const MAX_SCANNED = 5000;

export async function searchMessages(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
  q: string,
): Promise<{ items: { id: string; text: string; createdAt: number }[] }> {
  await visibleConversation(deps, auth, id);
  const needle = normalizeText(q);
  if (!needle) return { items: [] };
  const items: { id: string; text: string; createdAt: number }[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await listMessages(deps.ddb, deps.tableName, auth.accountId, id, { limit: 100, cursor });
    scanned += page.items.length;
    for (const m of [...page.items].reverse())
      if (m.text && normalizeText(m.text).includes(needle))
        items.push({ id: m.id, text: m.text, createdAt: m.createdAt });
    cursor = page.nextCursor;
  } while (cursor && scanned < MAX_SCANNED && items.length < 50);
  return { items };
}
