/**
 * Carries out the routing decision (shared/domain/routing.ts) for a customer's message,
 * once per message even across redeliveries:
 *
 *   1. side effects with ids derived from the customer's message (`<id>-1`, `<id>-2`):
 *      the polite apology and the triage menu, the department's automatic message —
 *      stored once, sent once (queue dedup + the sender's status check); outside the 24 h
 *      window as the admin's chosen template, or a line in the chat saying why not
 *      (shared/outbound/automatic-message.ts);
 *   2. the conversation's routing state, conditional on `routedMessageId` (applied once);
 *   3. for an assistant, its job, delayed when the number groups quick messages (RT-6) —
 *      after 2, so the job never finds the chat not yet the assistant's.
 *
 * A crash between 1 and 2 replays 1 with the same ids; between 2 and 3, a redelivery
 * sees its own `routedMessageId` and sends the job. The assistant drops a job whose
 * message is no longer the customer's newest (a newer message brought its own job), which
 * is how grouping works without any function waiting.
 */
import {
  decideRouting,
  menuInteractive,
  stateAfter,
  type RoutingDecision,
  type RoutingState,
} from '#shared/domain/routing.ts';
import { queueAutomaticMessage } from '#shared/outbound/automatic-message.ts';
import { listAssistants } from '#shared/store/catalog.ts';
import { routeConversation, type RoutingWrite } from '#shared/store/conversations.ts';
import type { Conversation, Message, WhatsAppNumber } from '#shared/store/types.ts';
import { agentMessageDeps, type EngineDeps } from './engine-deps.ts';
import { accountSettings } from './settings.ts';

import { enqueueAssistant, type AssistantJob } from '#shared/contracts/jobs.ts';
export type { AssistantJob } from '#shared/contracts/jobs.ts';

function stateOf(conv: Conversation): RoutingState {
  switch (conv.routingStage) {
    case 'menu':
      return { stage: 'menu' };
    case 'people':
      return { stage: 'people' };
    case 'assistant':
      return conv.assistantId ? { stage: 'assistant', assistantId: conv.assistantId } : { stage: 'new' };
    default:
      return { stage: 'new' };
  }
}

/** The option a customer picked in a list or with a button, if the message is one. */
export function replyOf(message: Message): { id: string; title?: string } | undefined {
  const i = message.interactive as
    | {
        list_reply?: { id?: string; title?: string };
        button_reply?: { id?: string; title?: string };
      }
    | undefined;
  const r = i?.list_reply ?? i?.button_reply;
  if (r?.id) return { id: r.id, ...(r.title ? { title: r.title } : {}) };
  return undefined;
}

function needsAssistants(number: WhatsAppNumber): boolean {
  const r = number.routing;
  return (
    r.kind === 'assistant' || (r.kind === 'menu' && r.menu.options.some((o) => o.target.kind === 'assistant'))
  );
}

export async function routeCustomerMessage(
  number: WhatsAppNumber,
  conv: Conversation,
  message: Message,
  deps: EngineDeps,
): Promise<{ decision: RoutingDecision; conversation?: Conversation } | undefined> {
  if (conv.status !== 'open') return undefined;
  if (conv.routedMessageId && conv.routedMessageId > message.id) return undefined;
  if (conv.routedMessageId === message.id) {
    // A redelivery after the routing state was written: the assistant's job is sent after
    // that write, so a crash between the two left it unsent; sending it again is harmless
    // (fn assistant drops a job that was answered).
    if (
      conv.routingStage === 'assistant' &&
      conv.assistantId &&
      !(conv.assistantAnsweredId && conv.assistantAnsweredId >= message.id)
    )
      await sendAssistantJob(number, conv, conv.assistantId, message, deps);
    return undefined;
  }
  const state = stateOf(conv);
  const decision = await decide(number, conv, state, message, deps);

  const system = { type: 'system' as const, name: 'Atende' };
  const say = (n: number, text: string, interactive?: Record<string, unknown>) =>
    queueAutomaticMessage(
      { ...deps, ...agentMessageDeps(deps) },
      {
        id: `${message.id}-${n}`,
        accountId: conv.accountId,
        conversationId: conv.id,
        sender: system,
        text,
        ...(interactive ? { interactive } : {}),
      },
      conv,
    );

  switch (decision.action) {
    case 'sendMenu':
      if (decision.apology) await say(1, decision.apology);
      await say(2, decision.menu.body, menuInteractive(decision.menu));
      break;
    case 'toDepartment':
      if (decision.autoMessage) await say(1, decision.autoMessage);
      break;
    case 'toAssistant':
      // Its job goes after the routing state is written (below): a job that ran before
      // would find the chat not yet the assistant's and drop itself.
      break;
    case 'none':
      break;
  }

  const next = stateAfter(decision, state);
  const job = () =>
    decision.action === 'toAssistant'
      ? sendAssistantJob(number, conv, decision.assistantId, message, deps)
      : Promise.resolve();
  // Nothing changes (people hold it; the assistant keeps it): no write, only the job. A
  // redelivery decides the same and does the same.
  if (next.stage === state.stage && decision.action !== 'toDepartment' && conv.routingStage) {
    await job();
    return { decision };
  }
  const updated = await routeConversation(deps.ddb, deps.tableName, conv, {
    stage: next.stage,
    messageId: message.id,
    ...(decision.action === 'toDepartment' ? { departmentId: decision.departmentId } : {}),
    ...(decision.action === 'toAssistant' ? { assistantId: decision.assistantId } : {}),
  });
  await job();
  if (!updated) return { decision };
  logRouted(conv, decision, deps);
  return { decision, conversation: updated };
}

async function decide(
  number: WhatsAppNumber,
  conv: Conversation,
  state: RoutingState,
  message: Message,
  deps: EngineDeps,
): Promise<RoutingDecision> {
  const { timeZone } = await accountSettings(conv.accountId, deps);
  return decideRouting({
    routing: number.routing,
    active: number.activeRouting,
    state,
    startedByBusiness: conv.startedBy === 'business',
    reply: replyOf(message),
    // Read only when this decision may route to an assistant (not on the per-message path).
    assistants:
      (state.stage === 'new' || state.stage === 'menu') && needsAssistants(number)
        ? await listAssistants(deps.ddb, deps.tableName, conv.accountId)
        : [],
    now: deps.now(),
    timeZone,
  });
}

export function logRouted(conv: Conversation, decision: RoutingDecision, deps: EngineDeps): void {
  deps.log('info', 'conversation routed', {
    accountId: conv.accountId,
    conversationId: conv.id,
    action: decision.action,
    ...('reason' in decision ? { reason: decision.reason } : {}),
  });
}

/**
 * The routing state a new conversation's first message leads to, written with the
 * conversation's creation (one write less): when the decision sends nothing before its
 * state is written — nobody, an assistant (its job goes after the write, as here: the
 * redelivery branch above sends it), a department without an automatic message.
 * Undefined otherwise (a menu, an automatic message): routeCustomerMessage decides again
 * after the creation and writes it, as for any message.
 */
export async function routingAtOpening(
  number: WhatsAppNumber,
  conv: Conversation,
  message: Message,
  deps: EngineDeps,
): Promise<{ write: RoutingWrite; decision: RoutingDecision } | undefined> {
  const state = stateOf(conv);
  const decision = await decide(number, conv, state, message, deps);
  if (decision.action === 'sendMenu' || (decision.action === 'toDepartment' && decision.autoMessage))
    return undefined;
  const next = stateAfter(decision, state);
  return {
    write: {
      stage: next.stage,
      messageId: message.id,
      ...(decision.action === 'toDepartment' ? { departmentId: decision.departmentId } : {}),
      ...(decision.action === 'toAssistant' ? { assistantId: decision.assistantId } : {}),
    },
    decision,
  };
}

/** A job for fn assistant, delayed by the number's grouping time (RT-6). */
async function sendAssistantJob(
  number: WhatsAppNumber,
  conv: Conversation,
  assistantId: string,
  message: Message,
  deps: EngineDeps,
): Promise<void> {
  const url = deps.queueUrls?.assistant;
  if (!url || !deps.sqs) throw new Error('ASSISTANT_QUEUE_URL is not configured');
  const job: AssistantJob = {
    kind: 'reply',
    accountId: conv.accountId,
    conversationId: conv.id,
    ...(conv.attendanceId ? { attendanceId: conv.attendanceId } : {}),
    assistantId,
    messageId: message.id,
  };
  await enqueueAssistant(deps.sqs, url, job, number.groupMessagesSeconds);
}
