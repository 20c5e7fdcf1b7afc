/**
 * Property-based test of the webhook handler against the real queues (fauxqs): signed
 * bodies made from Meta's real payloads with mutations (test/unit/webhook-fuzz-kit.ts) are
 * answered 200 or 4xx, never 5xx; every valid message and status reaches the inbound
 * queue, and every malformed item the dead-letter queue with its reason. On a failure
 * fast-check prints the seed and the shrunk counterexample.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { webhookBodyProblem } from '#shared/domain/json-limits.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { signBody } from '#shared/whatsapp/signature.ts';
import { validItems, webhookBody } from '../unit/webhook-fuzz-kit.ts';

const appSecret = 'fuzz-app-secret';

async function newQueue(): Promise<string> {
  const out = await sqs().send(
    new CreateQueueCommand({
      QueueName: `fuzz-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  return out.QueueUrl!;
}

async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) return all;
    all.push(...out.Messages);
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

test('any signed mutated webhook body: 200 or 4xx, never 5xx; valid items reach the queue beside invalid ones, which reach the dead-letter queue', async () => {
  await fc.assert(
    fc.asyncProperty(webhookBody, async ({ json }) => {
      const body = JSON.stringify(json);
      const deps: WebhookDeps = {
        secrets: async () => ({ appSecret, verifyToken: 'v' }),
        sqs: sqs(),
        queueUrl: await newQueue(),
        deadLetterQueueUrl: await newQueue(),
        now: () => 1_700_000_000_000,
        log: () => {},
      };
      try {
        const res = await handleWebhook(
          {
            requestContext: { http: { method: 'POST' } },
            headers: { 'x-hub-signature-256': signBody(body, appSecret) },
            body,
            isBase64Encoded: false,
          } as unknown as APIGatewayProxyEventV2,
          deps,
        );
        const queued = await drain(deps.queueUrl);
        const dead = await drain(deps.deadLetterQueueUrl!);
        const problem = webhookBodyProblem(Buffer.from(body));
        if (problem) {
          assert.equal(res.statusCode, problem.statusCode);
          assert.equal(queued.length + dead.length, 0);
          return;
        }
        assert.equal(res.statusCode, 200);
        const ids = new Set(queued.map((m) => m.Attributes!.MessageDeduplicationId));
        for (const want of validItems(json)) {
          if (ids.has(want.dedupId)) continue;
          assert.ok(want.big, `valid ${want.kind} ${want.dedupId} did not reach the queue`);
        }
        for (const m of queued) assert.notEqual(JSON.parse(m.Body!).kind, 'unparsed');
        for (const m of dead) {
          assert.match(m.MessageAttributes!.reason!.StringValue!, /^INVALID_PAYLOAD: \S/);
          assert.equal(m.MessageAttributes!.source!.StringValue, 'webhook');
          assert.equal(JSON.parse(m.Body!).kind, 'unparsed');
        }
      } finally {
        await sqs().send(new DeleteQueueCommand({ QueueUrl: deps.queueUrl }));
        await sqs().send(new DeleteQueueCommand({ QueueUrl: deps.deadLetterQueueUrl }));
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
  );
});
