import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffSeconds, processBatch } from '#shared/queue/batch.ts';

const rec = (id: string, group: string): SQSRecord =>
  ({
    messageId: id,
    body: id,
    attributes: { MessageGroupId: group, ApproximateReceiveCount: '1' },
  }) as unknown as SQSRecord;

test('a failure holds back the rest of its group, and only its group', async () => {
  const seen: string[] = [];
  const event = {
    Records: [rec('a1', 'A'), rec('b1', 'B'), rec('a2', 'A'), rec('a3', 'A'), rec('b2', 'B')],
  } as SQSEvent;
  const res = await processBatch(event, async (r) => {
    seen.push(r.messageId);
    if (r.messageId === 'a2') throw new Error('boom');
  });
  assert.deepEqual(
    res.batchItemFailures.map((f) => f.itemIdentifier),
    ['a2', 'a3'],
  );
  assert.ok(!seen.includes('a3'), 'a3 never ran before a2 succeeded');
  assert.ok(seen.indexOf('b1') < seen.indexOf('b2'), 'order within a group');
});

test('backoff grows with each receive, up to five minutes', () => {
  assert.equal(backoffSeconds(1), 2);
  assert.equal(backoffSeconds(3), 8);
  assert.equal(backoffSeconds(20), 300);
});
