/**
 * fn inbound as Lambda runs it: real SQSEvent batches from a FIFO queue on the local
 * stand-in. A record that fails holds back the later records of its conversation (and only
 * those), comes back after a short backoff, and the conversation ends in order.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message as SqsMessage,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { toRecord } from '#infra/local/sqs-poller.ts';
import { processBatch } from '#shared/queue/batch.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';
import { buildInboundHandler } from '#functions/inbound/build.ts';

let kit: EngineKit;
let sqs: SQSClient;
let queueUrl: string;
let queueArn: string;
let handler: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  kit = await engineKit();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: `inbound-${randomBytes(4).toString('hex')}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '60' },
    }),
  );
  queueUrl = q.QueueUrl!;
  queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  // fn inbound's handler with the kit's engine (its configuration is tested in test/unit/config.test.ts).
  handler = buildInboundHandler({ engine: kit.deps, queue: { sqs } }) as unknown as typeof handler;
});
afterAll(async () => {
  sqs.destroy();
  await kit.stop();
});

async function send(item: InboundQueueItem, group: string, dedup: string) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(item),
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
}

/** Receives until `count` messages came (or the wait ends), as the event-source mapping does. */
async function receive(count: number): Promise<SqsMessage[]> {
  const got: SqsMessage[] = [];
  for (let i = 0; i < 10 && got.length < count; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    got.push(...(out.Messages ?? []));
  }
  return got;
}

/** One Lambda invocation: the handler, then the successful records deleted. */
async function invoke(messages: SqsMessage[]): Promise<string[]> {
  const records = messages.map((m) => toRecord(m, queueArn, 'us-east-1'));
  const result = await handler({ Records: records }, {});
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
  return records.filter((r) => failed.has(r.messageId)).map((r) => JSON.parse(r.body).message.id as string);
}

test('a failing record comes back after a short backoff, ahead of its conversation’s next messages', async () => {
  const ana = '5521970000001';
  const bruno = '5521970000002';
  kit.graph.media.set('2001', { bytes: Buffer.from('JPEG'), mime: 'image/jpeg' });
  const image: InboundQueueItem = {
    kind: 'message',
    phoneNumberId: kit.number.phoneNumberId,
    contact: { waId: ana, name: 'Ana' },
    message: {
      from: ana,
      id: 'wamid.ana-1',
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'image',
      image: { id: '2001', mime_type: 'image/jpeg' },
    },
    receivedAt: Date.now(),
  };
  await send(image, `${kit.number.phoneNumberId}:${ana}`, 'wamid.ana-1');
  await send(kit.text(bruno, 'oi', 'wamid.bruno-1'), `${kit.number.phoneNumberId}:${bruno}`, 'wamid.bruno-1');
  await send(
    kit.text(ana, 'viu a foto?', 'wamid.ana-2'),
    `${kit.number.phoneNumberId}:${ana}`,
    'wamid.ana-2',
  );
  kit.graph.failNext('download', 1, 500, 131000);

  // The stand-in hands out one message per group at a time; Ana's second waits behind her first.
  const first = await receive(2);
  assert.deepEqual(await invoke(first), ['wamid.ana-1']);

  const convs = await kit.conversations();
  const brunoConv = convs.find((c) => c.contactPhone === bruno)!;
  assert.deepEqual(
    (await kit.messages(brunoConv.id)).map((m) => m.text),
    ['oi'],
  );
  const anaConv = convs.find((c) => c.contactPhone === ana)!;
  assert.deepEqual(
    (await kit.messages(anaConv.id)).map((m) => [m.type, m.media?.status]),
    [['image', 'pending']],
  );

  // Back after the function's backoff (2 s, not the queue's 60 s visibility timeout), first in line.
  const again = await receive(1);
  assert.deepEqual(
    again.map((m) => [JSON.parse(m.Body!).message.id, m.Attributes?.ApproximateReceiveCount]),
    [['wamid.ana-1', '2']],
  );
  assert.deepEqual(await invoke(again), []);
  assert.deepEqual(await invoke(await receive(1)), []);

  assert.deepEqual(
    (await kit.messages(anaConv.id)).map((m) => [m.type, m.media?.status ?? m.text]),
    [
      ['image', 'stored'],
      ['text', 'viu a foto?'],
    ],
  );
});

test('within one batch, a failed record fails the later records of its group and no others', async () => {
  const record = (id: string, group: string) =>
    toRecord(
      {
        MessageId: id,
        ReceiptHandle: `rh-${id}`,
        Body: '{}',
        Attributes: { MessageGroupId: group, ApproximateReceiveCount: '1' },
      },
      queueArn,
      'us-east-1',
    );
  const seen: string[] = [];
  const result = await processBatch(
    { Records: [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('b2', 'B')] },
    async (r) => {
      seen.push(r.messageId);
      if (r.messageId === 'a1') throw new Error('boom');
    },
  );
  assert.deepEqual(seen.sort(), ['a1', 'b1', 'b2']);
  assert.deepEqual(
    result.batchItemFailures.map((f) => f.itemIdentifier),
    ['a1', 'a2'],
  );
});
