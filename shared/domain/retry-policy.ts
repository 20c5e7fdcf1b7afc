/**
 * What a queue-fed function does with a record whose work failed (pure; applied by
 * shared/queue/batch.ts):
 *
 * - **permanent** errors (PermanentError, a body of the wrong shape, DynamoDB's
 *   ValidationException — item over 400 KB, key too long —, a Graph error Meta calls
 *   final) go to the queue's dead-letter queue at once: a retry cannot fix them;
 * - **transient** ones (throttling, 5xx, network, Meta's rate limits, RetryLaterError)
 *   and anything unrecognised are retried after a backoff with full jitter (2 s doubling,
 *   capped at 15 minutes) until the retry horizon (hours) has passed since the record's
 *   first receive; the first failure after that dead-letters it as RETRIES_EXHAUSTED.
 *
 * A record that is retried holds the rest of its FIFO group (that is the order guarantee),
 * so an outage delays a conversation but loses and reorders nothing.
 */

export interface RetryPolicy {
  /** Backoff of the first retry's ceiling, doubled at each receive. */
  baseSeconds: number;
  /** The backoff's ceiling never grows past this. */
  capSeconds: number;
  /** After this long since the first receive, a failure dead-letters the record. */
  horizonMs: number;
  /**
   * SQS moves the record to the DLQ by itself after this many receives (the queue's
   * maxReceiveCount): the receive that reaches it is the last attempt, whatever the time.
   */
  maxReceives: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseSeconds: 2,
  capSeconds: 15 * 60,
  horizonMs: 6 * 3600_000,
  maxReceives: 100,
};

export type ErrorClass =
  { kind: 'transient'; retryAfterSeconds?: number } | { kind: 'permanent'; reason: string };

/** Reasons (the DLQ's `reason` attribute): a stable English code, then `: ` and a detail. */
export const REASONS = {
  invalidPayload: 'INVALID_PAYLOAD',
  permanent: 'PERMANENT',
  exhausted: 'RETRIES_EXHAUSTED',
} as const;

const THROTTLING_OR_SERVER = new Set([
  // DynamoDB
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  // SQS, Scheduler, S3, Secrets Manager and the SDK in general
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ServiceUnavailableException',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'KMSThrottlingException',
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Meta's "later" codes: rate limits (app, user, page, account, pair), throughput, temporary
 * errors, maintenance. The one list: the Graph client's GraphApiError.retryable and the
 * queues' retry policy both read it through isMetaRetryable.
 */
const META_TRANSIENT_CODES = new Set([
  1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056, 131057, 133004,
]);
/** Meta's codes that no retry fixes even when the HTTP status is 429 or 5xx. */
const META_PERMANENT_CODES = new Set([131047, 190, 131026, 131051, 368]);

/** Can calling Meta again help? Its "later" codes, and 429/5xx unless the code is final. */
export function isMetaRetryable(code: number, httpStatus: number): boolean {
  if (META_TRANSIENT_CODES.has(code)) return true;
  return (httpStatus === 429 || httpStatus >= 500) && !META_PERMANENT_CODES.has(code);
}

/** DynamoDB (and other AWS) errors about the request itself: the same content fails again. */
const AWS_PERMANENT = new Set([
  'ValidationException',
  'SerializationException',
  'ItemCollectionSizeLimitExceededException',
]);

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  retryable?: unknown;
  retryAfterSeconds?: unknown;
  httpStatus?: unknown;
  status?: unknown;
  statusCode?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
  $retryable?: unknown;
};

const short = (s: unknown, max = 200) =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .slice(0, max);

/** One error (not its causes) classified, or undefined when nothing about it is known. */
function classifyOne(e: ErrorLike): ErrorClass | undefined {
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'PermanentError')
    return { kind: 'permanent', reason: `${short(e.code) || REASONS.permanent}: ${short(e.message)}` };
  if (name === 'RetryLaterError')
    return {
      kind: 'transient',
      ...(typeof e.retryAfterSeconds === 'number' ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
    };
  if (name === 'ZodError' || name === 'SyntaxError')
    return { kind: 'permanent', reason: `${REASONS.invalidPayload}: ${name}` };
  if (name === 'GraphApiError' && typeof e.code === 'number') {
    const status = typeof e.httpStatus === 'number' ? e.httpStatus : 0;
    if (isMetaRetryable(e.code, status) || e.retryable === true) return { kind: 'transient' };
    return { kind: 'permanent', reason: `${REASONS.permanent}: Graph API error ${e.code} (HTTP ${status})` };
  }
  if (AWS_PERMANENT.has(name))
    return { kind: 'permanent', reason: `${REASONS.permanent}: ${name}: ${short(e.message)}` };
  if (THROTTLING_OR_SERVER.has(name)) return { kind: 'transient' };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return { kind: 'transient' };
  if (name === 'TypeError' && e.message === 'fetch failed') return { kind: 'transient' };
  const status = [e.$metadata?.httpStatusCode, e.statusCode, e.status].find((s) => typeof s === 'number') as
    number | undefined;
  if (status !== undefined && (status === 429 || status >= 500)) return { kind: 'transient' };
  if (e.$retryable) return { kind: 'transient' };
  return undefined;
}

/**
 * Transient or permanent. Causes are looked at too (an error wrapping a throttle is
 * transient); an error nothing is known about counts as transient: retrying a surprise
 * for a few hours loses nothing, dead-lettering it at once might.
 */
export function classifyError(err: unknown): ErrorClass {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const hit = classifyOne(e as ErrorLike);
    if (hit) return hit;
    e = (e as ErrorLike).cause;
  }
  return { kind: 'transient' };
}

/**
 * Seconds before the record is received again after its `receiveCount`-th receive failed:
 * full jitter, uniform between 1 s and min(cap, base·2^(n−1)); `random` in [0, 1).
 */
export function backoffSeconds(
  receiveCount: number,
  random: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const exp = Math.min(30, Math.max(0, receiveCount - 1));
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** exp);
  return Math.max(1, Math.min(policy.capSeconds, Math.ceil(random * ceiling)));
}

export interface Attempt {
  /** SQS's ApproximateReceiveCount (1 on the first receive). */
  receiveCount: number;
  /** SQS's ApproximateFirstReceiveTimestamp (ms). */
  firstReceivedAt: number;
  now: number;
}

/** Is this receive the last one (a failure now dead-letters the record)? Handlers use it to record a visible failure first. */
export function isLastAttempt(a: Attempt, policy: RetryPolicy = DEFAULT_RETRY_POLICY): boolean {
  return a.now - a.firstReceivedAt >= policy.horizonMs || a.receiveCount >= policy.maxReceives;
}

export type RetryDecision =
  { action: 'retry'; delaySeconds: number } | { action: 'dead-letter'; reason: string };

/** What to do with a record whose work failed with `err` on this attempt. */
export function decide(
  err: unknown,
  a: Attempt,
  random: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryDecision {
  const c = classifyError(err);
  if (c.kind === 'permanent') return { action: 'dead-letter', reason: c.reason };
  if (isLastAttempt(a, policy)) {
    const hours = Math.round(((a.now - a.firstReceivedAt) / 3600_000) * 10) / 10;
    return {
      action: 'dead-letter',
      reason: `${REASONS.exhausted}: ${a.receiveCount} attempts over ${hours} h; last error: ${errorSummary(err)}`,
    };
  }
  const delay = backoffSeconds(a.receiveCount, random, policy);
  return {
    action: 'retry',
    delaySeconds: Math.min(policy.capSeconds, Math.max(delay, Math.ceil(c.retryAfterSeconds ?? 0))),
  };
}

/** The error's name and message, short, for logs and the DLQ's reason (never a secret: no bodies). */
export function errorSummary(err: unknown): string {
  const e = (err ?? {}) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  return short(`${name}: ${short(e.message, 160)}`);
}
