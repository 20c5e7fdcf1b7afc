import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { processBatch } from '#shared/queue/batch.ts';
import { PermanentError } from '#shared/errors.ts';

const t0 = Date.parse('2026-12-03T10:00:00Z');
const rec = (id: string, group: string, receiveCount = 1): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: id,
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    attributes: {
      MessageGroupId: group,
      ApproximateReceiveCount: String(receiveCount),
      ApproximateFirstReceiveTimestamp: String(t0),
    },
  }) as unknown as SQSRecord;

/** Records the commands sent (a unit test's SQS; the integration test uses the real stand-in). */
function recordingSqs(failDlq = false) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      if (cmd.constructor.name === 'GetQueueUrlCommand') return { QueueUrl: 'http://q' };
      if (failDlq && cmd.constructor.name === 'SendMessageCommand') throw new Error('DLQ down');
      return {};
    },
  };
  return { sqs: client as unknown as SQSClient, sent };
}

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

test('a transient failure comes back after one jittered delay for its whole group, nothing dead-lettered', async () => {
  const { sqs, sent } = recordingSqs();
  const event = { Records: [rec('a1', 'A', 7), rec('a2', 'A', 7)] } as SQSEvent;
  const res = await processBatch(
    event,
    async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    },
    { sqs, dlqUrl: 'http://dlq', source: 'inbound', now: () => t0 + 3600_000, random: () => 0.5 },
  );
  assert.equal(res.batchItemFailures.length, 2);
  const delays = sent
    .filter((c) => c.name === 'ChangeMessageVisibilityCommand')
    .map((c) => c.input.VisibilityTimeout);
  // 7th receive: ceiling 2·2⁶ = 128 s, half of it with random 0.5; the same for the group.
  assert.deepEqual(delays, [64, 64]);
  assert.ok(!sent.some((c) => c.name === 'SendMessageCommand'));
});

test('a permanent failure is dead-lettered with the agreed attributes and its group goes on', async () => {
  const { sqs, sent } = recordingSqs();
  const done: string[] = [];
  const event = { Records: [rec('a1', 'A'), rec('a2', 'A')] } as SQSEvent;
  const res = await processBatch(
    event,
    async (r) => {
      if (r.messageId === 'a1') throw new PermanentError('item over 400 KB');
      done.push(r.messageId);
    },
    { sqs, dlqUrl: 'http://dlq', source: 'inbound', now: () => t0 },
  );
  assert.deepEqual(res.batchItemFailures, []);
  assert.deepEqual(done, ['a2']);
  const [dl] = sent.filter((c) => c.name === 'SendMessageCommand');
  assert.equal(dl!.input.QueueUrl, 'http://dlq');
  assert.equal(dl!.input.MessageBody, 'a1');
  assert.equal(dl!.input.MessageGroupId, 'A');
  assert.deepEqual(dl!.input.MessageAttributes, {
    reason: { DataType: 'String', StringValue: 'PERMANENT: item over 400 KB' },
    failedAt: { DataType: 'String', StringValue: '2026-12-03T10:00:00.000Z' },
    source: { DataType: 'String', StringValue: 'inbound' },
  });
});

test('when the DLQ cannot be reached the record is retried, never acknowledged', async () => {
  const { sqs } = recordingSqs(true);
  const res = await processBatch(
    { Records: [rec('a1', 'A')] } as SQSEvent,
    async () => {
      throw new PermanentError('bad');
    },
    { sqs, dlqUrl: 'http://dlq', source: 'inbound', now: () => t0 },
  );
  assert.deepEqual(res.batchItemFailures, [{ itemIdentifier: 'a1' }]);
});
