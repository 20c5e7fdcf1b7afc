/**
 * The local stand-ins behave as the AWS services they replace, through the real SDK
 * clients: one-time schedules fire at their time (and survive a restart), and the SQS
 * event-source poller redelivers partial batch failures and dead-letters poison messages.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startLocalScheduler } from '#infra/local/scheduler.ts';
import { startPoller } from '#infra/local/sqs-poller.ts';
import { freePort } from '#infra/local/ports.ts';

const at = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

test('a one-time schedule fires at its time with its input; a deleted one never fires; both survive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sched-'));
  const port = await freePort();
  const fired: unknown[] = [];
  const start = () =>
    startLocalScheduler({
      port,
      file: join(dir, 'schedules.json'),
      fire: async (input) => void fired.push(input),
      tickMs: 50,
    });
  let sched = await start();
  const client = new SchedulerClient({
    endpoint: sched.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const create = (name: string, when: number, input: unknown) =>
    client.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: 'atende',
        ScheduleExpression: at(when),
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: 'arn:aws:lambda:local:0:function:timers',
          RoleArn: 'arn:aws:iam::0:role/x',
          Input: JSON.stringify(input),
        },
      }),
    );
  try {
    await create('soon', Date.now() + 1500, { kind: 'soon' });
    await create('cancelled', Date.now() + 1500, { kind: 'cancelled' });
    await client.send(new DeleteScheduleCommand({ Name: 'cancelled', GroupName: 'atende' }));
    await sched.stop();
    sched = await start(); // restart before it is due: it still fires
    assert.ok(await waitFor(() => fired.length > 0));
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(fired, [{ kind: 'soon' }]);
    assert.equal(sched.list().length, 0, 'deleted after completion');
  } finally {
    client.destroy();
    await sched.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the SQS poller redelivers reported failures and sends a poison message to the DLQ', async () => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const name = `poll-${randomUUID().slice(0, 8)}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
      },
    }),
  );
  const attempts = new Map<string, number>();
  const poller = startPoller({
    sqs,
    queueUrl: q.QueueUrl!,
    queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    batchSize: 10,
    handler: async (event) => {
      const failures = [];
      for (const r of event.Records) {
        const n = (attempts.get(r.body) ?? 0) + 1;
        attempts.set(r.body, n);
        if (r.body === 'poison' || (r.body === 'flaky' && n === 1))
          failures.push({ itemIdentifier: r.messageId });
      }
      return { batchItemFailures: failures };
    },
  });
  try {
    for (const body of ['ok', 'flaky', 'poison'])
      await sqs.send(new SendMessageCommand({ QueueUrl: q.QueueUrl, MessageBody: body }));
    assert.ok(
      await waitFor(() => (attempts.get('flaky') ?? 0) >= 2 && (attempts.get('poison') ?? 0) >= 3, 20_000),
    );
    const dead: string[] = [];
    for (let i = 0; i < 40 && !dead.includes('poison'); i++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1 }));
      dead.push(...(out.Messages ?? []).map((m) => m.Body!));
    }
    assert.deepEqual(dead, ['poison']);
    assert.equal(attempts.get('ok'), 1);
    assert.equal(attempts.get('flaky'), 2);
  } finally {
    await poller.stop();
    sqs.destroy();
  }
});
