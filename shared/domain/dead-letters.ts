/**
 * What the dead-letters page shows of a record (pure): which account it belongs to, what
 * it is, and why it failed. The DLQs are shared by every account, so a record is shown
 * only to the admins of the account it names — directly (`accountId` of outbound and
 * assistant jobs) or through its WhatsApp phone-number id (inbound items). A record that
 * names neither cannot be attributed and is shown to no one (there is no platform
 * operator role yet; the operator reads such records in the SQS console).
 */
import type { QueueName } from '#infra/topology.ts';
import { digitsOnly } from './phone.ts';

export interface DeadLetterFacts {
  /** The account the record names itself (outbound, assistant jobs). */
  accountId?: string;
  /** Meta's phone-number id (inbound items): the account is the number's. */
  phoneNumberId?: string;
  /** A short English kind: `message:text`, `status:delivered`, `send`, `reply`, `ingest`, `unknown`. */
  type: string;
  /** The customer's phone (digits), when the record carries it. */
  customerPhone?: string;
  conversationId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The facts of a record's body; a body that is not JSON is `unknown` and unattributed. */
export function factsOf(queue: QueueName, body: string): DeadLetterFacts {
  let parsed: Record<string, unknown>;
  try {
    parsed = obj(JSON.parse(body));
  } catch {
    return { type: 'unknown' };
  }
  const kind = str(parsed.kind) ?? 'unknown';
  if (queue === 'inbound') {
    const message = obj(parsed.message);
    const status = obj(parsed.status);
    const contact = obj(parsed.contact);
    const sub = kind === 'message' ? str(message.type) : kind === 'status' ? str(status.status) : undefined;
    const phone = str(contact.waId) ?? str(message.from) ?? str(status.recipient_id);
    return {
      ...(str(parsed.phoneNumberId) ? { phoneNumberId: str(parsed.phoneNumberId) } : {}),
      type: sub ? `${kind}:${sub}` : kind,
      ...(phone ? { customerPhone: digitsOnly(phone) } : {}),
    };
  }
  return {
    ...(str(parsed.accountId) ? { accountId: str(parsed.accountId) } : {}),
    type: kind,
    ...(str(parsed.conversationId) ? { conversationId: str(parsed.conversationId) } : {}),
  };
}

/** A customer's phone as the page shows it: only the last four digits (`•••• 2222`). */
export function maskPhone(phone: string | undefined): string | undefined {
  const d = phone ? digitsOnly(phone) : '';
  if (d.length < 4) return undefined;
  return `•••• ${d.slice(-4)}`;
}

/**
 * Why: the `reason` attribute the function wrote (`CODE: detail`), or null when SQS moved
 * the record itself after its queue's maxReceiveCount (a function that kept crashing on it).
 */
export function reasonOf(attribute: string | undefined): string | null {
  return attribute ? attribute.slice(0, 500) : null;
}

/** When: the `failedAt` attribute, else (moved by SQS) the time the record was sent. */
export function failedAtOf(failedAt: string | undefined, sentTimestamp: string | undefined): number {
  const at = failedAt ? Date.parse(failedAt) : NaN;
  if (Number.isFinite(at)) return at;
  const sent = Number(sentTimestamp);
  return Number.isFinite(sent) ? sent : 0;
}
