/**
 * Poison never blocks a customer (issue 13, B), on the engine's side: an inbound item whose
 * content can never be stored (over DynamoDB's 400 KB, an id too long for a key) is refused
 * with a PermanentError before any write — so it goes to the dead-letter queue at once
 * (shared/queue/batch.ts) instead of being retried, and leaves nothing half-done in the
 * inbox — while the same customer's next message is stored as usual.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { PermanentError } from '#shared/errors.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { buildInboundHandler } from '#functions/inbound/build.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
beforeAll(async () => {
  kit = await engineKit();
});
afterAll(async () => kit.stop());

const conversationOf = async (phone: string) =>
  (await kit.conversations()).find((c) => c.contactPhone === phone);

const refusedForGood = (err: unknown) =>
  err instanceof PermanentError && err.code === 'INVALID_PAYLOAD' && /^\S/.test(err.message);

test('a message over 400 KB is refused for good before any write: no empty conversation in the inbox; the next one is stored', async () => {
  const phone = '5521977770001';
  const huge = kit.text(phone, 'a'.repeat(420_000), 'wamid.poison-huge');
  await assert.rejects(processInboundItem(huge, kit.deps), (err) => {
    assert.ok(refusedForGood(err), String(err));
    assert.match((err as Error).message, /400 KB/);
    return true;
  });
  assert.equal(await conversationOf(phone), undefined, 'no conversation opened for it');

  await processInboundItem(kit.text(phone, 'oi, de novo', 'wamid.poison-next'), kit.deps);
  const conv = (await conversationOf(phone))!;
  assert.deepEqual(
    (await kit.messages(conv.id)).map((m) => m.text),
    ['oi, de novo'],
  );
});

test('a message whose ids cannot be keys (a 2,000-character wamid or sender) is refused for good before any write', async () => {
  const phone = '5521977770002';
  const longWamid = kit.text(phone, 'oi', `wamid.${'x'.repeat(2000)}`);
  await assert.rejects(processInboundItem(longWamid, kit.deps), refusedForGood);
  const longSender: InboundQueueItem = {
    ...kit.text(phone, 'oi', 'wamid.poison-sender'),
    contact: { userId: `US.${'9'.repeat(2000)}` },
  };
  delete (longSender.message as { from?: string }).from;
  await assert.rejects(processInboundItem(longSender, kit.deps), refusedForGood);
  assert.equal(await conversationOf(phone), undefined);
});

test('through the inbound queue handler: such a record goes to the dead-letter queue on its first receive, with its reason, and is not retried', async () => {
  const dlqUrl = (
    await sqs().send(
      new CreateQueueCommand({
        QueueName: `poison-dlq-${randomUUID().slice(0, 8)}.fifo`,
        Attributes: { FifoQueue: 'true' },
      }),
    )
  ).QueueUrl!;
  const item = kit.text('5521977770003', 'oi', `wamid.${'y'.repeat(2000)}`);
  const handler = buildInboundHandler({ engine: kit.deps, queue: { sqs: sqs(), dlqUrl } });
  const event = {
    Records: [
      {
        messageId: 'm-poison',
        receiptHandle: 'r',
        body: JSON.stringify(item),
        attributes: {
          ApproximateReceiveCount: '1',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
          MessageGroupId: 'g-poison',
          SequenceNumber: '1',
        },
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:atende-inbound.fifo',
      },
    ],
  } as unknown as SQSEvent;
  assert.deepEqual((await handler(event, {} as never))!.batchItemFailures, []);
  const out = await sqs().send(
    new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }),
  );
  assert.equal(out.Messages?.length, 1);
  assert.match(
    out.Messages![0]!.MessageAttributes!.reason!.StringValue!,
    /^INVALID_PAYLOAD: message\.id of 2006 characters/,
  );
  assert.equal(out.Messages![0]!.MessageAttributes!.source!.StringValue, 'inbound');
});
