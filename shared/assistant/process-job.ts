/**
 * fn assistant's work: answer a conversation routed to an assistant, through the
 * AssistantPort (the AI issue plugs the real assistant in; until then the default port
 * hands the conversation to people, saying why).
 *
 * A job names the customer message that caused it. Grouping (RT-6) and duplicates fall
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
import { emit } from '#shared/events/listeners.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
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

export type AssistantOutcome = 'answered' | 'handed-over' | 'superseded' | 'done-before' | 'not-assistant';

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
  const pending = recent.items.filter(
    (m) =>
      m.direction === 'in' &&
      (!conv.assistantAnsweredId || m.id > conv.assistantAnsweredId) &&
      m.id <= job.messageId,
  );
  const answer = await deps.port.answer({ conversation: conv, assistantId: job.assistantId, pending });
  const qdeps = agentMessageDeps(deps);

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
    await queueAgentMessage(qdeps, {
      id: `${job.messageId}-a`,
      accountId: job.accountId,
      conversationId: job.conversationId,
      sender: { type: 'assistant', id: job.assistantId },
      text: answer.text,
      ...(answer.usage ? { usage: answer.usage } : {}),
    });
    if (answer.usage) await addConversationUsage(conv, answer.usage, `${job.messageId}-a`, deps);
    await logAiConversation(conv, job, answer, `${job.messageId}-a`, deps);
    updated = await markAnswered(conv, job.messageId, deps);
  } else {
    const number = await getNumber(deps.ddb, deps.tableName, job.accountId, conv.numberId);
    const departmentId = answer.departmentId ?? backupDepartmentOf(number, job.assistantId);
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
