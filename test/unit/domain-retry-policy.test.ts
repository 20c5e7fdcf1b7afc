import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  backoffSeconds,
  classifyError,
  decide,
  DEFAULT_RETRY_POLICY,
  isLastAttempt,
} from '#shared/domain/retry-policy.ts';
import { PermanentError, RetryLaterError } from '#shared/errors.ts';

/** An error shaped like the AWS SDK v3's service exceptions. */
const aws = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
const graph = (code: number, httpStatus: number, retryable = false) =>
  Object.assign(new Error(`graph ${code}`), { name: 'GraphApiError', code, httpStatus, retryable });
const net = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

const H = 3600_000;
const t0 = Date.parse('2026-12-03T10:00:00Z');

test('an outage is transient: DynamoDB throttling, AWS 5xx and throttling, network, Meta rate limits, retry-later', () => {
  const transient: [string, unknown][] = [
    ['DynamoDB throughput', aws('ProvisionedThroughputExceededException', 400)],
    ['DynamoDB throttling', aws('ThrottlingException', 400)],
    ['DynamoDB request limit', aws('RequestLimitExceeded', 400)],
    ['DynamoDB 500', aws('InternalServerError', 500)],
    ['DynamoDB 503', aws('ServiceUnavailable', 503)],
    ['SQS throttled', aws('RequestThrottled', 403)],
    ['SQS 500', aws('InternalError', 500)],
    ['Scheduler throttling', aws('ThrottlingException', 429)],
    ['Scheduler 500', aws('InternalServerException', 500)],
    ['S3 slow down', aws('SlowDown', 503)],
    ['any AWS 5xx', aws('SomethingNew', 502)],
    ['ECONNRESET', net('ECONNRESET')],
    ['ETIMEDOUT', net('ETIMEDOUT')],
    ['fetch failed', new TypeError('fetch failed')],
    ['wrapped network error', new Error('send failed', { cause: net('ECONNRESET') })],
    ['Graph 5xx', graph(2, 500)],
    ['Meta 130429 throughput', graph(130429, 400)],
    ['Meta 131056 pair rate', graph(131056, 400)],
    ['Meta 80007 WABA rate', graph(80007, 400)],
    ['Meta 4 app rate', graph(4, 400)],
    ['Meta 17 user rate', graph(17, 400)],
    ['Meta 32 page rate', graph(32, 400)],
    ['Meta 613 calls', graph(613, 400)],
    ['in doubt', new RetryLaterError('send in doubt: waiting for the status webhook')],
    ['a surprise (a bug) is retried, not dropped', new Error('undefined is not a function')],
  ];
  for (const [what, err] of transient) assert.equal(classifyError(err).kind, 'transient', what);
});

test('content that can never succeed is permanent, with a stable reason', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'PermanentError',
      new PermanentError('no such job', 'INVALID_PAYLOAD'),
      /^INVALID_PAYLOAD: no such job$/,
    ],
    ['PermanentError default code', new PermanentError('bad'), /^PERMANENT: bad$/],
    [
      'item too large',
      aws('ValidationException', 400, 'Item size has exceeded the maximum allowed size'),
      /^PERMANENT: ValidationException: Item size has exceeded/,
    ],
    [
      'key too long',
      aws('ValidationException', 400, 'Hash primary key values must be under 2048 bytes'),
      /^PERMANENT: ValidationException/,
    ],
    ['bad JSON', new SyntaxError('Unexpected token'), /^INVALID_PAYLOAD/],
    ['Meta final error', graph(131026, 400), /^PERMANENT: Graph API error 131026/],
    ['wrapped permanent', new Error('engine', { cause: new PermanentError('x') }), /^PERMANENT: x/],
  ];
  for (const [what, err, reason] of cases) {
    const c = classifyError(err);
    assert.equal(c.kind, 'permanent', what);
    assert.match((c as { reason: string }).reason, reason, what);
  }
});

test('backoff: full jitter under a ceiling that doubles from 2 s up to 15 minutes', () => {
  for (const r of [0, 0.001, 0.25, 0.5, 0.999]) {
    for (let n = 1; n <= 40; n++) {
      const ceiling = Math.min(900, 2 * 2 ** (n - 1));
      const d = backoffSeconds(n, r);
      assert.ok(d >= 1 && d <= ceiling, `n=${n} r=${r} d=${d}`);
    }
  }
  assert.equal(backoffSeconds(1, 0.999), 2);
  assert.equal(backoffSeconds(4, 0.999), 16);
  assert.equal(backoffSeconds(30, 0.999), 900);
  assert.equal(backoffSeconds(30, 0), 1);
  // jitter: different draws give different delays (no thundering herd after an outage)
  assert.notEqual(backoffSeconds(12, 0.1), backoffSeconds(12, 0.9));
});

test('a transient failure is retried for hours, then dead-lettered as RETRIES_EXHAUSTED', () => {
  const throttle = aws('ProvisionedThroughputExceededException', 400);
  // A minute, an hour, five hours into an outage: still retried (the old policy gave up after ~1 min).
  for (const elapsed of [60_000, H, 5 * H]) {
    const d = decide(throttle, { receiveCount: 6, firstReceivedAt: t0, now: t0 + elapsed }, 0.5);
    assert.equal(d.action, 'retry', `after ${elapsed} ms`);
  }
  const d = decide(throttle, { receiveCount: 40, firstReceivedAt: t0, now: t0 + 6 * H + 1 }, 0.5);
  assert.equal(d.action, 'dead-letter');
  assert.match(
    (d as { reason: string }).reason,
    /^RETRIES_EXHAUSTED: 40 attempts over 6 h; last error: ProvisionedThroughputExceededException/,
  );
});

test('a permanent failure is dead-lettered on its first attempt', () => {
  const d = decide(
    new PermanentError('too big', 'INVALID_PAYLOAD'),
    { receiveCount: 1, firstReceivedAt: t0, now: t0 },
    0.5,
  );
  assert.deepEqual(d, { action: 'dead-letter', reason: 'INVALID_PAYLOAD: too big' });
});

test('the retry horizon fits SQS: backing off at the ceiling never reaches maxReceiveCount first', () => {
  // Worst case for the receive count: every draw is the smallest delay. Even then the
  // receive at maxReceives is the last attempt, so the function (not SQS) dead-letters it.
  assert.ok(isLastAttempt({ receiveCount: DEFAULT_RETRY_POLICY.maxReceives, firstReceivedAt: t0, now: t0 }));
  assert.ok(
    !isLastAttempt({ receiveCount: DEFAULT_RETRY_POLICY.maxReceives - 1, firstReceivedAt: t0, now: t0 }),
  );
  // With the mean draw, the horizon (6 h) comes well before 100 receives.
  let at = 0;
  let n = 1;
  while (at < DEFAULT_RETRY_POLICY.horizonMs) at += backoffSeconds(n++, 0.5) * 1000;
  assert.ok(n < DEFAULT_RETRY_POLICY.maxReceives, `${n} receives in the horizon`);
  assert.ok(DEFAULT_RETRY_POLICY.capSeconds <= 12 * 3600, 'within SQS’s 12 h visibility maximum');
});

test('retry-later asks for at least its delay, never past the ceiling', () => {
  const a = { receiveCount: 1, firstReceivedAt: t0, now: t0 };
  assert.deepEqual(decide(new RetryLaterError('wait', { retryAfterSeconds: 120 }), a, 0.5), {
    action: 'retry',
    delaySeconds: 120,
  });
  assert.deepEqual(decide(new RetryLaterError('wait', { retryAfterSeconds: 99_999 }), a, 0.5), {
    action: 'retry',
    delaySeconds: 900,
  });
});

test('properties: a delay is within 1 s and the ceiling; a permanent error is never retried; nothing is retried past the horizon', () => {
  const transientErrors = [
    aws('ProvisionedThroughputExceededException', 400),
    aws('InternalServerError', 500),
    net('ECONNRESET'),
    graph(131056, 400),
    new RetryLaterError('later', { retryAfterSeconds: 30 }),
    new Error('surprise'),
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.double({ min: 0, max: 0.999999, noNaN: true }),
      fc.integer({ min: 0, max: 48 * H }),
      fc.integer({ min: 0, max: transientErrors.length - 1 }),
      (receiveCount, random, elapsed, which) => {
        const a = { receiveCount, firstReceivedAt: t0, now: t0 + elapsed };
        const b = backoffSeconds(receiveCount, random);
        assert.ok(b >= 1 && b <= Math.min(900, 2 * 2 ** Math.min(30, receiveCount - 1)));
        assert.equal(decide(new PermanentError('x'), a, random).action, 'dead-letter');
        const d = decide(transientErrors[which], a, random);
        const last =
          elapsed >= DEFAULT_RETRY_POLICY.horizonMs || receiveCount >= DEFAULT_RETRY_POLICY.maxReceives;
        assert.equal(d.action, last ? 'dead-letter' : 'retry');
        if (d.action === 'retry')
          assert.ok(d.delaySeconds >= 1 && d.delaySeconds <= DEFAULT_RETRY_POLICY.capSeconds);
        else assert.match(d.reason, /^RETRIES_EXHAUSTED: /);
      },
    ),
  );
});
