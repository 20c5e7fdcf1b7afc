/**
 * fn assistant's work: answer a conversation routed to an assistant, through the
 * AssistantPort (the AI issue plugs the real assistant in; until then the default port
 * hands the conversation to people, saying why).
 *
 * A job names the customer message that caused it. What the assistant answers is the
 * customer's messages since it last answered, from the one that routed the chat to it on,
 * without menu clicks: a chat a triage menu option handed over (the click, and the greeting
 * before the menu) gets the assistant's greeting, and its answer comes with what the
 * customer writes next. A customer asking for a person (shared/domain/intents.ts) is handed
 * over without asking the model; a hand-over always tells the customer (the assistant's
 * `transferMessage`). What the assistant sends goes through queueAutomaticMessage (a
 * template the admin chose outside the 24 h window, or a line in the chat saying why not).
 *
 * Grouping and duplicates Grouping (RT-6) and duplicates fall
 * out of two checks against the conversation as it is now:
 *   - the job's message is no longer the customer's newest → drop it (the newer message
 *     brought its own job, which answers everything since the last answer);
 *   - the conversation was already answered up to this message → drop it.
 * The answer is stored under an id derived from the job's message, so a redelivered job
 * that gets this far again stores and sends it once. What agents see of it (the tool calls,
 * the reply, the hand-over note, the chat's new state) are domain events
 * (`message.created`, `conversation.updated`) whose listeners push them.
 */
import { listMessages } from '#shared/api/inbox-queries.ts';
import { agentMessageDeps, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { wantsHuman } from '#shared/domain/intents.ts';
import { replyOf } from '#shared/engine/route.ts';
import { emit } from '#shared/events/listeners.ts';
import { queueAutomaticMessage } from '#shared/outbound/automatic-message.ts';
import { getAssistant } from '#shared/store/catalog.ts';
import { putMessageOnce } from '#shared/store/messages.ts';
import { recordAiConversationAnswer } from '#shared/store/ai.ts';
import {
  addConversationUsage as addUsageInStore,
  getConversationById,
  markAssistantAnswered,
  syncInboxKeys,
} from '#shared/store/conversations.ts';
import { getNumber } from '#shared/store/numbers.ts';
import { messageSchema, type Conversation, type Message, type WhatsAppNumber } from '#shared/store/types.ts';

// The queue's contract, shared with its producer (shared/engine/route.ts).
export { assistantJobSchema } from '#shared/contracts/jobs.ts';
import type { AssistantJob as AssistantJobInput } from '#shared/contracts/jobs.ts';
export type { AssistantJobInput };

export interface AssistantTurn {
  conversation: Conversation;
  assistantId: string;
  /** The customer's messages since the assistant last answered, oldest first. */
  pending: Message[];
}

/** A tool the assistant called, as recorded in the conversation (AI-3). */
export interface ToolTrace {
  name: string;
  arguments: string;
  result: string;
  error?: boolean;
}

/** Tokens and cost of an answer (AI-6); `offline` when no model was used. */
export type AnswerUsage = NonNullable<Message['usage']>;

export type AssistantAnswer = (
  { kind: 'reply'; text: string } | { kind: 'handover'; departmentId?: string; note: string }
) & { trace?: ToolTrace[]; usage?: AnswerUsage };

export interface AssistantPort {
  answer(turn: AssistantTurn): Promise<AssistantAnswer>;
}

/** Until assistants can answer (the AI issue), a routed conversation goes to people at once. */
export const handOverPort: AssistantPort = {
  answer: async () => ({
    kind: 'handover',
    note: 'O assistente de IA ainda não responde nesta instalação: conversa transferida para atendimento humano.',
  }),
};

export type AssistantOutcome =
  'answered' | 'greeted' | 'handed-over' | 'superseded' | 'done-before' | 'not-assistant';

/** The greeting of an assistant a triage menu option handed the chat to, unless it has its own. */
export const assistantGreeting = (name: string | undefined): string =>
  `Olá! Aqui é ${name?.trim() || 'o assistente virtual'}${name?.trim() ? ', assistente virtual' : ''}. Em que posso ajudar? Escreva sua pergunta.`;

/** What the customer is told when the assistant hands the chat to people, unless it has its own. */
export const TRANSFER_NOTICE =
  'Vou transferir você para um de nossos atendentes. Aguarde um momento, por favor.';

/** The internal note of a customer who asked for a person (no model asked). */
export const ASKED_FOR_HUMAN_NOTE = 'O cliente pediu para falar com um atendente: conversa transferida.';

/** The backup department configured for this assistant on the number (menu option or default). */
export function backupDepartmentOf(
  number: WhatsAppNumber | undefined,
  assistantId: string,
): string | undefined {
  const r = number?.routing;
  if (r?.kind === 'assistant' && r.assistantId === assistantId) return r.backupDepartmentId;
  if (r?.kind === 'menu')
    for (const o of r.menu.options)
      if (o.target.kind === 'assistant' && o.target.assistantId === assistantId)
        return o.target.backupDepartmentId;
  return undefined;
}

export async function processAssistantJob(
  job: AssistantJobInput,
  deps: EngineDeps & { port: AssistantPort },
): Promise<AssistantOutcome> {
  const conv = await getConversationById(deps.ddb, deps.tableName, job.accountId, job.conversationId);
  if (
    !conv ||
    conv.status !== 'open' ||
    conv.routingStage !== 'assistant' ||
    conv.assistantId !== job.assistantId
  )
    return 'not-assistant';
  if (conv.lastCustomerMessageId && conv.lastCustomerMessageId > job.messageId) return 'superseded';
  if (conv.assistantAnsweredId && conv.assistantAnsweredId >= job.messageId) return 'done-before';

  const recent = await listMessages(deps.ddb, deps.tableName, job.accountId, job.conversationId, {
    limit: 50,
  });
  // From the message that routed the chat to the assistant on (not the greeting before a
  // menu), without menu clicks ("Dúvidas" is not a question).
  const pending = recent.items.filter(
    (m) =>
      m.direction === 'in' &&
      (!conv.assistantAnsweredId || m.id > conv.assistantAnsweredId) &&
      (!conv.routedMessageId || m.id >= conv.routedMessageId) &&
      m.id <= job.messageId &&
      !replyOf(m),
  );
  const assistant = await getAssistant(deps.ddb, deps.tableName, job.accountId, job.assistantId);
  const qdeps = { ...deps, ...agentMessageDeps(deps) };
  const sender = { type: 'assistant' as const, id: job.assistantId };

  if (!pending.length) {
    // Handed over by a menu click: greet, and answer what the customer writes next.
    await queueAutomaticMessage(
      qdeps,
      {
        id: `${job.messageId}-a`,
        accountId: job.accountId,
        conversationId: job.conversationId,
        sender,
        text: assistant?.greeting?.trim() || assistantGreeting(assistant?.name),
      },
      conv,
    );
    let greeted = await markAnswered(conv, job.messageId, deps);
    if (greeted) greeted = await syncInboxKeys(deps.ddb, deps.tableName, greeted, deps.now());
    if (greeted) await emit([{ type: 'conversation.updated', conversation: greeted, previous: conv }], deps);
    return 'greeted';
  }

  const answer: AssistantAnswer = pending.some((m) => wantsHuman(m.text))
    ? { kind: 'handover', note: ASKED_FOR_HUMAN_NOTE }
    : await deps.port.answer({ conversation: conv, assistantId: job.assistantId, pending });

  // Each tool call and its result, for the agents (ids derived from the job: stored once).
  for (const [i, t] of (answer.trace ?? []).entries()) {
    const record = messageSchema.parse({
      id: `${job.messageId}-0${String(i).padStart(2, '0')}`, // sorts before the reply (-a)
      accountId: job.accountId,
      conversationId: job.conversationId,
      ...(conv.attendanceId ? { attendanceId: conv.attendanceId } : {}),
      direction: 'internal',
      type: 'system',
      text: `${t.name}(${t.arguments}) → ${t.result}`.slice(0, 2000),
      tool: { ...t, arguments: t.arguments.slice(0, 2000), result: t.result.slice(0, 4000) },
      status: 'received',
      sender: { type: 'assistant', id: job.assistantId },
      createdAt: deps.now(),
    });
    const { created } = await putMessageOnce(deps.ddb, deps.tableName, record);
    if (created) await emit([{ type: 'message.created', message: record }], deps);
  }

  let updated: Conversation | undefined;
  if (answer.kind === 'reply') {
    await queueAutomaticMessage(
      qdeps,
      {
        id: `${job.messageId}-a`,
        accountId: job.accountId,
        conversationId: job.conversationId,
        sender,
        text: answer.text,
        ...(answer.usage ? { usage: answer.usage } : {}),
      },
      conv,
    );
    if (answer.usage) await addConversationUsage(conv, answer.usage, `${job.messageId}-a`, deps);
    await logAiConversation(conv, job, answer, `${job.messageId}-a`, deps);
    updated = await markAnswered(conv, job.messageId, deps);
  } else {
    const number = await getNumber(deps.ddb, deps.tableName, job.accountId, conv.numberId);
    const departmentId = answer.departmentId ?? backupDepartmentOf(number, job.assistantId);
    // The customer is always told (inside the window: they just wrote).
    await queueAutomaticMessage(
      qdeps,
      {
        id: `${job.messageId}-t`,
        accountId: job.accountId,
        conversationId: job.conversationId,
        sender,
        text: assistant?.transferMessage?.trim() || TRANSFER_NOTICE,
      },
      conv,
    );
    // The note is for the agents only: an internal message, never sent to the customer.
    const note = messageSchema.parse({
      id: `${job.messageId}-h`,
      accountId: job.accountId,
      conversationId: job.conversationId,
      attendanceId: conv.attendanceId,
      direction: 'internal',
      type: 'text',
      text: answer.note,
      status: 'received',
      sender: { type: 'assistant', id: job.assistantId },
      createdAt: deps.now(),
    });
    const { created } = await putMessageOnce(deps.ddb, deps.tableName, note);
    if (created) await emit([{ type: 'message.created', message: note }], deps);
    if (answer.usage) await addConversationUsage(conv, answer.usage, `${job.messageId}-h`, deps);
    await logAiConversation(conv, job, answer, `${job.messageId}-h`, deps);
    updated = await markAnswered(conv, job.messageId, deps, { departmentId });
  }
  if (updated) updated = await syncInboxKeys(deps.ddb, deps.tableName, updated, deps.now());
  // With the state before: agents who saw it and no longer do (a hand-over) are told to drop it.
  if (updated) await emit([{ type: 'conversation.updated', conversation: updated, previous: conv }], deps);
  return answer.kind === 'reply' ? 'answered' : 'handed-over';
}

/** The assistant conversations list (MET-1): one item per attendance, totals added once per answer. */
async function logAiConversation(
  conv: Conversation,
  job: AssistantJobInput,
  answer: AssistantAnswer,
  answerId: string,
  deps: EngineDeps,
): Promise<void> {
  await recordAiConversationAnswer(deps.ddb, deps.tableName, {
    conversation: conv,
    assistantId: job.assistantId,
    outcome: answer.kind === 'reply' ? 'answering' : 'handed-over',
    answerId,
    replies: answer.kind === 'reply' ? 1 : 0,
    toolCalls: answer.trace?.length ?? 0,
    ...(answer.usage ? { usage: answer.usage } : {}),
    now: deps.now(),
  });
}

/** Adds an answer's tokens and cost to the conversation's totals, once per answer. */
async function addConversationUsage(
  conv: Conversation,
  usage: AnswerUsage,
  answerId: string,
  deps: EngineDeps,
): Promise<void> {
  await addUsageInStore(deps.ddb, deps.tableName, conv, usage, answerId);
}

async function markAnswered(
  conv: Conversation,
  messageId: string,
  deps: EngineDeps,
  handover?: { departmentId?: string },
): Promise<Conversation | undefined> {
  return markAssistantAnswered(deps.ddb, deps.tableName, conv, messageId, handover);
}
