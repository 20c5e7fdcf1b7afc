/**
 * Sending a message at most once, visibly (issue 13). Meta's `/messages` has no
 * idempotency key, so a crash after Meta accepted a message and before we recorded its
 * wamid leaves the send **in doubt**. The rules (pure; applied by shared/outbound/send.ts
 * and the sweeper, shared/engine/sweeper.ts):
 *
 * - every send carries our message's reference in `biz_opaque_callback_data`, which Meta
 *   echoes in each status webhook: a status finds the message even when its wamid was
 *   never recorded (the engine then records it);
 * - before the Graph call the message records `sendingAt` (and counts `sendAttempts`),
 *   conditionally, only from `pending`; Meta's answer records `sent` + wamid. A message
 *   `pending` with a `sendingAt` is a send in doubt;
 * - a redelivered job finding a send in doubt does not send: it waits for the status
 *   webhook until `IN_DOUBT_MS` after the attempt (Meta's `sent` usually comes within
 *   seconds). Past that, with no status, it resends **once** (logged, `sendAttempts` 2 on
 *   the message) — a rare duplicate on the customer's phone is accepted rather than a reply
 *   silently lost; a second attempt in doubt is never resent: the message fails visibly
 *   (`SEND_UNCONFIRMED`), and a status Meta sends later still settles it;
 * - the sweeper looks at what is still in flight past a deadline: a `pending` message no
 *   queue record has touched for `PENDING_IDLE_MS` (the queue retries at least every 15
 *   minutes) is queued again; a send in doubt past the deadline is queued again for its one
 *   resend; anything still unsettled `GIVE_UP_MS` after it was written (past the queue's
 *   retry horizon) fails visibly with a Portuguese reason.
 */

/** How long a send in doubt waits for Meta's status webhook before it may be resent. */
export const IN_DOUBT_MS = 3 * 60_000;
/**
 * How often a redelivered job looks again at a send in doubt. Short, because the send is
 * often not lost but slow: a first run still waiting for Meta when the visibility timeout
 * ran out. That run records `sent` a moment later, but its delete (an older receipt
 * handle) may not remove the record; a look every few seconds lets the conversation's
 * later replies go on instead of waiting out the whole deadline behind it.
 */
export const IN_DOUBT_POLL_SECONDS = 10;
/** A pending message untouched this long has no queue record working on it (backoff ≤ 15 min). */
export const PENDING_IDLE_MS = 20 * 60_000;
/** Still unsettled this long after it was written: the queue gave up (6 h horizon); fail it. */
export const GIVE_UP_MS = 7 * 3600_000;
/** Graph calls that may have been accepted, per message: the first and at most one resend. */
export const MAX_SEND_ATTEMPTS = 2;

/** Stable English codes in `error.details` of the failures the rules record. */
export const SEND_UNCONFIRMED = 'SEND_UNCONFIRMED';
export const SEND_ABANDONED = 'SEND_ABANDONED';

/** The fields of a message these rules read. */
export interface SendState {
  status: string;
  direction: string;
  createdAt: number;
  /** When the last Graph call began; present while the send is in doubt. */
  sendingAt?: number;
  /** Graph calls that may have been accepted. */
  sendAttempts?: number;
  /** When a Graph call was last begun (kept when Meta refused it and it went back to pending). */
  triedAt?: number;
  /** When the sweeper last queued it again. */
  nudgedAt?: number;
}

/** What a redelivered job does with a message in doubt. */
export type RedeliveryAction =
  | { do: 'wait'; retryAfterSeconds: number }
  | { do: 'resend' }
  | { do: 'fail'; error: { code: number; title: string; message: string; details: string } };

export function inDoubt(m: SendState): boolean {
  return m.direction === 'out' && m.status === 'pending' && m.sendingAt !== undefined;
}

/** The visible failure of a send nobody could confirm (after the one resend, or none). */
export const unconfirmedError = {
  code: 0,
  title: 'Envio não confirmado',
  message:
    'Não foi possível confirmar o envio desta mensagem pelo WhatsApp. Confira com o cliente antes de enviar de novo.',
  details: SEND_UNCONFIRMED,
};

/** The visible failure of a message that never left (the queue gave up on it). */
export const abandonedError = {
  code: 0,
  title: 'Envio não realizado',
  message: 'Não foi possível enviar esta mensagem: o WhatsApp não respondeu por horas. Tente enviar de novo.',
  details: SEND_ABANDONED,
};

/** A redelivered job and a message in doubt: wait for the status, resend once, or fail visibly. */
export function onRedelivery(m: SendState, now: number): RedeliveryAction {
  const deadline = (m.sendingAt ?? 0) + IN_DOUBT_MS;
  if (now < deadline)
    return {
      do: 'wait',
      retryAfterSeconds: Math.min(IN_DOUBT_POLL_SECONDS, Math.ceil((deadline - now) / 1000)),
    };
  if ((m.sendAttempts ?? 1) < MAX_SEND_ATTEMPTS) return { do: 'resend' };
  return { do: 'fail', error: unconfirmedError };
}

/** What the sweeper does with an unsettled message it finds. */
export type SweepAction =
  | { do: 'nothing' }
  | { do: 'requeue' }
  | { do: 'fail'; error: { code: number; title: string; message: string; details: string } };

export function sweepAction(m: SendState, now: number): SweepAction {
  if (m.direction !== 'out' || m.status !== 'pending') return { do: 'nothing' };
  if (now - m.createdAt >= GIVE_UP_MS)
    return { do: 'fail', error: m.sendingAt !== undefined ? unconfirmedError : abandonedError };
  if (m.sendingAt !== undefined) {
    if (now < m.sendingAt + IN_DOUBT_MS) return { do: 'nothing' };
    // In doubt past the deadline: the sender resends once, or the second attempt fails.
    const r = onRedelivery(m, now);
    if (r.do === 'fail') return r;
    const queuedForIt = m.nudgedAt !== undefined && m.nudgedAt >= m.sendingAt;
    return queuedForIt && now - m.nudgedAt! < PENDING_IDLE_MS ? { do: 'nothing' } : { do: 'requeue' };
  }
  const touched = Math.max(m.createdAt, m.nudgedAt ?? 0, m.triedAt ?? 0);
  return now - touched >= PENDING_IDLE_MS ? { do: 'requeue' } : { do: 'nothing' };
}

/**
 * The earliest a message written at `createdAt` can need the sweeper: the sweeper reads
 * only in-flight messages written before `now - SWEEP_AFTER_MS`.
 */
export const SWEEP_AFTER_MS = Math.min(IN_DOUBT_MS, PENDING_IDLE_MS);

/** Failures of the connection itself: the request never reached Meta, so nothing was accepted. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Could Meta have accepted a call that failed with `err`? Not when Meta answered with an
 * error (`answered`), nor when the connection never opened; a timeout, a reset or a crash
 * mid-call may have been accepted: the send is in doubt.
 */
export function mayHaveBeenAccepted(err: unknown, answered: boolean): boolean {
  if (answered) return false;
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NEVER_SENT_CODES.has(code)) return false;
    e = (e as { cause?: unknown }).cause;
  }
  return true;
}

// --- biz_opaque_callback_data ---------------------------------------------------------

const PREFIX = 'atende:';

/** Our reference to a message, sent as `biz_opaque_callback_data` (≤ 512 characters). */
export function callbackData(ref: { conversationId: string; messageId: string }): string {
  return `${PREFIX}${ref.conversationId}:${ref.messageId}`;
}

/** The message a status webhook's `biz_opaque_callback_data` names, if it is one of ours. */
export function parseCallbackData(
  data: string | undefined,
): { conversationId: string; messageId: string } | undefined {
  if (!data?.startsWith(PREFIX)) return undefined;
  const m = /^([0-9A-Za-z_-]{1,64}):([0-9A-Za-z_-]{1,64})$/.exec(data.slice(PREFIX.length));
  return m ? { conversationId: m[1]!, messageId: m[2]! } : undefined;
}
