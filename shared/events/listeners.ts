/**
 * The listeners of the domain events (shared/events/domain-events.ts), in the order they
 * run (shared/events/emit.ts). Adding a listener — outgoing webhooks, metrics — is one
 * more entry here; the side effect itself may live in its own module.
 *
 *   timers      — the attendance's clock: armed after a customer's message (once per
 *                 attendance), the postponement's return armed, a close's pending ones
 *                 deleted. Failure: thrown (the queue redelivers, the API answers 5xx),
 *                 since a chat whose timers are missing would never close or come back.
 *   chat log    — the chat's own line for an assignment, a transfer, a postponement, a
 *                 close by an agent ("Atendimento encerrado."); answers `message.logged`.
 *                 Failure: thrown (the chat's history is part of what the action did).
 *   web push    — the agents' phones after a customer's message (INB-8). Failure: logged
 *                 (a courtesy: the inbox has the message anyway).
 *   socket push — every event agents see, in one batch per account and emission (one
 *                 post per connection: a settled send's message and chat arrive together),
 *                 each connection filtered by the inbox's visibility rule
 *                 (shared/push/push.ts). The only caller of the push outside shared/push.
 *                 Failure: logged (the inbox resynchronises on reconnect).
 */
import { armTimer, disarmConversationTimers, ensureConversationTimers } from '#shared/engine/schedules.ts';
import { forAgents } from '#shared/media/media.ts';
import { pushBestEffort } from '#shared/push/best-effort.ts';
import type { PushEvent } from '#shared/push/push.ts';
import { notifyCustomerMessage, recipientsOf } from '#shared/push/web-push.ts';
import { putMessageOnce } from '#shared/store/messages.ts';
import { messageSchema, type Conversation, type Message } from '#shared/store/types.ts';
import { accountUsers } from '#shared/store/users.ts';
import { accountOf, type DomainEvent } from './domain-events.ts';
import { createEmitter, listener, type EventDeps } from './emit.ts';

const timers = listener({
  name: 'timers',
  onFailure: 'throw',
  async handle(event, deps) {
    switch (event.type) {
      case 'message.routed':
        await ensureConversationTimers(event.conversation, deps);
        return;
      case 'conversation.postponed': {
        const c = event.conversation;
        if (deps.scheduler && c.attendanceId)
          await armTimer(
            {
              kind: 'conversation.unpostpone',
              accountId: c.accountId,
              conversationId: c.id,
              attendanceId: c.attendanceId,
              at: event.until,
            },
            deps,
          );
        return;
      }
      case 'conversation.closed':
        await disarmConversationTimers(event.conversation, deps);
        return;
    }
  },
});

const LOG_TEXT: Record<NonNullable<Message['event']>['kind'], string> = {
  agent: 'Conversa atribuída a um agente.',
  department: 'Conversa encaminhada a um setor.',
  joined: 'Um agente entrou na conversa.',
  closed: 'Atendimento encerrado.',
  postponed: 'Conversa adiada.',
};

/** The line an event writes in the chat (internal: agents see it, the customer never). */
function logLineOf(
  event: DomainEvent,
): { conv: Conversation; line: NonNullable<Message['event']> } | undefined {
  switch (event.type) {
    case 'conversation.assigned':
    case 'conversation.transferred':
      return event.log && { conv: event.conversation, line: event.log };
    case 'conversation.postponed':
      return { conv: event.conversation, line: { kind: 'postponed', by: event.by, until: event.until } };
    case 'conversation.closed':
      return event.reason === 'agent'
        ? { conv: event.previous, line: { kind: 'closed', ...(event.by ? { by: event.by } : {}) } }
        : undefined;
    default:
      return undefined;
  }
}

const chatLog = listener({
  name: 'chat-log',
  onFailure: 'throw',
  async handle(event, deps) {
    const what = logLineOf(event);
    if (!what) return;
    const { conv, line } = what;
    const message = messageSchema.parse({
      id: deps.newId(),
      accountId: conv.accountId,
      conversationId: conv.id,
      ...(conv.attendanceId ? { attendanceId: conv.attendanceId } : {}),
      direction: 'internal',
      type: 'system',
      text: LOG_TEXT[line.kind],
      status: 'received',
      sender: { type: 'system' },
      event: line,
      createdAt: deps.now(),
    });
    await putMessageOnce(deps.ddb, deps.tableName, message);
    return [{ type: 'message.logged', message }];
  },
});

const webPush = listener({
  name: 'web-push',
  onFailure: 'log',
  async handle(event, deps) {
    if (event.type !== 'message.routed' || !deps.vapid) return;
    const { conversation: conv, message } = event;
    // Once per customer message: only for the newest one (a late redelivery notifies nobody).
    if (message.id !== conv.lastCustomerMessageId) return;
    const users = () => accountUsers(deps.ddb, deps.tableName, conv.accountId, deps.now());
    const log = deps.log;
    await notifyCustomerMessage(conv, message, await recipientsOf(conv, users), {
      ddb: deps.ddb,
      tableName: deps.tableName,
      vapid: deps.vapid,
      now: deps.now,
      ...(deps.outbound ? { outbound: deps.outbound } : {}),
      ...(log ? { log: (level, msg, data) => log(level, msg, data) } : {}),
    });
  },
});

/** What agents' sockets receive for an event. */
async function framesOf(event: DomainEvent, deps: EventDeps): Promise<PushEvent[]> {
  switch (event.type) {
    case 'message.received':
      return [
        {
          type: 'message.created',
          conversationId: event.message.conversationId,
          message: await forAgents(event.message, deps),
        },
        ...(event.conversation
          ? [
              {
                type: 'conversation.updated' as const,
                conversationId: event.conversation.id,
                conversation: event.conversation,
              },
            ]
          : []),
      ];
    case 'message.created':
    case 'message.updated':
      return [
        {
          type: event.type,
          conversationId: event.message.conversationId,
          message: await forAgents(event.message, deps),
        },
      ];
    case 'message.logged':
      return [
        { type: 'message.created', conversationId: event.message.conversationId, message: event.message },
      ];
    case 'conversation.updated':
    case 'conversation.assigned':
    case 'conversation.transferred':
      // With the state before: agents who saw it and no longer do are told to drop it.
      return [
        {
          type: 'conversation.updated',
          conversationId: event.conversation.id,
          conversation: event.conversation,
          ...(event.previous ? { previous: event.previous } : {}),
        },
      ];
    case 'conversation.postponed':
    case 'conversation.unpostponed':
    case 'conversation.closed':
      return [
        {
          type: 'conversation.updated',
          conversationId: event.conversation.id,
          conversation: event.conversation,
        },
      ];
    case 'knowledge.updated':
      // No conversation: every user of the account reads knowledge bases (shared/push/frames.ts).
      return [
        {
          type: 'knowledge.updated',
          knowledgeBaseId: event.document.knowledgeBaseId,
          document: event.document,
        },
      ];
    case 'conversation.opened':
    case 'message.routed':
      return [];
  }
}

const socketPush = listener<Map<string, PushEvent[]>>({
  name: 'socket-push',
  onFailure: 'log',
  start: () => new Map(),
  async handle(event, deps, batch) {
    const frames = await framesOf(event, deps);
    if (!frames.length) return;
    const accountId = accountOf(event);
    batch.set(accountId, [...(batch.get(accountId) ?? []), ...frames]);
  },
  async flush(deps, batch) {
    for (const [accountId, events] of batch) await pushBestEffort(accountId, events, deps);
  },
});

export const listeners = [timers, chatLog, webPush, socketPush];

/** Runs every listener for the events, after the state change they describe is committed. */
export const emit = createEmitter(listeners);
