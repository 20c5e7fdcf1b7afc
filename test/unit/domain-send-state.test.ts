import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  callbackData,
  GIVE_UP_MS,
  IN_DOUBT_MS,
  IN_DOUBT_POLL_SECONDS,
  mayHaveBeenAccepted,
  onRedelivery,
  parseCallbackData,
  PENDING_IDLE_MS,
  SEND_ABANDONED,
  SEND_UNCONFIRMED,
  sweepAction,
  type SendState,
} from '#shared/domain/send-state.ts';

const T = Date.UTC(2026, 11, 3, 12);
const pending = (extra: Partial<SendState> = {}): SendState => ({
  status: 'pending',
  direction: 'out',
  createdAt: T,
  ...extra,
});

test('a redelivery finding a send in doubt waits for the status webhook until the deadline', () => {
  const m = pending({ sendingAt: T, sendAttempts: 1 });
  // It looks again every few seconds (the first run may just be slow), never past the deadline.
  assert.deepEqual(onRedelivery(m, T + 1000), { do: 'wait', retryAfterSeconds: IN_DOUBT_POLL_SECONDS });
  assert.deepEqual(onRedelivery(m, T + IN_DOUBT_MS - 3000), { do: 'wait', retryAfterSeconds: 3 });
  assert.deepEqual(onRedelivery(m, T + IN_DOUBT_MS), { do: 'resend' });
});

test('a second send in doubt is never resent: it fails visibly in Portuguese', () => {
  const r = onRedelivery(pending({ sendingAt: T, sendAttempts: 2 }), T + IN_DOUBT_MS);
  assert.equal(r.do, 'fail');
  assert.ok(r.do === 'fail' && r.error.details === SEND_UNCONFIRMED);
  assert.match(r.do === 'fail' ? r.error.message : '', /Não foi possível confirmar o envio/);
});

test('the sweeper: a pending message nobody touched is queued again, then given time', () => {
  assert.deepEqual(sweepAction(pending(), T + PENDING_IDLE_MS - 1), { do: 'nothing' });
  assert.deepEqual(sweepAction(pending(), T + PENDING_IDLE_MS), { do: 'requeue' });
  // Tried by the queue (Meta refused, backing off): the record is alive.
  assert.deepEqual(sweepAction(pending({ triedAt: T + 60_000 }), T + PENDING_IDLE_MS), { do: 'nothing' });
  // Queued again a minute ago: that job gets its chance.
  const nudged = pending({ nudgedAt: T + PENDING_IDLE_MS });
  assert.deepEqual(sweepAction(nudged, T + PENDING_IDLE_MS + 60_000), { do: 'nothing' });
  assert.deepEqual(sweepAction(nudged, T + 2 * PENDING_IDLE_MS), { do: 'requeue' });
});

test('the sweeper: a send in doubt past its deadline is queued for its one resend, once', () => {
  const m = pending({ sendingAt: T, sendAttempts: 1 });
  assert.deepEqual(sweepAction(m, T + IN_DOUBT_MS - 1), { do: 'nothing' });
  assert.deepEqual(sweepAction(m, T + IN_DOUBT_MS), { do: 'requeue' });
  assert.deepEqual(sweepAction({ ...m, nudgedAt: T + IN_DOUBT_MS }, T + IN_DOUBT_MS + 60_000), {
    do: 'nothing',
  });
});

test('the sweeper fails visibly what is unconfirmed after its resend, or unsettled for hours', () => {
  const resent = sweepAction(pending({ sendingAt: T, sendAttempts: 2, nudgedAt: T }), T + IN_DOUBT_MS);
  assert.ok(resent.do === 'fail' && resent.error.details === SEND_UNCONFIRMED);
  const stuck = sweepAction(pending({ nudgedAt: T + GIVE_UP_MS - 1 }), T + GIVE_UP_MS);
  assert.ok(stuck.do === 'fail' && stuck.error.details === SEND_ABANDONED);
  assert.match(stuck.do === 'fail' ? stuck.error.message : '', /Não foi possível enviar/);
});

test('the sweeper leaves settled and incoming messages alone', () => {
  for (const m of [pending({ status: 'sent' }), pending({ status: 'failed' }), pending({ direction: 'in' })])
    assert.deepEqual(sweepAction(m, T + GIVE_UP_MS), { do: 'nothing' });
});

test('biz_opaque_callback_data names the message; anything else is not ours', () => {
  const ref = { conversationId: '01KBXYZ', messageId: '01KBABC' };
  assert.deepEqual(parseCallbackData(callbackData(ref)), ref);
  assert.ok(callbackData(ref).length <= 512);
  for (const other of [undefined, '', 'some data', 'atende:a:b:c', 'atende:', 'atende:x'])
    assert.equal(parseCallbackData(other), undefined);
});

test('only a call that may have reached Meta leaves the send in doubt', () => {
  const refused = Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
  assert.equal(mayHaveBeenAccepted(new Error('Network error', { cause: refused }), false), false);
  assert.equal(mayHaveBeenAccepted(new Error('Meta said 400'), true), false);
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.equal(mayHaveBeenAccepted(new Error('Network error', { cause: reset }), false), true);
  assert.equal(mayHaveBeenAccepted(new DOMException('timed out', 'TimeoutError'), false), true);
});
