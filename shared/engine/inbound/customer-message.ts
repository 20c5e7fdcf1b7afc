import { coveredByQueueDedup, inboundMessageId } from '#shared/domain/inbound-id.ts';
import { samePhone } from '#shared/domain/phone.ts';
import type { DomainEvent } from '#shared/events/domain-events.ts';
import { emit } from '#shared/events/listeners.ts';
import type { ContactIdentity } from '#shared/store/contacts.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { syncInboxKeys } from '#shared/store/conversations.ts';
import { putSearchTerms, rememberCampaign } from '#shared/store/inbox.ts';
import { bumpNumberStats, recordIgnoredMessage } from '#shared/store/numbers.ts';
import type { Conversation, Message, WhatsAppNumber } from '#shared/store/types.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { mediaIdOf } from '../message-fields.ts';
import { routeCustomerMessage } from '../route.ts';
import { storeInOpenThread } from './fast-path.ts';
import { storeInThread } from './full-path.ts';
import { wamidOf, type Incoming } from './incoming-message.ts';
import { fetchMedia } from './media-download.ts';

export async function storeCustomerMessage(
  number: WhatsAppNumber,
  item: InboundQueueItem,
  deps: EngineDeps,
): Promise<void> {
  const accountId = number.accountId;
  const m = item.message;
  const who = {
    waId: item.contact?.waId ?? m?.from,
    userId: item.contact?.userId ?? m?.from_user_id,
    name: item.contact?.name ?? item.contact?.username,
  };
  if (!who.waId && !who.userId) {
    deps.log('warn', 'customer message without a sender acknowledged', {
      accountId,
      kind: item.kind,
      rawBytes: item.raw?.length,
    });
    return;
  }
  const now = deps.now();
  const waId = who.waId;
  if (number.allowlist.length && !(waId && number.allowlist.some((p) => samePhone(p, waId)))) {
    // Phone filter (NUM-3): recorded, never answered nor routed.
    await recordIgnored(number, item, who, now, deps);
    return;
  }
  const metaAt = Number(m?.timestamp) * 1000;
  const deliveryId = inboundMessageId(deps.delivery);
  // Every other copy of this message is dropped by the queue: its id alone makes it once.
  const queueDedups = deliveryId !== undefined && coveredByQueueDedup(item.receivedAt, metaAt);
  const input: Incoming = { number, item, who, metaAt, now };
  const stored =
    (queueDedups ? await storeInOpenThread(input, deliveryId, deps) : undefined) ??
    (await storeInThread(input, queueDedups ? deliveryId : undefined, deps));
  let { message } = stored;
  const { created, touched } = stored;
  const messageId = message.id;

  if (message.referral) await rememberCampaign(deps, accountId, message.referral);
  if (touched && touched.contactName !== stored.previousName)
    await putSearchTerms(deps.ddb, deps.tableName, touched);
  const events: DomainEvent[] = [];
  if (stored.opened) events.push({ type: 'conversation.opened', ...stored.opened });
  if (created || touched)
    events.push({ type: 'message.received', message, ...(touched ? { conversation: touched } : {}) });
  await emit(events, deps);

  await afterCustomerMessage(number, touched, message, deps);

  if (message.media?.status === 'pending') {
    message = await fetchMedia(number, message, mediaIdOf(m) ?? '', deps);
    await deps.afterStep?.('media');
    await emit([{ type: 'message.updated', message }], deps);
  }
  deps.log('debug', 'customer message stored', {
    accountId,
    conversationId: message.conversationId,
    messageId,
    created,
  });
}

/**
 * Routing (shared/engine/route.ts), then `message.routed`: the attendance's clock (armed
 * once per attendance) and the agents' phones (shared/events/listeners.ts). Both are
 * idempotent, so a redelivery that reaches here again is harmless.
 */
async function afterCustomerMessage(
  number: WhatsAppNumber,
  touched: Conversation | undefined,
  message: Message,
  deps: EngineDeps,
): Promise<void> {
  let conv =
    touched ??
    (await getConversationById(deps.ddb, deps.tableName, message.accountId, message.conversationId));
  if (!conv || conv.status !== 'open') return;
  const routed = await routeCustomerMessage(number, conv, message, deps);
  if (routed?.conversation) {
    const previous = conv;
    conv = routed.conversation;
    await emit([{ type: 'conversation.updated', conversation: conv, previous }], deps);
  }
  await deps.afterStep?.('routed');
  // The inbox bucket follows the state (routing may have moved it; a crash may have left
  // it behind): no write when it is right.
  const synced = await syncInboxKeys(deps.ddb, deps.tableName, conv, deps.now());
  await emit(
    [
      ...(synced.inboxBucket !== conv.inboxBucket
        ? [{ type: 'conversation.updated' as const, conversation: synced }]
        : []),
      { type: 'message.routed', message, conversation: synced },
    ],
    deps,
  );
}

/** A message the phone filter turned away: recorded and counted, never answered. */
async function recordIgnored(
  number: WhatsAppNumber,
  item: InboundQueueItem,
  who: ContactIdentity & { name?: string },
  now: number,
  deps: EngineDeps,
): Promise<void> {
  await recordIgnoredMessage(deps.ddb, deps.tableName, number, {
    wamid: wamidOf(item),
    from: who.waId ?? who.userId,
    name: who.name,
    type: item.message?.type ?? 'unsupported',
    preview: (item.message?.text as { body?: string } | undefined)?.body?.slice(0, 200),
    at: now,
  });
  bumpNumberStats(number, { ignored: 1 }, deps);
  deps.log('info', 'message from a phone outside the filter ignored', {
    accountId: number.accountId,
    numberId: number.id,
  });
}
