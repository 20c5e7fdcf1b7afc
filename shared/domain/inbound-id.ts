/**
 * The id of a customer's message, and when the queue alone keeps it from being stored
 * twice. Pure: no I/O.
 *
 * A FIFO queue gives each record a sequence number (increasing within a message group, the
 * same on every redelivery) and the time it was first received. A ULID made of the two —
 * time from the first receive, the 80 "random" bits from the sequence number — is the same
 * on every redelivery, sorts the messages of a conversation in queue order, and sorts among
 * the ids of agents' messages by time. With it, the message's own conditional put makes a
 * redelivery a no-op: no separate claim item (one write unit less per message).
 *
 * Meta's own duplicates are separate records: the queue drops them while its deduplication
 * window (5 minutes from the first copy) lasts. Whether it still lasts is decided from
 * Meta's timestamp (when the customer sent it), with room for the clocks to disagree:
 * every copy of a message received within FAST_MAX_AGE of its timestamp was received
 * within DEDUP_WINDOW of every other such copy. A copy received later takes the safe path
 * (a claim per wamid, and a look for an earlier copy that was stored without one).
 */

/** SQS FIFO's deduplication interval. */
export const DEDUP_WINDOW_MS = 5 * 60_000;
/** How far Meta's clock and ours may disagree. */
export const CLOCK_SKEW_MS = 60_000;
/** Received this soon after it was sent, every copy of a message falls in one window. */
export const FAST_MAX_AGE_MS = DEDUP_WINDOW_MS - 2 * CLOCK_SKEW_MS;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

/** The ULID time part (10 characters) of an instant. */
export function ulidTime(at: number): string {
  return base32(BigInt(Math.max(0, Math.floor(at))), 10);
}

export interface QueueDelivery {
  /** ApproximateFirstReceiveTimestamp (epoch ms): the same on every receive. */
  firstReceivedAt: number;
  /** SequenceNumber of a FIFO record (a decimal string of up to 20 digits). */
  sequenceNumber: string;
}

/** The message id of a queue record, or undefined when the record lacks what it takes. */
export function inboundMessageId(d: QueueDelivery | undefined): string | undefined {
  if (!d || !Number.isFinite(d.firstReceivedAt) || !/^\d{1,24}$/.test(d.sequenceNumber)) return undefined;
  // 80 bits hold any 24-digit number; SQS sequence numbers have 20.
  return ulidTime(d.firstReceivedAt) + base32(BigInt(d.sequenceNumber), 16);
}

/**
 * True when the queue's deduplication is enough: every other copy of this message, before
 * or after, reached the queue within its window. `sentAt` is Meta's timestamp (ms).
 */
export function coveredByQueueDedup(receivedAt: number, sentAt: number): boolean {
  if (!Number.isFinite(sentAt) || !Number.isFinite(receivedAt)) return false;
  const age = receivedAt - sentAt;
  return age > -CLOCK_SKEW_MS && age < FAST_MAX_AGE_MS;
}

/**
 * The lowest message id an earlier copy stored without a claim can have: such a copy was
 * first received after the message was sent, give or take the clocks.
 */
export function earliestUnclaimedId(sentAt: number): string {
  return ulidTime(sentAt - CLOCK_SKEW_MS) + '0'.repeat(16);
}
