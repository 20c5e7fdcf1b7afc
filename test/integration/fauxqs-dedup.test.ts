/**
 * The local SQS keeps a FIFO queue's deduplication window across a restart, as SQS does
 * across ours: Meta's duplicate of a message the webhook queued just before the stack was
 * killed must not be queued again after it restarts (the engine relies on the window; the
 * chaos run showed such messages twice in the chat).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { freePort } from '#infra/local/ports.ts';
import { startWorkerThread } from '#infra/local/worker-host.ts';
import type { FauxqsWorkerData } from '#infra/local/fauxqs-worker.ts';

test('a FIFO duplicate sent after the local SQS restarted on its data is dropped, within the 5-minute window', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atende-fauxqs-'));
  const port = await freePort();
  const start = () =>
    startWorkerThread(
      new URL('../../infra/local/fauxqs-worker.ts', import.meta.url),
      { port, dataDir } satisfies FauxqsWorkerData,
      { name: 'fauxqs', log: () => {} },
    );
  let worker = await start();
  const sqs = new SQSClient({
    endpoint: String(worker.ready.address),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  try {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'inbound.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const send = () =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: '{"wamid":"wamid.A"}',
          MessageGroupId: 'customer-1',
          MessageDeduplicationId: 'wamid.A',
        }),
      );
    const first = await send();
    assert.equal((await send()).MessageId, first.MessageId, 'a duplicate before the restart');
    await worker.stop();
    worker = await start();
    const again = await send();
    assert.equal(again.MessageId, first.MessageId, 'the same message, not a new one');
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, '1');
  } finally {
    sqs.destroy();
    await worker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
