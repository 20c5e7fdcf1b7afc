/**
 * The bench's trace of the local runtime (infra/local/bench-trace.ts): off unless
 * ATENDE_BENCH_TRACE=1, read when the module loads; on, the pollers' batches and the
 * coalesced state writes are posted on its BroadcastChannel.
 */
import { test, expect, afterAll } from 'vitest';
import { BroadcastChannel } from 'node:worker_threads';
import type { SQSClient } from '@aws-sdk/client-sqs';

process.env.ATENDE_BENCH_TRACE = '1';
const { BENCH_TRACE_CHANNEL } = await import('#infra/local/bench-trace.ts');
const { coalescedWrite } = await import('#infra/local/coalesced-write.ts');
const { startPoller } = await import('#infra/local/sqs-poller.ts');

type Event = { kind: string; hop?: string; name?: string; bodies?: string[]; ms?: number; t: number };
const channel = new BroadcastChannel(BENCH_TRACE_CHANNEL);
const events: Event[] = [];
channel.onmessage = (e) => events.push((e as { data: Event }).data);
afterAll(() => {
  channel.close();
  delete process.env.ATENDE_BENCH_TRACE;
});

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('a coalesced write is traced with its writer and duration, once per window', async () => {
  let writes = 0;
  const w = coalescedWrite(() => writes++, 5, 'scheduler');
  w.schedule();
  w.schedule();
  await until(() => events.some((e) => e.kind === 'write'));
  expect(writes).toBe(1);
  const traced = events.filter((e) => e.kind === 'write');
  expect(traced).toHaveLength(1);
  expect(traced[0]!.name).toBe('scheduler');
  expect(traced[0]!.ms).toBeGreaterThanOrEqual(0);
});

test("a poller's batch is traced when received, handed to the handler, done and deleted", async () => {
  let received = false;
  const sqs = {
    send: async (cmd: { constructor: { name: string } }) => {
      if (cmd.constructor.name === 'ReceiveMessageCommand') {
        if (received) {
          await new Promise((r) => setTimeout(r, 20));
          return {};
        }
        received = true;
        return { Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'olá q0a1b2c-7z' }] };
      }
      return {};
    },
  } as unknown as SQSClient;
  const poller = startPoller({
    sqs,
    queueUrl: 'http://local/q.fifo',
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    batchSize: 10,
    handler: async () => ({ batchItemFailures: [] }),
  });
  await until(() => events.some((e) => e.hop === 'deleted'));
  await poller.stop();
  const hops = events.filter((e) => e.kind === 'batch');
  expect(hops.map((e) => e.hop)).toEqual(['polled', 'handlerStart', 'handlerEnd', 'deleted']);
  expect(hops.every((e) => e.bodies?.[0] === 'olá q0a1b2c-7z')).toBe(true);
  for (let i = 1; i < hops.length; i++) expect(hops[i]!.t).toBeGreaterThanOrEqual(hops[i - 1]!.t);
});
