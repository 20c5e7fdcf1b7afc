/**
 * The conversation engine (fn inbound): one webhook item at a time, in the order of its
 * FIFO group. Exactly-once effect per wamid without a transaction on the hot path:
 *
 *   1. claim the wamid (conditional put: the claim holds the message id chosen once);
 *   2. store the message under that id (conditional: a second run keeps the first);
 *   3. touch the conversation (conditional on the message id: applied once);
 *   4. push to the agents (harmless if repeated).
 *
 * A crash anywhere is finished by the redelivery, which finds the claim and replays the
 * same idempotent steps with the same ids.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { fromMetaStatus, statusRank, type DeliveryStatus } from '#shared/domain/message-status.ts';
import { windowExpiresAt } from '#shared/domain/window.ts';
import { canonicalPhone } from '#shared/domain/phone.ts';
import { keys } from '#shared/store/keys.ts';
import { findOrCreateContact } from '#shared/store/contacts.ts';
import {
  findOrCreateConversation,
  getConversationById,
  openAttendanceIfClosed,
  touchConversation,
} from '#shared/store/conversations.ts';
import { findNumberByPhoneNumberId } from '#shared/store/numbers.ts';
import {
  DEFAULT_TIMEZONE,
  type Conversation,
  messageSchema,
  type Message,
  type MessageType,
  type WhatsAppNumber,
} from '#shared/store/types.ts';
import { mediaKey, storeWhatsAppMedia } from '#shared/media/media.ts';
import { publicMessage, pushToAccount, type PushEvent } from '#shared/push/push.ts';
import type { GraphClient } from '#shared/whatsapp/graph-client.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import type { InboundQueueItem } from '#shared/whatsapp/split.ts';
import type { InboundMessage, MetaError } from '#shared/whatsapp/webhook-schema.ts';

export interface EngineDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  s3: S3Client;
  mediaBucket?: string;
  graph: GraphClient;
  /** The deployment's Graph API token, for numbers without their own. */
  defaultToken: () => Promise<string | undefined>;
  ws?: ApiGatewayManagementApiClient;
  newId: () => string;
  now: () => number;
  log: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
  /** How many times this item was received; on the last tries a failing media download gives up. */
  receiveCount?: number;
  /** Test hook: called after each step, to simulate a crash between two writes. */
  afterStep?: (step: 'claim' | 'message' | 'media' | 'conversation') => void | Promise<void>;
}

/** After this many receives a media download stops being retried (the queue's DLQ is at 5). */
export const MEDIA_GIVE_UP_AFTER = 4;

const numberCache = new Map<string, { at: number; number?: WhatsAppNumber }>();
async function numberFor(phoneNumberId: string, deps: EngineDeps): Promise<WhatsAppNumber | undefined> {
  const hit = numberCache.get(phoneNumberId);
  if (hit && deps.now() - hit.at < 60_000) return hit.number;
  const number = await findNumberByPhoneNumberId(deps.ddb, deps.tableName, phoneNumberId);
  numberCache.set(phoneNumberId, { at: deps.now(), number });
  return number;
}

export async function processInboundItem(item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  if (item.kind === 'event') {
    deps.log('info', 'webhook event', {
      field: item.field,
      phoneNumberId: item.phoneNumberId,
      wabaId: item.wabaId,
    });
    return;
  }
  if (!item.phoneNumberId) {
    deps.log('warn', 'unroutable webhook payload kept in the log', {
      kind: item.kind,
      raw: item.raw?.slice(0, 2000),
    });
    return;
  }
  const number = await numberFor(item.phoneNumberId, deps);
  if (!number) {
    deps.log('warn', 'message for an unknown phone number id acknowledged', {
      phoneNumberId: item.phoneNumberId,
    });
    return;
  }
  if (item.kind === 'status') return applyStatus(number, item, deps);
  return storeCustomerMessage(number, item, deps);
}

/**
 * Which conversation a customer's message belongs to. The ids never change once created,
 * so they are remembered per process; the conversation itself is always read fresh.
 */
const threadCache = new Map<string, string>();
async function conversationFor(
  number: WhatsAppNumber,
  who: { waId?: string; userId?: string; name?: string },
  now: number,
  deps: EngineDeps,
): Promise<Conversation> {
  const cacheKey = `${deps.tableName}:${number.id}:${who.waId ? canonicalPhone(who.waId) : `u:${who.userId}`}`;
  const known = threadCache.get(cacheKey);
  if (known) {
    const conv = await getConversationById(deps.ddb, deps.tableName, number.accountId, known);
    if (conv) return conv;
  }
  const contact = await findOrCreateContact(deps.ddb, deps.tableName, number.accountId, who, deps.newId, now);
  const conv = await findOrCreateConversation(deps.ddb, deps.tableName, number, contact, deps.newId, now);
  if (threadCache.size > 50_000) threadCache.clear();
  threadCache.set(cacheKey, conv.id);
  return conv;
}

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/** Our message fields for what the customer sent. */
function toMessageFields(
  m: InboundMessage | undefined,
  raw?: string,
  errors?: MetaError[],
): Partial<Message> & { type: MessageType } {
  if (!m) return { type: 'unsupported', raw };
  const any = m as Record<string, unknown> & InboundMessage;
  const context = m.context;
  const base: Partial<Message> = {
    wamid: m.id,
    ...(context?.id ? { replyTo: { wamid: context.id } } : {}),
    ...(context?.forwarded || context?.frequently_forwarded ? { forwarded: true } : {}),
  };
  const type = m.type;
  if (type === 'text') return { ...base, type, text: (any.text as { body: string }).body };
  if (MEDIA_TYPES.has(type)) {
    const media = any[type] as {
      id?: string;
      mime_type?: string;
      caption?: string;
      filename?: string;
      sha256?: string;
      voice?: boolean;
    };
    return {
      ...base,
      type: type as MessageType,
      ...(media.caption ? { text: media.caption } : {}),
      media: {
        mimeType: media.mime_type ?? 'application/octet-stream',
        ...(media.caption ? { caption: media.caption } : {}),
        ...(media.filename ? { filename: media.filename } : {}),
        ...(media.sha256 ? { sha256: media.sha256 } : {}),
        ...(media.voice ? { voice: true } : {}),
        status: media.id ? 'pending' : 'failed',
        ...(media.id ? {} : { error: 'Meta sent no media id' }),
      },
    };
  }
  if (type === 'location') {
    const l = any.location as { latitude: number; longitude: number; name?: string; address?: string };
    return {
      ...base,
      type,
      location: { latitude: l.latitude, longitude: l.longitude, name: l.name, address: l.address },
    };
  }
  if (type === 'reaction') {
    const r = any.reaction as { message_id: string; emoji?: string };
    return {
      ...base,
      type,
      text: r.emoji ?? '',
      reaction: { emoji: r.emoji ?? '', messageId: r.message_id },
    };
  }
  if (type === 'interactive') {
    const i = any.interactive as
      | { list_reply?: { title: string }; button_reply?: { title: string }; nfm_reply?: { body?: string } }
      | undefined;
    const text = i?.list_reply?.title ?? i?.button_reply?.title ?? i?.nfm_reply?.body;
    if (!i) return { ...base, type: 'unsupported', raw: JSON.stringify({ message: m, errors }) };
    return { ...base, type, interactive: i, ...(text ? { text } : {}) };
  }
  if (type === 'button')
    return { ...base, type, text: (any.button as { text: string }).text, interactive: any.button };
  if (type === 'contacts')
    return { ...base, type, interactive: any.contacts, text: contactsText(any.contacts) };
  if (type === 'order' || type === 'system') {
    const body = type === 'system' ? (any.system as { body?: string }).body : undefined;
    return { ...base, type, interactive: any[type], ...(body ? { text: body } : {}) };
  }
  return { ...base, type: 'unsupported', raw: JSON.stringify({ message: m, errors }) };
}

function contactsText(contacts: unknown): string {
  const list = Array.isArray(contacts) ? (contacts as { name?: { formatted_name?: string } }[]) : [];
  return list
    .map((c) => c.name?.formatted_name)
    .filter(Boolean)
    .join(', ');
}

async function claimWamid(
  accountId: string,
  wamid: string,
  conversationId: string,
  deps: EngineDeps,
): Promise<{ messageId: string; fresh: boolean }> {
  const messageId = deps.newId();
  try {
    await deps.ddb.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: { ...keys.wamid(accountId, wamid), conversationId, messageId, direction: 'in' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { messageId, fresh: true };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const res = await deps.ddb.send(
      new GetCommand({ TableName: deps.tableName, Key: keys.wamid(accountId, wamid) }),
    );
    return { messageId: String(res.Item!.messageId), fresh: false };
  }
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
    deps.log('warn', 'customer message without a sender kept in the log', {
      raw: (item.raw ?? JSON.stringify(m)).slice(0, 2000),
    });
    return;
  }
  const now = deps.now();
  let conv = await conversationFor(number, who, now, deps);

  const wamid =
    m?.id ??
    `raw:${createHash('sha256')
      .update(item.raw ?? '')
      .digest('hex')}`;
  const { messageId } = await claimWamid(accountId, wamid, conv.id, deps);
  await deps.afterStep?.('claim');

  conv = await openAttendanceIfClosed(deps.ddb, deps.tableName, conv, deps.newId, now, DEFAULT_TIMEZONE);
  const sentAt = m?.timestamp ? Number(m.timestamp) * 1000 : now;
  const fields = toMessageFields(m, item.raw, item.errors);
  let message: Message = messageSchema.parse({
    ...fields,
    id: messageId,
    accountId,
    conversationId: conv.id,
    attendanceId: conv.attendanceId,
    direction: 'in',
    status: 'received',
    sender: { type: 'contact', id: conv.contactId, name: who.name ?? conv.contactName },
    createdAt: now,
    ...(fields.media ? { media: { ...fields.media, key: mediaKey(accountId, messageId) } } : {}),
  });
  try {
    await deps.ddb.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: { ...keys.message(accountId, conv.id, messageId), ...message },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // Stored by an earlier run: continue from what it stored (its media may be done).
    const res = await deps.ddb.send(
      new GetCommand({ TableName: deps.tableName, Key: keys.message(accountId, conv.id, messageId) }),
    );
    message = messageSchema.parse(res.Item);
  }
  await deps.afterStep?.('message');

  if (message.media?.status === 'pending' && m) {
    message = await fetchMedia(
      number,
      message,
      (m as Record<string, { id?: string }>)[m.type]?.id ?? '',
      deps,
    );
    await deps.afterStep?.('media');
  }

  const touched = await touchConversation(deps.ddb, deps.tableName, conv, {
    messageId,
    at: now,
    preview: { text: previewText(message), type: message.type, direction: 'in' },
    fromCustomer: { windowExpiresAt: windowExpiresAt(Math.min(sentAt, now)), name: item.contact?.name },
  });
  await deps.afterStep?.('conversation');
  const conversation = touched ?? (await getConversationById(deps.ddb, deps.tableName, accountId, conv.id));
  await push(
    accountId,
    [
      { type: 'message.created', conversationId: conv.id, message: publicMessage(message) },
      ...(conversation
        ? [{ type: 'conversation.updated' as const, conversationId: conv.id, conversation }]
        : []),
    ],
    deps,
  );
}

function previewText(m: Message): string {
  return m.text ?? m.media?.caption ?? m.media?.filename ?? m.type;
}

async function fetchMedia(
  number: WhatsAppNumber,
  message: Message,
  mediaId: string,
  deps: EngineDeps,
): Promise<Message> {
  const key = message.media!.key!;
  let media: Message['media'];
  try {
    if (!deps.mediaBucket) throw new Error('MEDIA_BUCKET is not configured');
    const token = number.accessToken ?? (await deps.defaultToken()) ?? '';
    const stored = await storeWhatsAppMedia(
      { graph: deps.graph, s3: deps.s3, bucket: deps.mediaBucket },
      token,
      mediaId,
      key,
    );
    media = { ...message.media!, mimeType: stored.mimeType, status: 'stored' };
  } catch (err) {
    const retryable = !(err instanceof GraphApiError) || err.retryable;
    if (retryable && (deps.receiveCount ?? 1) < MEDIA_GIVE_UP_AFTER) throw err;
    deps.log('warn', 'media download failed for good', {
      messageId: message.id,
      error: (err as Error).message,
    });
    media = { ...message.media!, status: 'failed', error: (err as Error).message.slice(0, 300) };
  }
  await deps.ddb.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: keys.message(message.accountId, message.conversationId, message.id),
      UpdateExpression: 'SET media = :m',
      ExpressionAttributeValues: { ':m': media },
    }),
  );
  return { ...message, media };
}

/**
 * A delivery status of a message we sent. Statuses can come before the send recorded
 * the wamid (kept on the claim, applied by the sender) and in any order (never backwards).
 */
async function applyStatus(number: WhatsAppNumber, item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  const s = item.status!;
  const status = fromMetaStatus(s.status);
  if (!status) {
    deps.log('info', 'status ignored', { status: s.status });
    return;
  }
  const e = s.errors?.[0];
  const error = e
    ? {
        code: e.code,
        title: e.title ?? 'Erro',
        message: e.message ?? e.title ?? '',
        ...(e.error_data?.details ? { details: e.error_data.details } : {}),
      }
    : undefined;
  const claimKey = keys.wamid(number.accountId, s.id);
  const claim = await deps.ddb.send(new GetCommand({ TableName: deps.tableName, Key: claimKey }));
  if (!claim.Item?.messageId) {
    // The send has not recorded this wamid yet: keep the furthest status for it.
    try {
      await deps.ddb.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: claimKey,
          UpdateExpression: 'SET pendingStatus = :s, pendingRank = :r, pendingError = :e',
          ConditionExpression: 'attribute_not_exists(pendingRank) OR pendingRank < :r',
          ExpressionAttributeValues: { ':s': status, ':r': statusRank(status), ':e': error ?? null },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    return;
  }
  const updated = await applyDeliveryStatus(
    deps,
    number.accountId,
    String(claim.Item.conversationId),
    String(claim.Item.messageId),
    status,
    error,
  );
  if (updated)
    await push(
      number.accountId,
      [{ type: 'message.updated', conversationId: updated.conversationId, message: publicMessage(updated) }],
      deps,
    );
}

/** Moves a sent message's status forward (never back); undefined when nothing changed. */
export async function applyDeliveryStatus(
  deps: Pick<EngineDeps, 'ddb' | 'tableName'>,
  accountId: string,
  conversationId: string,
  messageId: string,
  status: DeliveryStatus,
  error?: { code: number; title: string; message: string; details?: string },
): Promise<Message | undefined> {
  try {
    const res = await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.message(accountId, conversationId, messageId),
        UpdateExpression: `SET #st = :s, statusRank = :r${error ? ', #err = :e' : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :r)',
        ExpressionAttributeNames: { '#st': 'status', ...(error ? { '#err': 'error' } : {}) },
        ExpressionAttributeValues: {
          ':s': status,
          ':r': statusRank(status),
          ...(error ? { ':e': error } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return messageSchema.parse(res.Attributes);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

async function push(accountId: string, events: PushEvent[], deps: EngineDeps): Promise<void> {
  try {
    await pushToAccount(accountId, events, { ddb: deps.ddb, tableName: deps.tableName, ws: deps.ws });
  } catch (err) {
    deps.log('warn', 'push failed', { error: (err as Error).message });
  }
}
