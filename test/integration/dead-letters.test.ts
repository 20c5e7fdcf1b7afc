/**
 * Retries and dead letters on the real queue stand-in and DynamoDB Local: a throttle that
 * outlasts the old minute of retries loses and reorders nothing; content that can never
 * succeed goes to the dead-letter queue at once with its reason; a record still failing
 * past the retry horizon goes there as RETRIES_EXHAUSTED. The clock (horizon) and the
 * jitter are injected instead of waiting hours.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
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
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { toRecord } from '#infra/local/sqs-poller.ts';
import { topology } from '#infra/topology.ts';
import { recordsHandler } from '#shared/queue/batch.ts';
import { inboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { buildInboundHandler } from '#functions/inbound/build.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  putDeadLetter,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

type Handler = (event: SQSEvent, context?: unknown) => Promise<SQSBatchResponse>;

let kit: EngineKit;
let sqs: SQSClient;
let queueUrl: string;
let queueArn: string;
let dlqUrl: string;
/** fn inbound as deployed (its builder, with the queue's dead-letter queue). */
let deployedHandler: Handler;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  kit = await engineKit();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const suffix = randomBytes(4).toString('hex');
  const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
  dlqUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: `inbound-dlq-${suffix}.fifo`, Attributes: fifo }))
  ).QueueUrl!;
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  // The queue as the topology declares it: SQS's own redrive after maxReceiveCount receives.
  queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `inbound-${suffix}.fifo`,
        Attributes: {
          ...fifo,
          VisibilityTimeout: '60',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: topology.queues.inbound.maxReceiveCount,
          }),
        },
      }),
    )
  ).QueueUrl!;
  queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  deployedHandler = buildInboundHandler({ engine: kit.deps, queue: { sqs, dlqUrl } }) as Handler;
});
afterAll(async () => {
  sqs.destroy();
  await kit.stop();
});

const group = (phone: string) => `${kit.number.phoneNumberId}:${phone}`;

async function send(body: unknown, groupId: string, dedup: string) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      MessageGroupId: groupId,
      MessageDeduplicationId: dedup,
    }),
  );
}

/** One Lambda invocation of what the queue hands out now, then the successful records deleted. */
async function pollOnce(handler: Handler): Promise<number> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = out.Messages ?? [];
  if (!messages.length) return 0;
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
  return messages.length;
}

/** Polls as the event-source mapping does until `done()` or the queue stays empty a while. */
async function pollUntil(handler: Handler, done: () => Promise<boolean>) {
  for (let idle = 0, i = 0; i < 120 && idle < 15; i++) {
    if (await done()) return;
    idle = (await pollOnce(handler)) ? 0 : idle + 1;
  }
}

/** Everything in the dead-letter queue now, with its attributes (and removed from it). */
async function drainDlq(): Promise<SqsMessage[]> {
  const got: SqsMessage[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) return got;
    got.push(...out.Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const attr = (m: SqsMessage, name: string) => m.MessageAttributes?.[name]?.StringValue;

async function textsOf(phone: string): Promise<string[]> {
  const conv = (await kit.conversations()).find((c) => c.contactPhone === phone);
  return conv ? (await kit.messages(conv.id)).map((m) => m.text ?? `[${m.type}]`) : [];
}

/**
 * fn inbound (functions/inbound/build.ts) with its DynamoDB client, jitter and clock
 * given: the jitter's smallest draw (1 s delays), and a clock `skewMs` ahead.
 */
function inboundWith(ddb: DynamoDBDocumentClient, opts: { skewMs?: number } = {}): Handler {
  return buildInboundHandler({
    engine: { ...kit.deps, ddb },
    queue: { sqs, dlqUrl, random: () => 0, now: () => Date.now() + (opts.skewMs ?? 0) },
  }) as Handler;
}

/**
 * A DynamoDB client (the real SDK, on DynamoDB Local) that answers
 * ProvisionedThroughputExceededException, as a throttled table does, to the first `times`
 * requests that mention `needle` and while `outage()` says so.
 */
function throttled(needle: string, times: number) {
  const state = { throttles: 0 };
  const raw = new DynamoDBClient({ maxAttempts: 1 });
  raw.middlewareStack.add(
    (next) => async (args) => {
      if (state.throttles < times && JSON.stringify(args.input).includes(needle)) {
        state.throttles++;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'build', name: 'testThrottle' },
  );
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { ddb, state, destroy: () => raw.destroy() };
}

describe('outages lose nothing', () => {
  test('a throttle longer than the old five receives: processed once, in order with its conversation, never dead-lettered', async () => {
    const ana = '5521980000001';
    const bia = '5521980000002';
    // Ana's second message hits a throttled table on more receives than SQS used to allow.
    const failures = 7;
    assert.ok(failures > 5);
    const db = throttled('wamid.dl-ana-2', failures);
    const handler = inboundWith(db.ddb);
    await send(kit.text(ana, 'um', 'wamid.dl-ana-1'), group(ana), 'wamid.dl-ana-1');
    await send(kit.text(ana, 'dois', 'wamid.dl-ana-2'), group(ana), 'wamid.dl-ana-2');
    await send(kit.text(bia, 'oi', 'wamid.dl-bia-1'), group(bia), 'wamid.dl-bia-1');
    await send(kit.text(ana, 'três', 'wamid.dl-ana-3'), group(ana), 'wamid.dl-ana-3');

    await pollUntil(handler, async () => (await textsOf(ana)).length === 3);
    db.destroy();

    assert.equal(db.state.throttles, failures, 'the throttle lasted its whole course');
    assert.deepEqual(await textsOf(ana), ['um', 'dois', 'três']);
    assert.deepEqual(await textsOf(bia), ['oi']);
    assert.deepEqual(await drainDlq(), []);
  });
});

describe('what can never succeed goes to the dead-letter queue at once, with its reason', () => {
  test('a body of no known shape: dead-lettered as INVALID_PAYLOAD by fn inbound, and its conversation goes on', async () => {
    const caio = '5521980000003';
    await send('{"kind":"nonsense"}', group(caio), 'dl-bad-1');
    await send(kit.text(caio, 'alô', 'wamid.dl-caio-1'), group(caio), 'wamid.dl-caio-1');

    await pollUntil(deployedHandler, async () => (await textsOf(caio)).length === 1);

    assert.deepEqual(await textsOf(caio), ['alô']);
    const [dl, ...rest] = await drainDlq();
    assert.deepEqual(rest, []);
    assert.equal(dl!.Body, '{"kind":"nonsense"}');
    assert.match(attr(dl!, 'reason')!, /^INVALID_PAYLOAD: /);
    assert.equal(attr(dl!, 'source'), 'inbound');
    assert.ok(!Number.isNaN(Date.parse(attr(dl!, 'failedAt')!)));
    assert.equal(dl!.Attributes?.MessageGroupId ?? group(caio), group(caio));
  });

  test('a message over DynamoDB’s 400 KB item limit: dead-lettered on its first receive, not retried', async () => {
    const duda = '5521980000004';
    const huge = 'a'.repeat(450_000);
    const db = throttled('never-matches', 0);
    await send(kit.text(duda, huge, 'wamid.dl-duda-1'), group(duda), 'wamid.dl-duda-1');
    await send(kit.text(duda, 'depois', 'wamid.dl-duda-2'), group(duda), 'wamid.dl-duda-2');

    await pollUntil(inboundWith(db.ddb), async () => (await textsOf(duda)).includes('depois'));
    db.destroy();

    const [dl, ...rest] = await drainDlq();
    assert.deepEqual(rest, []);
    assert.equal(JSON.parse(dl!.Body!).message.id, 'wamid.dl-duda-1');
    // The engine sees the size before writing (INVALID_PAYLOAD); DynamoDB would refuse it anyway.
    assert.match(attr(dl!, 'reason')!, /^(INVALID_PAYLOAD: .*400 KB|PERMANENT: ValidationException)/);
    assert.ok((await textsOf(duda)).includes('depois'), 'the customer’s next message is not held');
  });

  test('DynamoDB’s own ValidationException (an item over 400 KB) is permanent: dead-lettered on the first receive', async () => {
    const attempts: number[] = [];
    // Work that writes the record to the real DynamoDB Local as it is.
    const handler = recordsHandler({
      queue: 'inbound',
      source: 'inbound',
      schema: inboundQueueItem,
      work: async (item, _record, { receiveCount }) => {
        attempts.push(receiveCount);
        await kit.deps.ddb.send(
          new PutCommand({ TableName: kit.deps.tableName, Item: { pk: 'DL#big', sk: 'x', item } }),
        );
      },
      log: () => {},
      sqs,
      dlqUrl,
    });
    await send(kit.text('5521980000006', 'b'.repeat(450_000), 'wamid.dl-big'), 'big', 'wamid.dl-big');
    await pollOnce(handler);

    assert.deepEqual(attempts, [1]);
    const [dl, ...rest] = await drainDlq();
    assert.deepEqual(rest, []);
    assert.match(attr(dl!, 'reason')!, /^PERMANENT: ValidationException: /);
    assert.equal(await pollOnce(handler), 0, 'acknowledged, not retried');
  });
});

describe('the retry horizon', () => {
  test('a record still failing hours after its first receive goes to the DLQ as RETRIES_EXHAUSTED, the work told it was the last attempt', async () => {
    const edu = '5521980000005';
    const lastAttempts: boolean[] = [];
    // fn inbound's wiring, its clock 6 h 1 min ahead of the record's first receive.
    const handler = recordsHandler({
      queue: 'inbound',
      source: 'inbound',
      schema: inboundQueueItem,
      work: async (_item, _record, { lastAttempt }) => {
        lastAttempts.push(lastAttempt);
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      },
      log: () => {},
      sqs,
      dlqUrl,
      now: () => Date.now() + topology.queues.inbound.retryHorizonHours * 3600_000 + 60_000,
    });
    await send(kit.text(edu, 'oi', 'wamid.dl-edu-1'), group(edu), 'wamid.dl-edu-1');
    await pollOnce(handler);

    assert.deepEqual(lastAttempts, [true]);
    const [dl, ...rest] = await drainDlq();
    assert.deepEqual(rest, []);
    assert.match(
      attr(dl!, 'reason')!,
      /^RETRIES_EXHAUSTED: 1 attempts over 6 h; last error: ThrottlingException/,
    );
    // Acknowledged: nothing of it is left in the queue.
    assert.equal(await pollOnce(handler), 0);
  });
});

describe('the dead-letters page (API)', () => {
  let api: ApiKit;
  let a: SeededTenant;
  let aToken: string;
  let agentToken: string;

  beforeAll(async () => {
    api = await createApiKit();
    a = await seedTenant(api, { name: 'Loja A', role: 'admin' });
    aToken = (await loginAs(api, a)).accessToken;
    const agent = await seedTenant(api, { name: 'Loja A2', role: 'agent' });
    agentToken = (await loginAs(api, agent)).accessToken;
  });

  const list = async () => (await api.call('GET', '/api/dead-letters', { token: aToken })).body;

  test('what, when and why of each record of the account; unattributable ones are shown to no one', async () => {
    const conv = await putConversation(api, a, { contactName: 'Cliente', contactPhone: '5521987654321' });
    const sendId = await putDeadLetter(
      api,
      'outbound',
      { kind: 'send', accountId: a.accountId, conversationId: conv.id, messageId: 'm1' },
      conv.id,
      {
        reason: 'RETRIES_EXHAUSTED: 40 attempts over 6 h',
        failedAt: '2026-11-22T12:00:00.000Z',
        source: 'outbound',
      },
    );
    const inboundId = await putDeadLetter(
      api,
      'inbound',
      {
        kind: 'message',
        phoneNumberId: a.number.phoneNumberId,
        contact: { waId: '5521911112222' },
        message: { from: '5521911112222', id: 'wamid.x', type: 'text', text: { body: 'oi' } },
        receivedAt: api.clock.now,
      },
      `${a.number.phoneNumberId}:5521911112222`,
      {
        reason: 'PERMANENT: ValidationException: Item size has exceeded',
        failedAt: '2026-11-22T11:00:00.000Z',
        source: 'inbound',
      },
    );
    // Moved by SQS's own redrive (no attributes): "too many attempts".
    const movedId = await putDeadLetter(
      api,
      'assistant',
      { kind: 'reply', accountId: a.accountId, conversationId: conv.id, assistantId: 'x', messageId: 'm2' },
      '',
      {},
    );
    // Names no account (a webhook item without a number): nobody's page.
    await putDeadLetter(api, 'inbound', '{"kind":"unparsed","raw":"{"}', 'g', {
      reason: 'INVALID_PAYLOAD: x',
    });

    const body = await list();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const byId = new Map<string, any>(body.items.map((i: { id: string }) => [i.id, i]));
    assert.equal(body.items.length, 3);
    assert.deepEqual(byId.get(sendId), {
      queue: 'outbound',
      id: sendId,
      type: 'send',
      customer: '•••• 4321',
      conversationId: conv.id,
      failedAt: Date.parse('2026-11-22T12:00:00.000Z'),
      reason: 'RETRIES_EXHAUSTED: 40 attempts over 6 h',
      source: 'outbound',
    });
    assert.equal(byId.get(inboundId).type, 'message:text');
    assert.equal(byId.get(inboundId).customer, '•••• 2222');
    assert.match(byId.get(inboundId).reason, /^PERMANENT: ValidationException/);
    assert.equal(byId.get(movedId).reason, null);
    assert.ok(byId.get(movedId).failedAt > 0, 'when SQS sent it');
    assert.ok(!JSON.stringify(body).includes('5521911112222'), 'phones are masked');
    // Listing hides nothing: a second look sees the same records at once.
    assert.equal((await list()).items.length, 3);

    // Reprocessar: back to the inbound queue in its conversation's group, out of the DLQ.
    const redrive = await api.call('POST', `/api/dead-letters/inbound/${inboundId}/redrive`, {
      token: aToken,
    });
    assert.equal(redrive.status, 204);
    const back = await api.deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: api.deps.deadLetters!.inbound!.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    assert.equal(back.Messages?.length, 1);
    assert.equal(JSON.parse(back.Messages![0]!.Body!).message.id, 'wamid.x');
    assert.equal(back.Messages![0]!.Attributes?.MessageGroupId, `${a.number.phoneNumberId}:5521911112222`);
    // Descartar: gone.
    assert.equal(
      (await api.call('DELETE', `/api/dead-letters/outbound/${sendId}`, { token: aToken })).status,
      204,
    );
    assert.deepEqual(
      (await list()).items.map((i: { id: string }) => i.id),
      [movedId],
    );
    // Twice: the record is no longer there.
    assert.equal(
      (await api.call('DELETE', `/api/dead-letters/outbound/${sendId}`, { token: aToken })).status,
      404,
    );
  });

  test('agents and supervisors may not see nor act on dead letters', async () => {
    assert.equal((await api.call('GET', '/api/dead-letters', { token: agentToken })).status, 403);
    assert.equal(
      (await api.call('DELETE', '/api/dead-letters/inbound/x', { token: agentToken })).status,
      403,
    );
  });
});
