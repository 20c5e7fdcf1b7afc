import { canonicalPhone } from '#shared/domain/phone.ts';
import { findContact, newContact, type ContactIdentity } from '#shared/store/contacts.ts';
import { findConversation, getConversationById } from '#shared/store/conversations.ts';
import type { Contact, Conversation, WhatsAppNumber } from '#shared/store/types.ts';
import { createCache } from '#shared/cache.ts';
import type { EngineDeps } from '../engine-deps.ts';

/**
 * Which contact and conversation a customer's message belongs to. The ids never change
 * once created, so they are remembered per process (a busy number saves three reads per
 * message), with the attendance last seen open: the fast path writes against it without
 * reading the conversation, conditional on it still being open with that attendance.
 */
export interface KnownThread {
  contact: Contact;
  conversationId: string;
  openAttendanceId?: string;
  contactName?: string;
}
// Ids never change: no expiry, at most 50,000 threads (the least recently used go first).
const threadCache = createCache<string, KnownThread>({ ttlMs: Infinity, max: 50_000 });
const threadKey = (number: WhatsAppNumber, who: ContactIdentity, tableName: string) =>
  `${tableName}:${number.id}:${who.waId ? canonicalPhone(who.waId) : ''}:${who.userId ?? ''}`;

export function rememberThread(
  number: WhatsAppNumber,
  who: ContactIdentity,
  contact: Contact,
  conv: Conversation,
  deps: EngineDeps,
): void {
  threadCache.set(threadKey(number, who, deps.tableName), {
    contact,
    conversationId: conv.id,
    ...(conv.status === 'open' && conv.attendanceId ? { openAttendanceId: conv.attendanceId } : {}),
    ...(conv.contactName ? { contactName: conv.contactName } : {}),
  });
}

export async function threadOf(
  number: WhatsAppNumber,
  who: ContactIdentity,
  now: number,
  deps: EngineDeps,
): Promise<{ contact: Contact; contactIsNew?: boolean; conversation?: Conversation }> {
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
  const contact = await findContact(deps.ddb, deps.tableName, number.accountId, who);
  // A new person: created with the first conversation, in its transaction (openConversation).
  if (!contact) return { contact: newContact(number.accountId, who, deps.newId(), now), contactIsNew: true };
  const conversation = await findConversation(
    deps.ddb,
    deps.tableName,
    number.accountId,
    number.id,
    contact.id,
  );
  if (conversation) rememberThread(number, who, contact, conversation, deps);
  return { contact, conversation };
}

/** What this process remembers of the customer's thread on the number, if anything. */
export const knownThread = (number: WhatsAppNumber, who: ContactIdentity, deps: EngineDeps) =>
  threadCache.get(threadKey(number, who, deps.tableName));
