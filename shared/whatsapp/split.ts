/**
 * Splits a verified webhook POST into queue items: one per inbound message, one per
 * status, one per other change (template status, account update…). Nothing is dropped:
 * what does not fit the schemas becomes an `unparsed` item carrying the raw JSON.
 * Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  inboundMessage,
  messageStatus,
  messagesValue,
  webhookEnvelope,
  type InboundMessage,
  type MessageStatus,
  type MetaError,
} from './webhook-schema.ts';

export const inboundQueueItem = z.object({
  kind: z.enum(['message', 'status', 'event', 'unparsed']),
  phoneNumberId: z.string().optional(),
  wabaId: z.string().optional(),
  displayPhone: z.string().optional(),
  contact: z
    .object({
      waId: z.string().optional(),
      userId: z.string().optional(),
      name: z.string().optional(),
      username: z.string().optional(),
    })
    .optional(),
  message: z.unknown().optional(),
  status: z.unknown().optional(),
  field: z.string().optional(),
  value: z.unknown().optional(),
  /** Errors Meta attached to the change (e.g. an unsupported message). */
  errors: z.array(z.unknown()).optional(),
  /** The JSON that did not fit the schemas, as received. */
  raw: z.string().optional(),
  receivedAt: z.number(),
});
export type InboundQueueItem = Omit<z.infer<typeof inboundQueueItem>, 'message' | 'status' | 'errors'> & {
  message?: InboundMessage;
  status?: MessageStatus;
  errors?: MetaError[];
};

export interface QueueEntry {
  item: InboundQueueItem;
  /** FIFO group: one conversation (phone-number id + customer). */
  groupId: string;
  /** FIFO deduplication id: the wamid, the status id + status, or a hash. */
  dedupId: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** SQS allows 128 characters of alphanumerics and punctuation in group and dedup ids. */
export function sqsId(value: string): string {
  return value.length <= 128 && /^[\x21-\x7e]+$/.test(value) ? value : sha256(value);
}

export function splitWebhook(rawBody: string, receivedAt: number): QueueEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return [unparsed(rawBody, undefined, receivedAt)];
  }
  const envelope = webhookEnvelope.safeParse(json);
  if (!envelope.success) return [unparsed(rawBody, undefined, receivedAt)];

  const entries: QueueEntry[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        entries.push(event(change.field, change.value, entry.id, receivedAt));
        continue;
      }
      const value = messagesValue.safeParse(change.value);
      if (!value.success) {
        entries.push(unparsed(JSON.stringify(change), entry.id, receivedAt));
        continue;
      }
      const v = value.data;
      const base = {
        phoneNumberId: v.metadata.phone_number_id,
        wabaId: entry.id,
        displayPhone: v.metadata.display_phone_number,
        receivedAt,
      };
      const contactFor = (waId?: string, userId?: string) => {
        const c =
          v.contacts?.find((x) => (waId && x.wa_id === waId) || (userId && x.user_id === userId)) ??
          (v.contacts?.length === 1 ? v.contacts[0] : undefined);
        const id = { waId: waId ?? c?.wa_id, userId: userId ?? c?.user_id };
        return { ...id, name: c?.profile?.name, username: c?.profile?.username };
      };
      for (const m of v.messages ?? []) {
        const parsed = inboundMessage.safeParse(m);
        const msg = m as { id?: string; from?: string; from_user_id?: string };
        const customer = msg.from ?? msg.from_user_id ?? 'unknown';
        const groupId = sqsId(`${base.phoneNumberId}:${customer}`);
        if (!parsed.success) {
          entries.push({
            item: {
              kind: 'unparsed',
              ...base,
              contact: contactFor(msg.from, msg.from_user_id),
              raw: JSON.stringify(m),
              errors: v.errors,
            },
            groupId,
            dedupId: sqsId(msg.id ?? sha256(JSON.stringify(m))),
          });
          continue;
        }
        entries.push({
          item: {
            kind: 'message',
            ...base,
            contact: contactFor(parsed.data.from, parsed.data.from_user_id),
            message: parsed.data,
            ...(v.errors ? { errors: v.errors } : {}),
          },
          groupId,
          dedupId: sqsId(parsed.data.id),
        });
      }
      for (const s of v.statuses ?? []) {
        const parsed = messageStatus.safeParse(s);
        const st = s as { id?: string; status?: string; recipient_id?: string; recipient_user_id?: string };
        const groupId = sqsId(
          `${base.phoneNumberId}:${st.recipient_id ?? st.recipient_user_id ?? 'unknown'}`,
        );
        if (!parsed.success) {
          entries.push({
            item: { kind: 'unparsed', ...base, raw: JSON.stringify(s) },
            groupId,
            dedupId: sqsId(sha256(JSON.stringify(s))),
          });
          continue;
        }
        entries.push({
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
      if (!v.messages?.length && !v.statuses?.length) {
        // A change with neither (errors only, or something new): keep it as an event.
        entries.push(event(change.field, change.value, entry.id, receivedAt, v.metadata.phone_number_id));
      }
    }
  }
  return entries;
}

function event(
  field: string,
  value: unknown,
  wabaId: string | undefined,
  receivedAt: number,
  phoneNumberId?: string,
): QueueEntry {
  const body = JSON.stringify(value ?? null);
  return {
    item: { kind: 'event', field, value, wabaId, phoneNumberId, receivedAt },
    groupId: sqsId(`${phoneNumberId ?? wabaId ?? 'unknown'}:events`),
    dedupId: sqsId(sha256(`${field}:${wabaId}:${body}`)),
  };
}

function unparsed(raw: string, wabaId: string | undefined, receivedAt: number): QueueEntry {
  return {
    item: { kind: 'unparsed', wabaId, raw, receivedAt },
    groupId: sqsId(`${wabaId ?? 'unknown'}:unparsed`),
    dedupId: sqsId(sha256(raw)),
  };
}
