/**
 * The conversation engine (fn inbound): one webhook item at a time, in the order of its
 * FIFO group (one group per customer of a number).
 *
 * Exactly-once effect per wamid, without a transaction on the hot path:
 *
 *   1. claim the wamid: a conditional put of `WAMID#<wamid>` holding the message id chosen
 *      by the first run; every later run (SQS redelivery, Meta's duplicate) reuses that id;
 *   2. open the conversation if needed (attendance + protocol; conditional on its status);
 *   3. store the message under that id (conditional put: a second run keeps the first);
 *   4. touch the conversation (conditional on the last message id: applied once);
 *   5. push to the agents (best effort; the inbox resyncs on reconnect);
 *   6. media: download into S3; a failure throws, so the queue redelivers the item and the
 *      steps above, all done, are no-ops — the message is visible at once with its media
 *      'pending', and only the download is retried.
 *
 * A crash between any two writes is finished by the redelivery, which replays the same
 * idempotent steps with the same ids. A transaction over claim + message + conversation
 * would cost twice the write units on every message (transactions are billed double).
 */
import { createHash } from 'node:crypto';
import { topology } from '#infra/topology.ts';
import { fromMetaStatus } from '#shared/domain/message-status.ts';
import { inboundItemProblem } from '#shared/domain/json-limits.ts';
import { REASONS } from '#shared/domain/retry-policy.ts';
import { PermanentError } from '#shared/errors.ts';
import { parseCallbackData } from '#shared/domain/send-state.ts';
import { settleByCallbackData } from '#shared/outbound/settle.ts';
import { windowExpiresAt } from '#shared/domain/window.ts';
import { messageForAgents, mediaKey, storeWhatsAppMedia } from '#shared/media/media.ts';
import { pushToAccount, type PushEvent } from '#shared/push/push.ts';
import { canonicalPhone, samePhone } from '#shared/domain/phone.ts';
import { findOrCreateContact, type ContactIdentity } from '#shared/store/contacts.ts';
import { putSearchTerms, rememberCampaign, syncInboxKeys } from '#shared/store/inbox.ts';
import { accountUsers } from '#shared/store/users.ts';
import { notifyCustomerMessage, recipientsOf } from '#shared/push/web-push.ts';
import {
  findConversation,
  getConversationById,
  openConversation,
  touchConversation,
  type ConversationTouch,
} from '#shared/store/conversations.ts';
import { coveredByQueueDedup, earliestUnclaimedId, inboundMessageId } from '#shared/domain/inbound-id.ts';
import {
  applyDeliveryStatus,
  claimInboundWamid,
  findMessageByWamid,
  getMessage,
  getWamidClaim,
  keepEarlyStatus,
  putMessageOnce,
  setMessageMedia,
} from '#shared/store/messages.ts';
import { bumpNumberStats, findNumberByPhoneNumberId, recordIgnoredMessage } from '#shared/store/numbers.ts';
import {
  DEFAULT_TIMEZONE,
  messageSchema,
  type Contact,
  type Conversation,
  type Message,
  type MessageError,
  type WhatsAppNumber,
} from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { MetaError } from '#shared/whatsapp/webhook-schema.ts';
import { tokenFor, type EngineDeps } from './engine-deps.ts';
import { mediaIdOf, previewText, toMessageFields } from './message-fields.ts';
import { routeCustomerMessage } from './route.ts';
import { ensureConversationTimers } from './schedules.ts';

export type { EngineDeps } from './engine-deps.ts';

/**
 * From this receive on, a failing media download is recorded as failed instead of being
 * retried: one receive before the queue would move the item to its dead-letter queue.
 */
export const MEDIA_GIVE_UP_AFTER = topology.queues.inbound.maxReceiveCount - 1;

// Short: a number's routing changed by an admin applies within seconds.
const NUMBER_CACHE_MS = 5_000;
const numberCache = new Map<string, { at: number; number: WhatsAppNumber }>();

/** Webhook → tenant. Only hits are cached: a number connected a second ago must route. */
async function numberFor(phoneNumberId: string, deps: EngineDeps): Promise<WhatsAppNumber | undefined> {
  const key = `${deps.tableName}:${phoneNumberId}`;
  const hit = numberCache.get(key);
  if (hit && deps.now() - hit.at < NUMBER_CACHE_MS) return hit.number;
  const number = await findNumberByPhoneNumberId(deps.ddb, deps.tableName, phoneNumberId);
  if (number) numberCache.set(key, { at: deps.now(), number });
  else numberCache.delete(key);
  return number;
}

export async function processInboundItem(item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  if (item.kind === 'event') {
    // Template status, account updates, quality changes…: recorded in the log, never retried.
    const v = (item.value ?? {}) as Record<string, unknown>;
    deps.log('info', 'webhook event', {
      field: item.field,
      phoneNumberId: item.phoneNumberId,
      wabaId: item.wabaId,
      event: typeof v.event === 'string' ? v.event : undefined,
      template: typeof v.message_template_name === 'string' ? v.message_template_name : undefined,
    });
    return;
  }
  // Content that can never be stored goes to the dead-letter queue at once, before any
  // write (shared/queue/batch.ts): retrying cannot fix it, and a half-done item would show.
  const problem = inboundItemProblem(item);
  if (problem) throw new PermanentError(problem, REASONS.invalidPayload);
  if (!item.phoneNumberId) {
    deps.log('warn', 'webhook payload without a phone number id acknowledged', {
      kind: item.kind,
      wabaId: item.wabaId,
      rawBytes: item.raw?.length,
    });
    deps.log('debug', 'unroutable payload', { raw: item.raw?.slice(0, 2000) });
    return;
  }
  const number = await numberFor(item.phoneNumberId, deps);
  if (!number) {
    deps.log('warn', 'webhook item for an unknown phone number id acknowledged', {
      phoneNumberId: item.phoneNumberId,
      kind: item.kind,
    });
    return;
  }
  if (item.kind === 'status') return applyStatus(number, item, deps);
  return storeCustomerMessage(number, item, deps);
}

/**
 * Which contact and conversation a customer's message belongs to. The ids never change
 * once created, so they are remembered per process (a busy number saves three reads per
 * message), with the attendance last seen open: the fast path writes against it without
 * reading the conversation, conditional on it still being open with that attendance.
 */
interface KnownThread {
  contact: Contact;
  conversationId: string;
  openAttendanceId?: string;
  contactName?: string;
}
const threadCache = new Map<string, KnownThread>();
const threadKey = (number: WhatsAppNumber, who: ContactIdentity, tableName: string) =>
  `${tableName}:${number.id}:${who.waId ? canonicalPhone(who.waId) : ''}:${who.userId ?? ''}`;

function rememberThread(
  number: WhatsAppNumber,
  who: ContactIdentity,
  contact: Contact,
  conv: Conversation,
  deps: EngineDeps,
): void {
  if (threadCache.size > 50_000) threadCache.clear();
  threadCache.set(threadKey(number, who, deps.tableName), {
    contact,
    conversationId: conv.id,
    ...(conv.status === 'open' && conv.attendanceId ? { openAttendanceId: conv.attendanceId } : {}),
    ...(conv.contactName ? { contactName: conv.contactName } : {}),
  });
}

async function threadOf(
  number: WhatsAppNumber,
  who: ContactIdentity,
  now: number,
  deps: EngineDeps,
): Promise<{ contact: Contact; conversation?: Conversation }> {
  const known = threadCache.get(threadKey(number, who, deps.tableName));
  if (known) {
    const conversation = await getConversationById(
      deps.ddb,
      deps.tableName,
      number.accountId,
      known.conversationId,
    );
    if (conversation) return { contact: known.contact, conversation };
  }
  const { contact, created } = await findOrCreateContact(
    deps.ddb,
    deps.tableName,
    number.accountId,
    who,
    deps.newId,
    now,
  );
  // A contact created just now has no conversation yet.
  const conversation = created
    ? undefined
    : await findConversation(deps.ddb, deps.tableName, number.accountId, number.id, contact.id);
  if (conversation) rememberThread(number, who, contact, conversation, deps);
  return { contact, conversation };
}

/** The wamid of a message item; for an unparsed one, its `id` if it has one, else a hash of it. */
function wamidOf(item: InboundQueueItem): string {
  if (item.message?.id) return item.message.id;
  try {
    const id = (JSON.parse(item.raw ?? 'null') as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id) return id;
  } catch {
    /* not JSON: hashed below */
  }
  return `raw:${createHash('sha256')
    .update(item.raw ?? '')
    .digest('hex')}`;
}

async function storeCustomerMessage(
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
  if (created || touched) {
    await push(
      accountId,
      [
        {
          type: 'message.created',
          conversationId: message.conversationId,
          message: await forAgents(message, deps),
        },
        ...(touched
          ? [{ type: 'conversation.updated' as const, conversationId: touched.id, conversation: touched }]
          : []),
      ],
      deps,
    );
  }

  await afterCustomerMessage(number, touched, message, deps);

  if (message.media?.status === 'pending') {
    message = await fetchMedia(number, message, mediaIdOf(m) ?? '', deps);
    await deps.afterStep?.('media');
    await push(
      accountId,
      [
        {
          type: 'message.updated',
          conversationId: message.conversationId,
          message: await forAgents(message, deps),
        },
      ],
      deps,
    );
  }
  deps.log('debug', 'customer message stored', {
    accountId,
    conversationId: message.conversationId,
    messageId,
    created,
  });
}

interface Incoming {
  number: WhatsAppNumber;
  item: InboundQueueItem;
  who: ContactIdentity & { name?: string };
  /** Meta's timestamp (ms): when the customer sent it. */
  metaAt: number;
  now: number;
}

interface Stored {
  message: Message;
  created: boolean;
  /** The conversation after this message's update; undefined when it was already applied. */
  touched?: Conversation;
  /** The contact's name on the conversation before this message (search terms follow it). */
  previousName?: string;
}

/** The message as stored, before it is stored. */
async function buildMessage(
  input: Incoming,
  id: string,
  conv: { id: string; attendanceId?: string },
  contact: Contact,
  deps: EngineDeps,
): Promise<Message> {
  const accountId = input.number.accountId;
  const fields = toMessageFields(
    input.item.message,
    input.item.raw,
    input.item.errors as MetaError[] | undefined,
  );
  if (fields.replyTo) {
    // The message the customer quoted: ours (bound to its wamid by a claim), or theirs.
    const wamid = fields.replyTo.wamid;
    const quoted =
      (await getWamidClaim(deps.ddb, deps.tableName, accountId, wamid))?.messageId ??
      (await findMessageByWamid(deps.ddb, deps.tableName, accountId, conv.id, wamid, { newest: 200 }))?.id;
    if (quoted) fields.replyTo = { ...fields.replyTo, messageId: quoted };
  }
  return messageSchema.parse({
    ...fields,
    id,
    accountId,
    conversationId: conv.id,
    attendanceId: conv.attendanceId,
    direction: 'in',
    status: 'received',
    sender: { type: 'contact', id: contact.id, name: input.who.name ?? contact.name },
    createdAt: input.now,
    ...(fields.media ? { media: { ...fields.media, key: mediaKey(accountId, id) } } : {}),
  });
}

/** What a customer's message changes on its conversation. */
function touchOf(input: Incoming, message: Message, contact: Contact): ConversationTouch {
  // The window runs from when the customer sent it (Meta's timestamp, never in our future).
  const sentAt = Number.isFinite(input.metaAt)
    ? Math.min(input.metaAt, message.createdAt)
    : message.createdAt;
  return {
    messageId: message.id,
    at: message.createdAt,
    preview: { text: previewText(message), type: message.type, direction: 'in' },
    fromCustomer: {
      sentAt,
      windowExpiresAt: windowExpiresAt(sentAt),
      name: input.item.contact?.name,
      phone: contact.phone,
      ...(message.referral
        ? {
            campaign: {
              id: message.referral.sourceId,
              name: message.referral.headline ?? message.referral.sourceId,
            },
          }
        : {}),
    },
  };
}

/**
 * The fast path: a conversation this process saw open, a message the queue deduplicates.
 * No read, no claim: the conversation update is conditional on the attendance still being
 * open, then the message is put under its queue-derived id. Undefined when the update did
 * not apply (closed meanwhile, a newer message, or a redelivery): the full path decides.
 * A crash between the two writes is finished by the full path on redelivery.
 */
async function storeInOpenThread(
  input: Incoming,
  messageId: string,
  deps: EngineDeps,
): Promise<Stored | undefined> {
  const { number, who } = input;
  const known = threadCache.get(threadKey(number, who, deps.tableName));
  if (!known?.openAttendanceId) return undefined;
  const conv = { id: known.conversationId, attendanceId: known.openAttendanceId };
  const built = await buildMessage(input, messageId, conv, known.contact, deps);
  const touched = await touchConversation(
    deps.ddb,
    deps.tableName,
    { accountId: number.accountId, id: conv.id },
    touchOf(input, built, known.contact),
    { openAttendanceId: known.openAttendanceId },
  );
  if (!touched) return undefined;
  rememberThread(number, who, known.contact, touched, deps);
  await deps.afterStep?.('conversation');
  const { message, created } = await putMessageOnce(deps.ddb, deps.tableName, built);
  if (created) bumpNumberStats(number, { received: 1 }, deps);
  await deps.afterStep?.('message');
  return { message, created, touched, previousName: known.contactName };
}

/**
 * The full path: reads the conversation, opens an attendance when none is open, stores the
 * message once. `messageId` is the queue-derived id when the queue deduplicates the
 * message; without it the wamid is claimed (or found stored earlier without a claim).
 */
async function storeInThread(
  input: Incoming,
  fixedId: string | undefined,
  deps: EngineDeps,
): Promise<Stored> {
  const { number, who, item, now } = input;
  const accountId = number.accountId;
  const thread = await threadOf(number, who, now, deps);
  const contact = thread.contact;
  let conv = thread.conversation;

  const wamid = wamidOf(item);
  let messageId: string;
  let message: Message | undefined;
  if (fixedId) {
    messageId = fixedId;
    // A redelivery (a crash after the fast path's update, say) finds its message.
    message = conv ? await getMessage(deps.ddb, deps.tableName, accountId, conv.id, fixedId) : undefined;
  } else {
    // A late copy of a message stored without a claim while the queue deduplicated it.
    message =
      conv && Number.isFinite(input.metaAt)
        ? await findMessageByWamid(deps.ddb, deps.tableName, accountId, conv.id, wamid, {
            fromId: earliestUnclaimedId(input.metaAt),
          })
        : undefined;
    if (message) messageId = message.id;
    else {
      const claim = await claimInboundWamid(
        deps.ddb,
        deps.tableName,
        accountId,
        wamid,
        inboundMessageId(deps.delivery) ?? deps.newId(),
        conv?.id,
      );
      await deps.afterStep?.('claim');
      messageId = claim.messageId;
      // A claim from an earlier run: if that run stored the message, this is a redelivery
      // or a duplicate, and nothing may open an attendance or store anything again.
      message =
        !claim.fresh && conv
          ? await getMessage(deps.ddb, deps.tableName, accountId, conv.id, messageId)
          : undefined;
    }
  }
  let created = false;
  if (!message) {
    const before = conv;
    conv = await openConversation(deps.ddb, deps.tableName, {
      number,
      contact,
      existing: conv,
      newId: deps.newId,
      now,
      timeZone: DEFAULT_TIMEZONE,
    });
    rememberThread(number, who, contact, conv, deps);
    const opened = before?.attendanceId !== conv.attendanceId;
    await deps.afterStep?.('open');
    const built = await buildMessage(input, messageId, conv, contact, deps);
    ({ message, created } = await putMessageOnce(deps.ddb, deps.tableName, built));
    if (created)
      bumpNumberStats(
        number,
        {
          received: 1,
          ...(opened ? { conversations: 1 } : {}),
          ...(opened && !before ? { contacts: 1 } : {}),
        },
        deps,
      );
    await deps.afterStep?.('message');
  }
  const touched = await touchConversation(
    deps.ddb,
    deps.tableName,
    { accountId, id: message.conversationId },
    touchOf(input, message, contact),
  );
  if (touched) rememberThread(number, who, contact, touched, deps);
  await deps.afterStep?.('conversation');
  return { message, created, touched, previousName: conv?.contactName };
}

/**
 * Routing (shared/engine/route.ts) and the clock of the attendance (armed once per
 * attendance). Both are idempotent, so a redelivery that reaches here again is harmless.
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
    await push(
      conv.accountId,
      [{ type: 'conversation.updated', conversationId: conv.id, conversation: conv, previous }],
      deps,
    );
  }
  await deps.afterStep?.('routed');
  // The inbox bucket follows the state (routing may have moved it; a crash may have left
  // it behind): no write when it is right.
  const synced = await syncInboxKeys(deps.ddb, deps.tableName, conv, deps.now());
  if (synced.inboxBucket !== conv.inboxBucket)
    await push(
      conv.accountId,
      [{ type: 'conversation.updated', conversationId: synced.id, conversation: synced }],
      deps,
    );
  await ensureConversationTimers(synced, deps);
  // The agent of the chat (or its department) on their phones, once per contact (INB-8).
  if (deps.vapid && message.id === synced.lastCustomerMessageId) {
    const users = () => accountUsers(deps.ddb, deps.tableName, synced.accountId, deps.now());
    await notifyCustomerMessage(synced, message, await recipientsOf(synced, users), {
      ddb: deps.ddb,
      tableName: deps.tableName,
      vapid: deps.vapid,
      now: deps.now,
      ...(deps.outbound ? { outbound: deps.outbound } : {}),
      log: (level, msg, data) => deps.log(level, msg, data),
    });
  }
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

/**
 * Downloads the media into the bucket. A retryable failure throws (the item comes back and
 * only this step has work left) until the last receives, when the message keeps a visible
 * 'failed' media with the reason; Meta's permanent errors (e.g. an expired media id) fail at once.
 */
async function fetchMedia(
  number: WhatsAppNumber,
  message: Message,
  mediaId: string,
  deps: EngineDeps,
): Promise<Message> {
  const pending = message.media!;
  try {
    if (!deps.mediaBucket) throw new Error('MEDIA_BUCKET is not configured');
    if (!mediaId)
      throw new GraphApiError({
        httpStatus: 400,
        code: 100,
        title: 'No media id',
        message: 'Meta sent no media id',
      });
    const stored = await storeWhatsAppMedia(
      { graph: deps.graph, s3: deps.s3, bucket: deps.mediaBucket },
      await tokenFor(number, deps),
      mediaId,
      pending.key ?? mediaKey(message.accountId, message.id),
    );
    return await setMessageMedia(deps.ddb, deps.tableName, message, {
      ...pending,
      key: pending.key ?? mediaKey(message.accountId, message.id),
      mimeType: stored.mimeType,
      status: 'stored',
    });
  } catch (err) {
    const retryable = !(err instanceof GraphApiError) || err.retryable;
    const receive = deps.receiveCount ?? 1;
    deps.log('warn', 'media download failed', {
      accountId: message.accountId,
      messageId: message.id,
      receive,
      retryable,
      error: (err as Error).message,
    });
    if (retryable && !(deps.lastAttempt ?? receive >= MEDIA_GIVE_UP_AFTER)) throw err;
    return setMessageMedia(deps.ddb, deps.tableName, message, {
      ...pending,
      status: 'failed',
      error: (err as Error).message.slice(0, 300),
    });
  }
}

/**
 * A delivery status of a message we sent. Statuses can come before the send recorded the
 * wamid (kept on the claim, applied by the sender) and in any order (never backwards).
 */
async function applyStatus(number: WhatsAppNumber, item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  const s = item.status!;
  const status = fromMetaStatus(s.status);
  if (!status) {
    deps.log('info', 'status ignored', { status: s.status });
    return;
  }
  const accountId = number.accountId;
  const e = s.errors?.[0];
  const error: MessageError | undefined = e
    ? {
        code: e.code,
        title: e.title ?? 'Erro do WhatsApp',
        message: e.message ?? e.title ?? '',
        ...(e.error_data?.details ? { details: e.error_data.details } : {}),
      }
    : undefined;
  let claim = await getWamidClaim(deps.ddb, deps.tableName, accountId, s.id);
  if (claim?.direction === 'in') return; // statuses are for our messages only
  if (!claim?.messageId) {
    // Our id, echoed by Meta: settles a send whose wamid we never recorded (a crash in doubt).
    const ref = parseCallbackData(s.biz_opaque_callback_data);
    const settled =
      ref && (await settleByCallbackData(deps.ddb, deps.tableName, accountId, ref, s.id, status, error));
    if (settled === 'other-send')
      deps.log('warn', 'status of an earlier send of a message resent after its deadline', {
        accountId,
        ...ref,
      });
    if (settled && settled !== 'other-send') {
      if (settled.recordedSend) bumpNumberStats(number, { sent: 1 }, deps);
      await push(
        accountId,
        [
          {
            type: 'message.updated',
            conversationId: settled.message.conversationId,
            message: await forAgents(settled.message, deps),
          },
        ],
        deps,
      );
      return;
    }
    if ((await keepEarlyStatus(deps.ddb, deps.tableName, accountId, s.id, status, error)) === 'kept') return;
    claim = await getWamidClaim(deps.ddb, deps.tableName, accountId, s.id);
    if (!claim?.messageId || !claim.conversationId) return;
  }
  const updated = await applyDeliveryStatus(
    deps.ddb,
    deps.tableName,
    { accountId, conversationId: claim.conversationId!, messageId: claim.messageId },
    status,
    error,
  );
  if (updated)
    await push(
      accountId,
      [
        {
          type: 'message.updated',
          conversationId: updated.conversationId,
          message: await forAgents(updated, deps),
        },
      ],
      deps,
    );
}

export function forAgents(message: Message, deps: Pick<EngineDeps, 's3' | 'mediaBucket'>) {
  return messageForAgents(message, { s3: deps.s3, bucket: deps.mediaBucket });
}

/** Pushes never fail the work that caused them. */
export async function push(accountId: string, events: PushEvent[], deps: EngineDeps): Promise<void> {
  try {
    await pushToAccount(accountId, events, { ddb: deps.ddb, tableName: deps.tableName, ws: deps.ws });
  } catch (err) {
    deps.log('warn', 'push failed', { accountId, error: (err as Error).message });
  }
}
