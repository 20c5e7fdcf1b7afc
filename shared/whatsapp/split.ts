/**
 * Splits a verified webhook POST into queue items: one per inbound message, one per
 * status, one per other change (template status, account update…). Nothing is dropped,
 * and nothing in the body makes it throw: each entry, change, message and status is read
 * on its own, so a malformed one never hides the valid ones beside it. What does not fit
 * the schemas (or would not fit a queue message) becomes an `unparsed` item carrying the
 * raw JSON, marked `invalid` with the reason: the webhook sends it to the inbound
 * dead-letter queue, where an operator sees it. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import {
  asciiJson,
  issueSummary,
  MAX_ID_CHARS,
  safeJson,
  SQS_MAX_MESSAGE_BYTES,
  truncateUtf8,
  type IssueLike,
} from '#shared/domain/json-limits.ts';
import {
  inboundMessage,
  messageStatus,
  messagesRouting,
  metaError,
  webhookChange,
  webhookContact,
  webhookEntry,
  webhookRoot,
  type MetaError,
} from './webhook-schema.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';

export interface QueueEntry {
  item: InboundQueueItem;
  /** FIFO group: one conversation (phone-number id + customer). */
  groupId: string;
  /** FIFO deduplication id: the wamid, the status id + status, or a hash. */
  dedupId: string;
  /**
   * Set on an item that can never be processed (an `unparsed` one): the dead-letter
   * reason, `INVALID_PAYLOAD: <where>: <what>` (English, never a value of the body).
   */
  invalid?: string;
}

/**
 * The most a queue item may weigh as sent (asciiJson): SQS's limit less room for the
 * message attributes (the dead-letter reason).
 */
export const QUEUE_ITEM_MAX_BYTES = SQS_MAX_MESSAGE_BYTES - 4096;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** SQS allows 128 characters of alphanumerics and punctuation in group and dedup ids. */
export function sqsId(value: string): string {
  return value.length <= 128 && /^[\x21-\x7e]+$/.test(value) ? value : sha256(value);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const rawOf = (v: unknown): string => safeJson(v) ?? '"(not serializable: nested too deep)"';
const issues = (e: { issues: readonly unknown[] }) => e.issues as readonly IssueLike[];

type Base = Pick<InboundQueueItem, 'phoneNumberId' | 'wabaId' | 'displayPhone' | 'receivedAt'>;

export function splitWebhook(rawBody: string, receivedAt: number): QueueEntry[] {
  const out: QueueEntry[] = [];
  const push = (e: QueueEntry) => out.push(fitted(e));
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    push(invalid(rawBody, 'body: not JSON', { receivedAt }, 'unknown:unparsed'));
    return out;
  }
  const root = webhookRoot.safeParse(json);
  if (!root.success) {
    push(invalid(rawBody, issueSummary(issues(root.error), 'body'), { receivedAt }, 'unknown:unparsed'));
    return out;
  }
  for (const [ei, rawEntry] of root.data.entry.entries()) {
    const entry = webhookEntry.safeParse(rawEntry);
    if (!entry.success) {
      const where = `entry[${ei}]`;
      push(
        invalid(
          rawOf(rawEntry),
          issueSummary(issues(entry.error), where),
          { receivedAt },
          'unknown:unparsed',
        ),
      );
      continue;
    }
    const id = str(entry.data.id);
    const wabaId = id && id.length <= MAX_ID_CHARS ? id : undefined;
    for (const [ci, rawChange] of (entry.data.changes ?? []).entries()) {
      const where = `entry[${ei}].changes[${ci}]`;
      const change = webhookChange.safeParse(rawChange);
      if (!change.success) {
        push(
          invalid(
            rawOf(rawChange),
            issueSummary(issues(change.error), where),
            { wabaId, receivedAt },
            `${wabaId ?? 'unknown'}:unparsed`,
          ),
        );
        continue;
      }
      if (change.data.field !== 'messages') {
        push(event(change.data.field, change.data.value, wabaId, receivedAt));
        continue;
      }
      splitMessages(change.data.value, `${where}.value`, wabaId, receivedAt, push);
    }
  }
  return out;
}

/** The items of a `messages` change: each message and status on its own. */
function splitMessages(
  value: unknown,
  where: string,
  wabaId: string | undefined,
  receivedAt: number,
  push: (e: QueueEntry) => void,
): void {
  const routing = messagesRouting.safeParse(value);
  if (!routing.success) {
    push(
      invalid(
        rawOf({ field: 'messages', value }),
        issueSummary(issues(routing.error), where),
        { wabaId, receivedAt },
        `${wabaId ?? 'unknown'}:unparsed`,
      ),
    );
    return;
  }
  const v = value as Record<string, unknown>;
  const metadata = v.metadata as Record<string, unknown>;
  const base: Base = {
    phoneNumberId: routing.data.metadata.phone_number_id,
    wabaId,
    displayPhone: str(metadata.display_phone_number),
    receivedAt,
  };
  // Contacts and errors only describe the items: a malformed one is left out.
  const contacts = (Array.isArray(v.contacts) ? v.contacts : []).flatMap((c) => {
    const parsed = webhookContact.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
  const errors = Array.isArray(v.errors)
    ? v.errors.flatMap((e) => {
        const parsed = metaError.safeParse(e);
        return parsed.success ? [parsed.data as MetaError] : [];
      })
    : undefined;
  const contactFor = (waId?: string, userId?: string) => {
    const c =
      contacts.find((x) => (waId && x.wa_id === waId) || (userId && x.user_id === userId)) ??
      (contacts.length === 1 ? contacts[0] : undefined);
    const id = { waId: waId ?? c?.wa_id, userId: userId ?? c?.user_id };
    return { ...id, name: c?.profile?.name, username: c?.profile?.username };
  };
  const group = (who: unknown) => sqsId(`${base.phoneNumberId}:${str(who) ?? 'unknown'}`);

  let malformedList = false;
  const list = (key: 'messages' | 'statuses'): unknown[] => {
    const items = v[key];
    if (items === undefined || items === null || Array.isArray(items)) return (items as unknown[]) ?? [];
    malformedList = true;
    push(invalid(rawOf(items), `${where}.${key}: expected array`, base, group(undefined)));
    return [];
  };
  const messages = list('messages');
  const statuses = list('statuses');

  for (const [i, m] of messages.entries()) {
    const msg = isObject(m) ? m : {};
    const groupId = group(msg.from ?? msg.from_user_id);
    const parsed = inboundMessage.safeParse(m);
    if (!parsed.success) {
      push(
        invalid(
          rawOf(m),
          issueSummary(messageIssues(m, issues(parsed.error)), `${where}.messages[${i}]`),
          {
            ...base,
            contact: contactFor(str(msg.from), str(msg.from_user_id)),
            ...(errors?.length ? { errors } : {}),
          },
          groupId,
        ),
      );
      continue;
    }
    push({
      item: {
        kind: 'message',
        ...base,
        contact: contactFor(parsed.data.from, parsed.data.from_user_id),
        message: parsed.data,
        ...(errors?.length ? { errors } : {}),
      },
      groupId,
      dedupId: sqsId(parsed.data.id),
    });
  }
  for (const [i, s] of statuses.entries()) {
    const st = isObject(s) ? s : {};
    const groupId = group(st.recipient_id ?? st.recipient_user_id);
    const parsed = messageStatus.safeParse(s);
    if (!parsed.success) {
      push(invalid(rawOf(s), issueSummary(issues(parsed.error), `${where}.statuses[${i}]`), base, groupId));
      continue;
    }
    push({
      item: {
        kind: 'status',
        ...base,
        contact: contactFor(parsed.data.recipient_id, parsed.data.recipient_user_id),
        status: parsed.data,
      },
      groupId,
      dedupId: sqsId(`${parsed.data.id}:${parsed.data.status}`),
    });
  }
  if (!messages.length && !statuses.length && !malformedList) {
    // A change with neither (errors only, or something new): keep it as an event.
    push(event('messages', value, wabaId, receivedAt, base.phoneNumberId));
  }
}

/**
 * A message's issues against the schema of its own type (the union's branch), so the
 * reason names what is wrong with a text message rather than why it is not an image.
 */
function messageIssues(m: unknown, fallback: readonly IssueLike[]): readonly IssueLike[] {
  const type = isObject(m) ? str(m.type) : undefined;
  if (!type) return fallback;
  for (const option of inboundMessage.options) {
    const literal = (option.shape.type as { value?: unknown }).value;
    if (literal === type) {
      const parsed = option.safeParse(m);
      return parsed.success ? fallback : issues(parsed.error);
    }
  }
  return fallback;
}

function event(
  field: string,
  value: unknown,
  wabaId: string | undefined,
  receivedAt: number,
  phoneNumberId?: string,
): QueueEntry {
  const body = rawOf(value);
  return {
    item: { kind: 'event', field, value, wabaId, phoneNumberId, receivedAt },
    groupId: sqsId(`${phoneNumberId ?? wabaId ?? 'unknown'}:events`),
    dedupId: sqsId(sha256(`${field}:${wabaId}:${body}`)),
  };
}

/** An item that can never be processed, kept raw, with its reason. */
function invalid(
  raw: string,
  detail: string,
  base: Partial<InboundQueueItem> & { receivedAt: number },
  groupId: string,
): QueueEntry {
  return {
    item: { ...base, kind: 'unparsed', raw },
    groupId: sqsId(groupId),
    dedupId: sqsId(sha256(raw)),
    invalid: `INVALID_PAYLOAD: ${detail}`,
  };
}

/**
 * The entry as it can be sent: one whose item would not fit a queue message becomes an
 * invalid one carrying a truncated copy of its JSON, saying so in its reason.
 */
function fitted(e: QueueEntry): QueueEntry {
  let sent: string | undefined;
  try {
    sent = asciiJson(e.item);
  } catch {
    // Nested too deep to serialize: kept as far as it goes, below.
  }
  if (sent !== undefined && sent.length <= QUEUE_ITEM_MAX_BYTES) return e;
  // What only describes a valid item (the number's display phone, the contact's profile
  // name, copied into every item of the change) gives way before the item itself does.
  if (!e.invalid && sent !== undefined) {
    const { displayPhone: _shown, contact, ...rest } = e.item;
    const lean: InboundQueueItem = {
      ...rest,
      ...(contact ? { contact: { waId: contact.waId, userId: contact.userId } } : {}),
    };
    if (asciiJson(lean).length <= QUEUE_ITEM_MAX_BYTES) return { ...e, item: lean };
  }
  const full =
    e.item.raw ??
    rawOf(
      e.item.kind === 'message' ? e.item.message : e.item.kind === 'status' ? e.item.status : e.item.value,
    );
  const size = sent?.length ?? full.length;
  const where = e.invalid ? e.invalid.replace(/^INVALID_PAYLOAD: /, '') : `${e.item.kind} item`;
  const item: InboundQueueItem = {
    kind: 'unparsed',
    receivedAt: e.item.receivedAt,
    // What routes it, when short (a huge name or id is part of the problem).
    ...(e.item.phoneNumberId ? { phoneNumberId: e.item.phoneNumberId } : {}),
    ...(e.item.wabaId && e.item.wabaId.length <= MAX_ID_CHARS ? { wabaId: e.item.wabaId } : {}),
    ...(e.item.contact && asciiJson(e.item.contact).length <= 2048 ? { contact: e.item.contact } : {}),
    raw: '',
  };
  // Escaping can grow a character to 6 bytes: cut until the whole item fits.
  let budget = QUEUE_ITEM_MAX_BYTES - asciiJson(item).length;
  let raw = truncateUtf8(full, budget);
  while (budget > 0 && asciiJson({ ...item, raw }).length > QUEUE_ITEM_MAX_BYTES) {
    budget = Math.floor(budget * 0.8);
    raw = truncateUtf8(full, Math.floor(budget / 6));
  }
  return {
    item: { ...item, raw },
    groupId: e.groupId,
    dedupId: sqsId(sha256(full)),
    invalid: `INVALID_PAYLOAD: ${where.slice(0, 300)} (item of ${size} bytes over the queue's ${QUEUE_ITEM_MAX_BYTES}; truncated copy of ${raw.length} characters)`,
  };
}
