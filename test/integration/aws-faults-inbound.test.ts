/**
 * What the stand-ins cannot produce, on fn inbound's real path (recordsHandler +
 * processInboundItem against DynamoDB Local): DynamoDB throttling, a transaction cancelled
 * for a duplicate or for a throttle, the Scheduler answering 500. The faults are injected
 * with aws-sdk-client-mock on the engine's own clients; every other request goes through.
 * On AWS the SDK retries a throttle a few times first: these are the ones it gave up on.
 *
 * What a user would notice is checked: the customer's message is stored once, in its one
 * conversation, after the record came back (a batch item failure with a short backoff) —
 * nothing lost, nothing doubled, the chat's timers armed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateScheduleCommand, InternalServerException, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { recordsHandler } from '#shared/queue/batch.ts';
import { inboundQueueItem, type InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

type AnyCommand = { input: unknown; constructor: { name: string } };
interface Fault {
  match: (command: AnyCommand, n: number) => boolean;
  error: () => Error;
  /** How many matching requests fail (Infinity: all of them until cleared). */
  times: number;
  /** The request is carried out first, then fails: what a lost race looks like. */
  after?: boolean;
}

/**
 * The engine's DynamoDB client with faults on demand: a request matching a fault fails
 * with its error; every other one goes to DynamoDB Local. `writes` counts write requests.
 */
function faultyDynamo(ddb: DynamoDBDocumentClient) {
  const real = ddb.send.bind(ddb) as (c: unknown) => Promise<unknown>;
  const mock = mockClient(ddb);
  const faults: Fault[] = [];
  const state = { writes: 0 };
  const isWrite = (c: AnyCommand) =>
    c instanceof PutCommand ||
    c instanceof UpdateCommand ||
    c instanceof TransactWriteCommand ||
    c instanceof BatchWriteCommand;
  (mock.send as unknown as { callsFake(f: (c: AnyCommand) => Promise<unknown>): void }).callsFake(
    async (command) => {
      const n = isWrite(command) ? ++state.writes : 0;
      const fault = faults.find((f) => f.times > 0 && f.match(command, n));
      if (!fault) return real(command);
      fault.times--;
      if (fault.after) await real(command);
      throw fault.error();
    },
  );
  return { mock, faults, state, isWrite };
}

const meta = { $metadata: { httpStatusCode: 400 } };
const throughput = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    ...meta,
  });
const throttling = () =>
  new ThrottlingException({ message: 'Throughput exceeds the current capacity', ...meta });
const cancelled = (code: string) => () =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}]`,
    CancellationReasons: [{ Code: code } as CancellationReason],
    ...meta,
  });

// The queue the records came from: its backoff shortcut and dead-letter queue, recorded.
let kit: EngineKit;
let dynamo: ReturnType<typeof faultyDynamo>;
const sqs = new SQSClient({ region: 'us-east-1' });
const sqsMock = mockClient(sqs);
const logs: { msg: string; data?: Record<string, unknown> }[] = [];
let deps: EngineDeps;
const T = Date.UTC(2026, 10, 24, 12, 0, 0);
let seq = 1000;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  kit = await engineKit();
  dynamo = faultyDynamo(kit.deps.ddb);
  deps = kit.deps;
});
afterEach(() => {
  dynamo.faults.length = 0;
  deps = kit.deps;
});
afterAll(async () => {
  dynamo.mock.restore();
  await kit.stop();
});

function resetSqs() {
  sqsMock.reset();
  sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.local/000000000000/inbound.fifo' });
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dead-letter' });
}

const handler = () =>
  recordsHandler({
    queue: 'inbound',
    source: 'inbound',
    schema: inboundQueueItem,
    work: (item, record, { receiveCount, lastAttempt }) =>
      processInboundItem(item as InboundQueueItem, {
        ...deps,
        receiveCount,
        lastAttempt,
        delivery: {
          firstReceivedAt: Number(record.attributes.ApproximateFirstReceiveTimestamp),
          sequenceNumber: record.attributes.SequenceNumber ?? '',
        },
      }),
    log: (msg, data) => logs.push({ msg, ...(data ? { data } : {}) }),
    sqs,
    dlqUrl: 'https://sqs.local/000000000000/inbound-dlq.fifo',
    // The records' times are the kit's clock (the retry horizon is counted from them).
    now: () => kit.clock.now,
    random: () => 0.5,
  });

/** One FIFO record of a queue item, as the event-source mapping hands it over. */
function recordOf(item: InboundQueueItem, sequenceNumber: string, receiveCount: number): SQSRecord {
  return {
    messageId: `msg-${sequenceNumber}`,
    receiptHandle: `rh-${sequenceNumber}-${receiveCount}`,
    body: JSON.stringify(item),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(T),
      SenderId: 'webhook',
      ApproximateFirstReceiveTimestamp: String(item.receivedAt),
      SequenceNumber: sequenceNumber,
      MessageGroupId: `${item.phoneNumberId}:${item.message?.from}`,
      MessageDeduplicationId: item.message?.id ?? sequenceNumber,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:inbound.fifo',
    awsRegion: 'us-east-1',
  };
}

/**
 * Delivers the records until none fails (at most `max` receives), as SQS does after a
 * failure; returns each receive's failed ids and the backoffs asked for.
 */
async function deliver(items: InboundQueueItem[], max = 3, clearFaultsAfterFirst = true) {
  const seqs = items.map(() => String(++seq).padStart(20, '0'));
  const receives: { failed: string[]; backoffs: number[] }[] = [];
  let pending = items.map((item, i) => ({ item, sequence: seqs[i]! }));
  for (let n = 1; n <= max && pending.length; n++) {
    resetSqs();
    const out = await handler()({ Records: pending.map((p) => recordOf(p.item, p.sequence, n)) });
    const failed = out.batchItemFailures.map((f) => f.itemIdentifier);
    const backoffs = sqsMock
      .commandCalls(ChangeMessageVisibilityCommand)
      .map((c) => (c.args[0].input as { VisibilityTimeout: number }).VisibilityTimeout);
    assert.equal(
      sqsMock.commandCalls(SendMessageCommand).length,
      0,
      `nothing dead-lettered: ${JSON.stringify(logs.slice(-3))}`,
    );
    receives.push({ failed, backoffs });
    pending = pending.filter((p) => failed.includes(`msg-${p.sequence}`));
    if (clearFaultsAfterFirst) dynamo.faults.length = 0;
  }
  assert.deepEqual(pending, [], 'every record done');
  return receives;
}

/** The conversation of a customer and its messages' texts, oldest first. */
async function chatOf(phone: string) {
  const convs = (await kit.conversations()).filter((c) => c.contactPhone === phone);
  assert.equal(convs.length, 1, `one conversation for ${phone}`);
  const messages = (await kit.messages(convs[0]!.id)).filter((m) => m.direction === 'in');
  return { conv: convs[0]!, texts: messages.sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => m.text) };
}

const phoneOf = (i: number) => `55219${String(70000000 + i)}`;

describe('DynamoDB throttling during an inbound message', () => {
  test('a throttle at any write of a new customer’s first message: the record comes back after a short backoff; the message is stored once', async ({
    annotate,
  }) => {
    // How many writes a first message takes, clean.
    const before = dynamo.state.writes;
    await deliver([kit.text(phoneOf(0), 'oi')]);
    const writes = dynamo.state.writes - before;
    // The protocol counter, then one transaction (contact, conversation, attendance, the
    // message and its routing state); no clock here.
    expect(writes).toBeGreaterThanOrEqual(2);
    let retried = 0;

    for (let k = 1; k <= writes; k++) {
      const phone = phoneOf(k);
      const start = dynamo.state.writes;
      dynamo.faults.push({
        match: (_c, n) => n === start + k,
        error: k % 2 ? throughput : throttling,
        times: 1,
      });
      const receives = await deliver([kit.text(phone, `mensagem ${k}`)]);
      assert.equal(dynamo.faults.length, 0, 'the fault was cleared after the first receive');
      const first = receives[0]!;
      if (first.failed.length) {
        retried++;
        // Retried: the backoff of a first failure is 1–2 s (shared/domain/retry-policy.ts).
        assert.equal(receives.length, 2, `write ${k}: done on the second receive`);
        assert.ok(
          first.backoffs.every((s) => s >= 1 && s <= 2),
          `write ${k}: backoff ${first.backoffs}`,
        );
      }
      const chat = await chatOf(phone);
      assert.deepEqual(chat.texts, [`mensagem ${k}`], `write ${k}: stored once`);
      assert.equal(chat.conv.unread, 1, `write ${k}: counted once`);
    }
    // A write whose failure is only logged (a courtesy, e.g. a push) needs no retry.
    expect(retried).toBeGreaterThan(writes / 2);
    await annotate(
      `${writes} writes for a first message; a throttle at ${retried} of them retried the record`,
    );
  });

  test('in an open conversation a throttled write holds the message and the ones behind it; all arrive once, in order', async () => {
    const phone = phoneOf(100);
    await deliver([kit.text(phone, 'primeira')]);
    kit.clock.now += 1000;
    const start = dynamo.state.writes;
    dynamo.faults.push({ match: (_c, n) => n === start + 1, error: throughput, times: 1 });
    const receives = await deliver([kit.text(phone, 'segunda'), kit.text(phone, 'terceira')]);
    assert.equal(receives[0]!.failed.length, 2, 'the failed record and the one behind it come back');
    assert.equal(receives.length, 2);
    const chat = await chatOf(phone);
    assert.deepEqual(chat.texts, ['primeira', 'segunda', 'terceira']);
    assert.equal(chat.conv.unread, 3);
  });
});

describe('a cancelled transaction: a duplicate is taken as done, a throttle is retried', () => {
  /** How many transactions a new customer's first message takes, clean. */
  const transactions = async (phone: string) => {
    const before = dynamo.mock.commandCalls(TransactWriteCommand).length;
    await deliver([kit.text(phone, 'oi')]);
    return dynamo.mock.commandCalls(TransactWriteCommand).length - before;
  };

  test('ConditionalCheckFailed (another run wrote it first): the message is stored on the same receive, once', async () => {
    const count = await transactions(phoneOf(200));
    expect(count).toBeGreaterThan(0);
    for (let k = 1; k <= count; k++) {
      const phone = phoneOf(200 + k);
      let seen = 0;
      // The transaction is applied, then reported cancelled: as if a concurrent run had won.
      dynamo.faults.push({
        match: (c) => c instanceof TransactWriteCommand && ++seen === k,
        error: cancelled('ConditionalCheckFailed'),
        times: 1,
        after: true,
      });
      const receives = await deliver([kit.text(phone, `duplicada ${k}`)]);
      assert.deepEqual(receives[0]!.failed, [], `transaction ${k}: not retried`);
      const chat = await chatOf(phone);
      assert.deepEqual(chat.texts, [`duplicada ${k}`]);
    }
  });

  test('ThrottlingError (nothing applied): the record is retried and stored once', async () => {
    const count = await transactions(phoneOf(300));
    expect(count).toBeGreaterThan(0);
    for (let k = 1; k <= count; k++) {
      const phone = phoneOf(300 + k);
      let seen = 0;
      // Every attempt of the k-th transaction is throttled during the first receive.
      dynamo.faults.push({
        match: (c) => c instanceof TransactWriteCommand && ++seen >= k,
        error: cancelled('ThrottlingError'),
        times: Infinity,
      });
      const receives = await deliver([kit.text(phone, `limitada ${k}`)]);
      assert.equal(receives[0]!.failed.length, 1, `transaction ${k}: retried`);
      assert.equal(receives.length, 2);
      const chat = await chatOf(phone);
      assert.deepEqual(chat.texts, [`limitada ${k}`]);
    }
  });
});

describe('the Scheduler answering 500 when a chat’s timers are armed', () => {
  test('the record is retried; the timers are armed on the redelivery and the message stored once', async () => {
    const client = new SchedulerClient({ region: 'us-east-1' });
    const scheduler = mockClient(client);
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(
        new InternalServerException({
          message: 'Internal error',
          Message: 'Internal error',
          $metadata: { httpStatusCode: 500 },
        }),
      )
      .resolves({ ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/g/s' });
    deps = {
      ...kit.deps,
      scheduler: {
        client,
        group: 'atende',
        targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:timers',
        roleArn: 'arn:aws:iam::000000000000:role/scheduler',
      },
    };
    const phone = phoneOf(400);
    const receives = await deliver([kit.text(phone, 'preciso de ajuda')]);
    assert.equal(receives[0]!.failed.length, 1, 'retried');
    assert.equal(receives.length, 2);
    const chat = await chatOf(phone);
    assert.deepEqual(chat.texts, ['preciso de ajuda']);
    // Every timer of the attendance was asked for after the failure, and the chat knows it.
    const names = scheduler
      .commandCalls(CreateScheduleCommand)
      .slice(1)
      .map((c) => c.args[0].input.Name ?? '');
    const kinds = new Set(names.map((n) => n.split('-')[0]));
    assert.deepEqual([...kinds].sort(), ['close', 'wend', 'wexp']);
    assert.ok(names.every((n) => n.includes(chat.conv.id)));
    assert.equal(chat.conv.timersArmedFor, chat.conv.attendanceId);
    scheduler.restore();
  });
});
