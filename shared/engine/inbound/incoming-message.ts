/** A customer's message as the engine stores it: its wamid, the message item, its conversation's touch. */
import { createHash } from 'node:crypto';
import { windowExpiresAt } from '#shared/domain/window.ts';
import { mediaKey } from '#shared/media/media.ts';
import type { ContactIdentity } from '#shared/store/contacts.ts';
import type { ConversationTouch } from '#shared/store/conversations.ts';
import { findMessageByWamid, getWamidClaim } from '#shared/store/messages.ts';
import {
  messageSchema,
  type Contact,
  type Conversation,
  type Message,
  type WhatsAppNumber,
} from '#shared/store/types.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { MetaError } from '#shared/whatsapp/webhook-schema.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { previewText, toMessageFields } from '../message-fields.ts';

export interface Incoming {
  number: WhatsAppNumber;
  item: InboundQueueItem;
  who: ContactIdentity & { name?: string };
  /** Meta's timestamp (ms): when the customer sent it. */
  metaAt: number;
  now: number;
}

export interface Stored {
  message: Message;
  created: boolean;
  /** The conversation after this message's update; undefined when it was already applied. */
  touched?: Conversation;
  /** The contact's name on the conversation before this message (search terms follow it). */
  previousName?: string;
  /** The attendance this run opened (a new contact's first, or a closed conversation's next). */
  opened?: { conversation: Conversation; newContact: boolean };
}

/** The wamid of a message item; for an unparsed one, its `id` if it has one, else a hash of it. */
export function wamidOf(item: InboundQueueItem): string {
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

/** The message as stored, before it is stored. */
export async function buildMessage(
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
export function touchOf(input: Incoming, message: Message, contact: Contact): ConversationTouch {
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
