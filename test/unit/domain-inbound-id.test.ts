import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  CLOCK_SKEW_MS,
  DEDUP_WINDOW_MS,
  FAST_MAX_AGE_MS,
  coveredByQueueDedup,
  earliestUnclaimedId,
  inboundMessageId,
} from '#shared/domain/inbound-id.ts';

const at = Date.UTC(2026, 10, 24, 12, 0, 0);
const seq = (n: number) => String(n).padStart(20, '0');

test('a queue record gives the same ULID on every delivery', () => {
  const id = inboundMessageId({ firstReceivedAt: at, sequenceNumber: '18849496460467696128' })!;
  assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(inboundMessageId({ firstReceivedAt: at, sequenceNumber: '18849496460467696128' }), id);
});

test('ids sort by first receive, then by sequence number (one batch keeps the queue order)', () => {
  const ids = [
    inboundMessageId({ firstReceivedAt: at, sequenceNumber: seq(7) })!,
    inboundMessageId({ firstReceivedAt: at, sequenceNumber: seq(8) })!,
    inboundMessageId({ firstReceivedAt: at, sequenceNumber: seq(10) })!,
    inboundMessageId({ firstReceivedAt: at + 1, sequenceNumber: seq(3) })!,
  ];
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('a record without a sequence number (a standard queue, a direct call) has no derived id', () => {
  assert.equal(inboundMessageId(undefined), undefined);
  assert.equal(inboundMessageId({ firstReceivedAt: at, sequenceNumber: '' }), undefined);
  assert.equal(inboundMessageId({ firstReceivedAt: Number.NaN, sequenceNumber: seq(1) }), undefined);
});

test('the queue deduplicates a message received soon after it was sent, not a late one', () => {
  assert.ok(coveredByQueueDedup(at + 2_000, at));
  assert.ok(coveredByQueueDedup(at + FAST_MAX_AGE_MS - 1, at));
  assert.ok(!coveredByQueueDedup(at + FAST_MAX_AGE_MS, at));
  assert.ok(!coveredByQueueDedup(at + 3600_000, at));
  // Meta's clock ahead of ours, within the allowed skew; beyond it nothing is assumed.
  assert.ok(coveredByQueueDedup(at - CLOCK_SKEW_MS + 1, at));
  assert.ok(!coveredByQueueDedup(at - CLOCK_SKEW_MS - 1, at));
  assert.ok(!coveredByQueueDedup(at, Number.NaN));
  // Two copies both covered reached the queue within one deduplication window.
  assert.ok(FAST_MAX_AGE_MS + 2 * CLOCK_SKEW_MS <= DEDUP_WINDOW_MS);
});

test('an earlier unclaimed copy has an id no lower than the message’s sending time, minus the skew', () => {
  const copy = inboundMessageId({ firstReceivedAt: at - CLOCK_SKEW_MS + 5, sequenceNumber: seq(1) })!;
  assert.ok(copy >= earliestUnclaimedId(at));
  const before = inboundMessageId({ firstReceivedAt: at - CLOCK_SKEW_MS - 5, sequenceNumber: seq(1) })!;
  assert.ok(before < earliestUnclaimedId(at));
});
