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
 *   the message with Meta's code, title and text, pushed to the agents, never retried.
 *
 * A crash after Meta accepted the message and before the wamid is recorded makes the
 * redelivery send it again (Meta has no idempotency key); every other crash point is
 * finished by the redelivery without a second send.
 */
import { topology } from '#infra/topology.ts';
import { readMedia } from '#shared/media/media.ts';
import { bumpNumberStats, setNumberTokenError } from '#shared/store/numbers.ts';
import { forAgents, push } from '#shared/engine/process-inbound.ts';
import { tokenFor, type EngineDeps } from '#shared/engine/deps.ts';
import { previewText } from '#shared/engine/message-fields.ts';
import type { OutboundJob } from '#shared/queue/send.ts';
import { getConversationById, touchConversation } from '#shared/store/conversations.ts';
import {
  applyDeliveryStatus,
  bindOutboundWamid,
  failMessage,
  getMessage,
  markMessageSent,
} from '#shared/store/messages.ts';
import { getNumber } from '#shared/store/numbers.ts';
import type { Message, MessageError } from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import { checkUrlShape, refusalText } from '#shared/domain/outbound-address.ts';
import { createPacer, type Pacer } from './pacer.ts';

export { outboundJob, type OutboundJob } from '#shared/queue/send.ts';

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
    // A redelivered job: finish the bookkeeping of the earlier run, never send twice.
    if (message.wamid) await bindAndCatchUp(message, message.wamid, deps);
    return;
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
  try {
    const token = await tokenFor(number, deps);
    const payload = await buildPayload(message, conv.contactPhone, number.phoneNumberId, token, deps);
    await pacer.take(number.phoneNumberId);
    ({ wamid } = await deps.graph.sendMessage(number.phoneNumberId, token, payload));
  } catch (err) {
    const permanent = err instanceof GraphApiError && !err.retryable;
    const lastTry = deps.lastAttempt ?? (deps.receiveCount ?? 1) >= SEND_ATTEMPTS;
    if (!permanent && !lastTry) throw err;
    const error = errorOf(err);
    await recordFailure(message, error, deps);
    // Meta refused the token: the number's page says so until a new token is saved (NUM-4).
    if (error.code === 190) await setNumberTokenError(deps.ddb, deps.tableName, number, error, deps.now());
    return;
  }

  const sent = await markMessageSent(deps.ddb, deps.tableName, message, wamid);
  if (sent) bumpNumberStats(number, { sent: 1 }, deps);
  await deps.afterStep?.('sent');
  const latest = await bindAndCatchUp(sent ?? { ...message, wamid, status: 'sent' }, wamid, deps);
  const touched = await touchConversation(deps.ddb, deps.tableName, conv, {
    messageId: message.id,
    at: message.createdAt,
    preview: { text: previewText(latest), type: latest.type, direction: 'out' },
  });
  if (touched)
    await push(
      job.accountId,
      [{ type: 'conversation.updated', conversationId: conv.id, conversation: touched }],
      deps,
    );
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
  await push(
    message.accountId,
    [
      {
        type: 'message.updated',
        conversationId: message.conversationId,
        message: await forAgents(latest, deps),
      },
    ],
    deps,
  );
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
  await push(
    message.accountId,
    [
      {
        type: 'message.updated',
        conversationId: message.conversationId,
        message: await forAgents(failed, deps),
      },
    ],
    deps,
  );
}

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
    return { to, type, [type]: body, ...context };
  }
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
