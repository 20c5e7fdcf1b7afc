/**
 * The sender (fn outbound): the only code that sends through the Graph API. Jobs come
 * from the outbound FIFO queue, one group per conversation, so replies leave in order.
 * Retryable failures (429, 5xx, throughput) throw and come back with backoff; permanent
 * ones (131047 outside the window, 190 bad token…) are recorded on the message with
 * Meta's code and text, shown to the agent, and never retried.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { applyDeliveryStatus, type EngineDeps } from '#shared/engine/process-inbound.ts';
import type { DeliveryStatus } from '#shared/domain/message-status.ts';
import { statusRank } from '#shared/domain/message-status.ts';
import { readMedia } from '#shared/media/media.ts';
import { publicMessage, pushToAccount } from '#shared/push/push.ts';
import { keys } from '#shared/store/keys.ts';
import { getConversationById, touchConversation } from '#shared/store/conversations.ts';
import { getNumber } from '#shared/store/numbers.ts';
import { messageSchema, type Message } from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';

export const outboundJob = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('send'),
    accountId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
  }),
  z.object({ kind: z.literal('markRead'), accountId: z.string(), numberId: z.string(), wamid: z.string() }),
]);
export type OutboundJob = z.infer<typeof outboundJob>;

/** At most `perSecond` sends per number from this process (Meta's default is 80/s). */
export function createPacer(perSecond = 80) {
  const recent = new Map<string, number[]>();
  return async (key: string, now: () => number = Date.now) => {
    for (;;) {
      const t = now();
      const list = (recent.get(key) ?? []).filter((x) => t - x < 1000);
      if (list.length < perSecond) {
        list.push(t);
        recent.set(key, list);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000 - (t - list[0]!)));
    }
  };
}
const pace = createPacer();

export async function processOutboundJob(job: OutboundJob, deps: EngineDeps): Promise<void> {
  if (job.kind === 'markRead') {
    const number = await getNumber(deps.ddb, deps.tableName, job.accountId, job.numberId);
    if (!number) return;
    const token = number.accessToken ?? (await deps.defaultToken()) ?? '';
    await deps.graph.markRead(number.phoneNumberId, token, job.wamid);
    return;
  }
  const res = await deps.ddb.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.message(job.accountId, job.conversationId, job.messageId),
    }),
  );
  if (!res.Item) {
    deps.log('warn', 'send job for a message that does not exist', { messageId: job.messageId });
    return;
  }
  const message = messageSchema.parse(res.Item);
  if (message.status !== 'pending') return; // already sent (a redelivered job)
  const conv = await getConversationById(deps.ddb, deps.tableName, job.accountId, job.conversationId);
  const number = conv && (await getNumber(deps.ddb, deps.tableName, job.accountId, conv.numberId));
  if (!conv || !number) {
    await fail(
      message,
      { code: 0, title: 'Conversa sem número', message: 'O número desta conversa não existe mais.' },
      deps,
    );
    return;
  }
  const token = number.accessToken ?? (await deps.defaultToken()) ?? '';
  try {
    await pace(number.phoneNumberId);
    const payload = await buildPayload(message, conv.contactPhone, number.phoneNumberId, token, deps);
    const { wamid } = await deps.graph.sendMessage(number.phoneNumberId, token, payload);
    await recordSent(message, wamid, deps);
    const touched = await touchConversation(deps.ddb, deps.tableName, conv, {
      messageId: message.id,
      at: message.createdAt,
      preview: {
        text: message.text ?? message.media?.filename ?? message.type,
        type: message.type,
        direction: 'out',
      },
    });
    if (touched) {
      await pushToAccount(
        job.accountId,
        [{ type: 'conversation.updated', conversationId: conv.id, conversation: touched }],
        deps,
      ).catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof GraphApiError && !err.retryable) {
      await fail(
        message,
        {
          code: err.code,
          title: err.title,
          message: err.message,
          ...(err.details ? { details: err.details } : {}),
        },
        deps,
      );
      return;
    }
    throw err;
  }
}

async function buildPayload(
  message: Message,
  to: string,
  phoneNumberId: string,
  token: string,
  deps: EngineDeps,
): Promise<Record<string, unknown>> {
  const context = message.replyTo ? { context: { message_id: message.replyTo.wamid } } : {};
  if (message.media?.key) {
    if (!deps.mediaBucket) throw new Error('MEDIA_BUCKET is not configured');
    const file = await readMedia(deps.s3, deps.mediaBucket, message.media.key);
    const id = await deps.graph.uploadMedia(
      phoneNumberId,
      token,
      file.bytes,
      message.media.mimeType,
      message.media.filename ?? 'arquivo',
    );
    const type = message.type;
    const body: Record<string, unknown> = { id };
    if (message.media.caption && type !== 'audio' && type !== 'sticker') body.caption = message.media.caption;
    if (type === 'document' && message.media.filename) body.filename = message.media.filename;
    return { to, type, [type]: body, ...context };
  }
  return { to, type: 'text', text: { body: message.text ?? '', preview_url: true }, ...context };
}

/** Records the wamid; a status that arrived before this (kept on the claim) is applied now. */
async function recordSent(message: Message, wamid: string, deps: EngineDeps): Promise<void> {
  const sent = await deps.ddb.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.message(message.accountId, message.conversationId, message.id),
      UpdateExpression: 'SET wamid = :w, #st = :sent, statusRank = :r',
      ConditionExpression: '#st = :pending',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: {
        ':w': wamid,
        ':sent': 'sent',
        ':pending': 'pending',
        ':r': statusRank('sent'),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const claim = await deps.ddb.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.wamid(message.accountId, wamid),
      UpdateExpression: 'SET conversationId = :c, messageId = :m, direction = :d',
      ExpressionAttributeValues: { ':c': message.conversationId, ':m': message.id, ':d': 'out' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  let latest = messageSchema.parse(sent.Attributes);
  const early = claim.Attributes?.pendingStatus as DeliveryStatus | undefined;
  if (early) {
    const applied = await applyDeliveryStatus(
      deps,
      message.accountId,
      message.conversationId,
      message.id,
      early,
      claim.Attributes?.pendingError ?? undefined,
    );
    if (applied) latest = applied;
  }
  await pushToAccount(
    message.accountId,
    [{ type: 'message.updated', conversationId: message.conversationId, message: publicMessage(latest) }],
    deps,
  ).catch(() => undefined);
}

async function fail(message: Message, error: NonNullable<Message['error']>, deps: EngineDeps): Promise<void> {
  deps.log('warn', 'send failed for good', { messageId: message.id, code: error.code });
  const res = await deps.ddb.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.message(message.accountId, message.conversationId, message.id),
      UpdateExpression: 'SET #st = :f, statusRank = :r, #err = :e',
      ExpressionAttributeNames: { '#st': 'status', '#err': 'error' },
      ExpressionAttributeValues: { ':f': 'failed', ':r': statusRank('failed'), ':e': error },
      ReturnValues: 'ALL_NEW',
    }),
  );
  await pushToAccount(
    message.accountId,
    [
      {
        type: 'message.updated',
        conversationId: message.conversationId,
        message: publicMessage(messageSchema.parse(res.Attributes)),
      },
    ],
    deps,
  ).catch(() => undefined);
}
