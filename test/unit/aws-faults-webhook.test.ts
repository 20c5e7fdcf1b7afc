/**
 * fn webhook when SQS fails (aws-sdk-client-mock: a stand-in never answers 500). Meta
 * retries a delivery that was not answered 200, so the webhook answers 200 only once every
 * valid item is in the inbound queue: a 500 from SQS, on any chunk, fails the delivery (the
 * Lambda fails, API Gateway answers 500) and Meta's retry carries the same deduplication
 * ids, so what was queued before the failure is not queued twice.
 */
import { beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { SendMessageBatchCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { signBody } from '#shared/whatsapp/signature.ts';

const appSecret = 'test-app-secret';
const sqs = new SQSClient({ region: 'us-east-1' });
const sqsMock = mockClient(sqs);
const logs: { level: string; msg: string }[] = [];
const deps: WebhookDeps = {
  secrets: async () => ({ appSecret, verifyToken: 'verify-me' }),
  sqs,
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound.fifo',
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound-dlq.fifo',
  now: () => 1_700_000_000_000,
  log: (level, msg) => logs.push({ level, msg }),
};

/** Meta's delivery of `count` text messages from one customer (two SQS batches past 10). */
function delivery(count: number): APIGatewayProxyEventV2 {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '5511900000001', phone_number_id: '777000' },
              contacts: [{ profile: { name: 'Maria' }, wa_id: '5511999990000' }],
              messages: Array.from({ length: count }, (_, i) => ({
                from: '5511999990000',
                id: `wamid.m-${i}`,
                timestamp: '1700000000',
                type: 'text',
                text: { body: `mensagem ${i}` },
              })),
            },
          },
        ],
      },
    ],
  });
  return {
    requestContext: { http: { method: 'POST' } },
    headers: { 'x-hub-signature-256': signBody(body, appSecret) },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

const serverError = () =>
  new SQSServiceException({
    name: 'InternalError',
    $fault: 'server',
    message: 'We encountered an internal error. Please try again.',
    $metadata: { httpStatusCode: 500 },
  });

/** The deduplication ids SQS was asked to queue, per SendMessageBatch call. */
const sentIds = () =>
  sqsMock
    .commandCalls(SendMessageBatchCommand)
    .map((c) => (c.args[0].input.Entries ?? []).map((e) => e.MessageDeduplicationId));

const accepted = (n: number, from = 0) => ({
  Successful: Array.from({ length: n }, (_, j) => ({
    Id: String(j),
    MessageId: `sqs-${from + j}`,
    MD5OfMessageBody: '',
  })),
  Failed: [],
});

describe('SQS answering 500 when the webhook enqueues', () => {
  beforeEach(() => {
    sqsMock.reset();
    logs.length = 0;
  });

  test('a 500 on the only batch: the delivery fails (Meta retries); the retry is queued and answered 200', async () => {
    sqsMock.on(SendMessageBatchCommand).rejectsOnce(serverError()).resolves(accepted(3));
    await assert.rejects(handleWebhook(delivery(3), deps), { name: 'InternalError' });
    assert.ok(!logs.some((l) => l.msg === 'webhook accepted'), 'nothing logged as accepted');

    const retry = await handleWebhook(delivery(3), deps);
    assert.equal(retry.statusCode, 200);
    const [first, second] = sentIds();
    assert.deepEqual(second, first, "Meta's retry queues the same items with the same deduplication ids");
  });

  test('a 500 on the second batch after the first was queued: not 200; the retry repeats the first batch’s deduplication ids (SQS drops those copies)', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce(accepted(10))
      .rejectsOnce(serverError())
      .resolves(accepted(10));
    await assert.rejects(handleWebhook(delivery(12), deps));
    const failedRun = sentIds();
    assert.equal(failedRun.length, 2, 'two batches tried');

    sqsMock.reset();
    sqsMock
      .on(SendMessageBatchCommand)
      .callsFake((input: { Entries: unknown[] }) => accepted(input.Entries.length));
    assert.equal((await handleWebhook(delivery(12), deps)).statusCode, 200);
    assert.deepEqual(sentIds(), failedRun, 'the same items, the same ids, the same batches');
    assert.equal(new Set(failedRun.flat()).size, 12, 'every message has its own id');
  });

  test('SQS refusing entries for its own fault (SenderFault false): the delivery fails, none is dead-lettered as bad content', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'sqs-0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
    });
    await assert.rejects(handleWebhook(delivery(2), deps), /SQS refused 1 webhook items: InternalError/);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    assert.equal(calls.length, 1, 'nothing sent to the dead-letter queue');
    assert.equal(calls[0]!.args[0].input.QueueUrl, deps.queueUrl);
  });

  test('a throttled SendMessageBatch: the delivery fails the same way', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(
      new SQSServiceException({
        name: 'RequestThrottled',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await assert.rejects(handleWebhook(delivery(1), deps), { name: 'RequestThrottled' });
  });
});
