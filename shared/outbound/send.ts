/**
 * The sender (fn outbound): the only code that sends through the Graph API. Jobs come
 * from the outbound FIFO queue, one group per conversation, so replies leave in order.
 *
 * - Meta's 200 ("accepted") records the wamid and status 'sent'; delivered/read follow by
 *   status webhooks (the engine applies them; one that raced ahead is kept on the wamid
 *   claim and applied here when the wamid is bound).
 * - Retryable failures (429/130429, 5xx, 131000, network) throw, so the queue redelivers
 *   the job after a backoff, for hours (shared/queue/batch.ts, shared/domain/retry-policy.ts);
 *   on the last attempt the message is recorded as failed with Meta's text instead of
 *   silently reaching the DLQ.
 * - Permanent failures (131047 outside the window, 190 bad token, 131026…) are recorded on
 *   the message with Meta's code, title and text, never retried.
 * - Each change agents see is a domain event (`message.updated`, with the conversation's
 *   `conversation.updated` when a send settles: one push); the listeners push it.
 *
 * At most once (shared/domain/send-state.ts): the body carries our message's reference in
 * `biz_opaque_callback_data`; `sendingAt` is recorded before the Graph call (only from
 * `pending`), `sent` + wamid after. A redelivered job that finds the send in doubt (a crash
 * after the call began, before its outcome was recorded) does not send: it comes back
 * later (RetryLaterError) until a status webhook naming the message settles it (the engine
 * records the wamid), or the deadline passes: then it resends once, logged, and a second
 * send in doubt fails visibly instead. The sweeper (shared/engine/sweeper.ts) does the same
 * for messages whose job is gone. Every other crash point is finished by the redelivery
 * without a second send.
 */
import { topology } from '#infra/topology.ts';
import { readMedia } from '#shared/media/media.ts';
import { bumpNumberStats, setNumberTokenError } from '#shared/store/numbers.ts';
import type { DomainEvent } from '#shared/events/domain-events.ts';
import { emit } from '#shared/events/listeners.ts';
import { tokenFor, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { previewText } from '#shared/engine/message-fields.ts';
import type { OutboundJob } from '#shared/contracts/outbound-queue.ts';
import { conversationShowing, getConversationById, touchConversation } from '#shared/store/conversations.ts';
import {
  applyDeliveryStatus,
  bindOutboundWamid,
  failMessage,
  failUnsettled,
  getMessage,
  markMessageSent,
  markSending,
  releaseSending,
} from '#shared/store/messages.ts';
import { callbackData, inDoubt, mayHaveBeenAccepted, onRedelivery } from '#shared/domain/send-state.ts';
import { RetryLaterError } from '#shared/errors.ts';
import { getNumber } from '#shared/store/numbers.ts';
import type { Conversation, Message, MessageError } from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import { checkUrlShape, refusalText } from '#shared/domain/outbound-address.ts';
import { createPacer, type Pacer } from './pacer.ts';

export { outboundJob, type OutboundJob } from '#shared/contracts/outbound-queue.ts';

/**
 * Receives after which a retryable failure is recorded instead of retried (SQS's own
 * threshold); the queue's handler says sooner through `deps.lastAttempt` (retry horizon).
 */
export const SEND_ATTEMPTS = topology.queues.outbound.maxReceiveCount;

const defaultPacer = createPacer(80);

export async function processOutboundJob(
  job: OutboundJob,
  deps: EngineDeps,
  pacer: Pacer = defaultPacer,
): Promise<void> {
  if (job.kind === 'markRead') return markRead(job, deps);

  const message = await getMessage(
    deps.ddb,
    deps.tableName,
    job.accountId,
    job.conversationId,
    job.messageId,
  );
  if (!message || message.direction !== 'out') {
    deps.log('warn', 'send job for a message that is not an outgoing one', { ...job });
    return;
  }
  if (message.status !== 'pending') {
    // A redelivered job: finish the bookkeeping of the earlier run (or of the status
    // webhook that settled a send in doubt), never send twice.
    if (message.wamid) {
      const latest = await bindAndCatchUp(message, message.wamid, deps);
      const conv = await getConversationById(deps.ddb, deps.tableName, job.accountId, job.conversationId);
      await emit(settled(latest, conv && (await showInChat(conv, latest, deps))), deps);
    }
    return;
  }
  let resendOf: number | undefined;
  if (inDoubt(message)) {
    const action = onRedelivery(message, deps.now());
    const ref = {
      accountId: message.accountId,
      conversationId: message.conversationId,
      messageId: message.id,
    };
    if (action.do === 'wait') {
      // Meta may have it: its status webhook (carrying our id) would settle it. Not yet.
      if (deps.lastAttempt ?? (deps.receiveCount ?? 1) >= SEND_ATTEMPTS) {
        deps.log('warn', 'send in doubt left to the sweeper', ref);
        return;
      }
      throw new RetryLaterError('send in doubt: waiting for the status webhook', {
        retryAfterSeconds: action.retryAfterSeconds,
      });
    }
    if (action.do === 'fail') {
      deps.log('warn', 'send still unconfirmed after its resend: failed visibly', ref);
      const failed = await failUnsettled(deps.ddb, deps.tableName, message, action.error);
      if (failed) await emit([{ type: 'message.updated', message: failed }], deps);
      return;
    }
    deps.log('warn', 'send unconfirmed past its deadline: resending once', {
      ...ref,
      sendingAt: message.sendingAt,
    });
    resendOf = message.sendingAt;
  }
  const conv = await getConversationById(deps.ddb, deps.tableName, job.accountId, job.conversationId);
  const number = conv && (await getNumber(deps.ddb, deps.tableName, job.accountId, conv.numberId));
  if (!conv || !number) {
    await recordFailure(
      message,
      {
        code: 0,
        title: 'Conversa sem número',
        message: 'O número de WhatsApp desta conversa não existe mais.',
      },
      deps,
    );
    return;
  }

  let wamid: string;
  let sending: Message | undefined;
  try {
    const token = await tokenFor(number, deps);
    const payload = await buildPayload(message, conv.contactPhone, number.phoneNumberId, token, deps);
    await pacer.take(number.phoneNumberId);
    // In doubt from here until Meta's answer (or its status webhook) is recorded.
    sending = await markSending(deps.ddb, deps.tableName, message, deps.now(), resendOf);
    if (!sending) {
      deps.log('info', 'another run is sending this message', { messageId: message.id });
      return;
    }
    await deps.afterStep?.('sending');
    ({ wamid } = await deps.graph.sendMessage(number.phoneNumberId, token, {
      ...payload,
      biz_opaque_callback_data: callbackData({
        conversationId: message.conversationId,
        messageId: message.id,
      }),
    }));
  } catch (err) {
    // Meta answered with an error, or the connection never opened: nothing was accepted, the
    // message is plainly pending again. A timeout or a reset may have been: it stays in doubt.
    if (sending?.sendingAt !== undefined && notAccepted(err))
      await releaseSending(deps.ddb, deps.tableName, message, sending.sendingAt);
    const permanent = err instanceof GraphApiError && !err.retryable;
    const lastTry = deps.lastAttempt ?? (deps.receiveCount ?? 1) >= SEND_ATTEMPTS;
    if (!permanent && !lastTry) throw err;
    if (sending && !notAccepted(err)) {
      // The last try, in doubt: the status webhook or the sweeper settles it.
      deps.log('warn', 'last send attempt in doubt: left to the status webhook and the sweeper', {
        messageId: message.id,
      });
      return;
    }
    const error = errorOf(err);
    await recordFailure(message, error, deps);
    // Meta refused the token: the number's page says so until a new token is saved (NUM-4).
    if (error.code === 190) await setNumberTokenError(deps.ddb, deps.tableName, number, error, deps.now());
    return;
  }

  await deps.afterStep?.('accepted');
  const sent = await markMessageSent(deps.ddb, deps.tableName, message, wamid);
  if (sent) bumpNumberStats(number, { sent: 1 }, deps);
  else {
    // Settled meanwhile: by this send's status webhook (same wamid), or — a call that outlived
    // its deadline — by the resend, in which case this is the rare duplicate: say so.
    const now = await getMessage(deps.ddb, deps.tableName, job.accountId, job.conversationId, job.messageId);
    if (now?.wamid && now.wamid !== wamid) {
      deps.log('warn', 'a send in doubt was accepted after its resend: the customer got it twice', {
        accountId: job.accountId,
        conversationId: job.conversationId,
        messageId: job.messageId,
      });
      return;
    }
  }
  await deps.afterStep?.('sent');
  const latest = await bindAndCatchUp(sent ?? { ...message, wamid, status: 'sent' }, wamid, deps);
  await emit(settled(latest, await showInChat(conv, latest, deps)), deps);
}

/**
 * A send settled: the message's new status and, when this run moved it, its conversation —
 * one emission, so the agents' sockets get both in one push (shared/events/listeners.ts).
 */
const settled = (message: Message, touched: Conversation | undefined): DomainEvent[] => [
  { type: 'message.updated', message },
  ...(touched ? [{ type: 'conversation.updated' as const, conversation: touched }] : []),
];

/**
 * The conversation's last message becomes this one (once: conditional on its id); the chat
 * showing it. When the touch finds it already done by this very message — the update went
 * through but its answer was lost (the SDK retried it under load, or the job stopped after
 * it and was redelivered) — the conversation as stored is still the one to push: without
 * it the inbox's list kept the customer's message as the preview until a reload.
 */
async function showInChat(
  conv: Conversation,
  message: Message,
  deps: EngineDeps,
): Promise<Conversation | undefined> {
  const touched = await touchConversation(deps.ddb, deps.tableName, conv, {
    messageId: message.id,
    at: message.createdAt,
    preview: {
      text: previewText(message),
      type: message.type,
      direction: 'out',
      // An agent's own message: the list says "Você:" to them only (not for the bot's or the assistant's).
      ...(message.sender.type === 'agent' && message.sender.id ? { by: message.sender.id } : {}),
    },
  });
  if (touched) return touched;
  return conversationShowing(deps.ddb, deps.tableName, conv, message.id);
}

/**
 * Binds the wamid to the message (so status webhooks find it) and applies a status that
 * arrived before this binding. Idempotent: a redelivered job runs it again safely.
 */
async function bindAndCatchUp(message: Message, wamid: string, deps: EngineDeps): Promise<Message> {
  const claim = await bindOutboundWamid(deps.ddb, deps.tableName, message.accountId, wamid, {
    conversationId: message.conversationId,
    messageId: message.id,
  });
  await deps.afterStep?.('bound');
  let latest = message;
  if (claim.pendingStatus) {
    const applied = await applyDeliveryStatus(
      deps.ddb,
      deps.tableName,
      { accountId: message.accountId, conversationId: message.conversationId, messageId: message.id },
      claim.pendingStatus,
      claim.pendingError,
    );
    if (applied) latest = applied;
  }
  return latest;
}

function errorOf(err: unknown): MessageError {
  if (err instanceof GraphApiError)
    return {
      code: err.code,
      title: err.title,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    };
  return {
    code: 0,
    title: 'Falha no envio',
    message: 'Não foi possível enviar a mensagem. Tente novamente.',
    details: (err as Error).message?.slice(0, 300),
  };
}

async function recordFailure(message: Message, error: MessageError, deps: EngineDeps): Promise<void> {
  deps.log('warn', 'send failed for good', {
    accountId: message.accountId,
    conversationId: message.conversationId,
    messageId: message.id,
    code: error.code,
  });
  const failed = await failMessage(deps.ddb, deps.tableName, message, error);
  await emit([{ type: 'message.updated', message: failed }], deps);
}

/** Did the call end with nothing accepted: Meta's error answer, or a connection never opened? */
function notAccepted(err: unknown): boolean {
  const answered = err instanceof GraphApiError && err.title !== NETWORK_ERROR_TITLE;
  return !mayHaveBeenAccepted(err, answered);
}
/** The title shared/whatsapp/graph-client.ts gives a network failure or timeout. */
const NETWORK_ERROR_TITLE = 'Network error';

/** The Cloud API body: text, or media (uploaded from our bucket, or by link); with the quoted reply. */
async function buildPayload(
  message: Message,
  to: string,
  phoneNumberId: string,
  token: string,
  deps: EngineDeps,
): Promise<Record<string, unknown>> {
  const context = message.replyTo ? { context: { message_id: message.replyTo.wamid } } : {};
  const media = message.media;
  if (media?.key || media?.link) {
    const type = message.type;
    const body: Record<string, unknown> = {};
    if (media.key) {
      if (!deps.mediaBucket) throw new Error('MEDIA_BUCKET is not configured');
      const file = await readMedia(deps.s3, deps.mediaBucket, media.key);
      body.id = await deps.graph.uploadMedia(
        phoneNumberId,
        token,
        file.bytes,
        media.mimeType,
        media.filename ?? 'arquivo',
      );
    } else {
      // Checked when the agent sent it; again here (a message queued before the rule).
      const shape = checkUrlShape(media.link!, []);
      if (!shape.ok)
        throw new GraphApiError({
          httpStatus: 400,
          code: 100,
          title: 'Media link not allowed',
          message: `Link de mídia recusado: ${refusalText(shape.refusal)}`,
        });
      body.link = media.link;
    }
    if (media.caption && type !== 'audio' && type !== 'sticker') body.caption = media.caption;
    if (type === 'document' && media.filename) body.filename = media.filename;
    // A voice note (Ogg/Opus recorded in the browser): WhatsApp shows it as a voice message.
    if (type === 'audio' && media.voice) body.voice = true;
    return { to, type, [type]: body, ...context };
  }
  if (message.type === 'template' && message.template)
    return { to, type: 'template', template: message.template.send, ...context };
  if (message.type === 'contacts' && Array.isArray(message.interactive))
    return { to, type: 'contacts', contacts: message.interactive, ...context };
  if (message.type === 'interactive' && message.interactive)
    return { to, type: 'interactive', interactive: message.interactive, ...context };
  const text = message.text ?? '';
  return { to, type: 'text', text: { body: text, preview_url: /https?:\/\//i.test(text) }, ...context };
}

/** Blue ticks for a customer's message, when an agent read the conversation. */
async function markRead(job: Extract<OutboundJob, { kind: 'markRead' }>, deps: EngineDeps): Promise<void> {
  const number = await getNumber(deps.ddb, deps.tableName, job.accountId, job.numberId);
  if (!number) return;
  try {
    await deps.graph.markRead(number.phoneNumberId, await tokenFor(number, deps), job.wamid);
  } catch (err) {
    const permanent = err instanceof GraphApiError && !err.retryable;
    if (!permanent && !(deps.lastAttempt ?? (deps.receiveCount ?? 1) >= SEND_ATTEMPTS)) throw err;
    // A read receipt that cannot be delivered is not worth more than a log line.
    deps.log('warn', 'mark as read failed', { accountId: job.accountId, code: (err as GraphApiError).code });
  }
}
