/**
 * The local event-source mapping: long-polls a queue and invokes a handler with real
 * SQSEvent batches, as Lambda does. Successful records are deleted; records named in
 * `batchItemFailures` (or the whole batch when the handler throws) are left for
 * redelivery after the visibility timeout, and the queue's redrive policy moves them to
 * the DLQ after maxReceiveCount receives.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { batchWork } from './chaos.ts';
import { benchTrace, traceNow } from './bench-trace.ts';

export type SqsHandler = (event: SQSEvent, context: unknown) => Promise<unknown>;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: SqsHandler;
  /** Batches in flight at once (Lambda scales pollers; FIFO order holds per group). */
  concurrency?: number;
  waitTimeSeconds?: number;
  log?: (msg: string) => void;
}

export interface Poller {
  stop(): Promise<void>;
}

export function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Ids the handler reported as failed; everything when it threw. */
export function failedIds(result: unknown, records: SQSRecord[]): Set<string> {
  const failures = (result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)
    ?.batchItemFailures;
  return new Set(
    (failures ?? []).map((f) => f.itemIdentifier).filter((id) => records.some((r) => r.messageId === id)),
  );
}

export function startPoller(opts: PollerOptions): Poller {
  let running = true;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const loops: Promise<void>[] = [];

  const loop = async () => {
    while (running) {
      let messages: Message[];
      try {
        const out = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: opts.batchSize,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (!running) return;
        opts.log?.(`receive from ${opts.queueUrl} failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!messages.length) continue;
      const records = messages.map((m) => toRecord(m, opts.queueArn, region));
      batchHop('polled', records);
      // The batch's work (handler and delete) is where injected crashes may strike (chaos.ts).
      await batchWork.run({ queueArn: opts.queueArn }, () => work(records));
    }
  };
  // The bench's trace (bench-trace.ts; off unless the bench asked for it).
  const batchHop = (hop: 'polled' | 'handlerStart' | 'handlerEnd' | 'deleted', records: SQSRecord[]) =>
    benchTrace(() => ({ kind: 'batch', hop, t: traceNow(), bodies: records.map((r) => r.body) }));
  const work = async (records: SQSRecord[]) => {
    let failed: Set<string>;
    try {
      batchHop('handlerStart', records);
      const result = await opts.handler({ Records: records }, { awsRequestId: records[0]!.messageId });
      batchHop('handlerEnd', records);
      failed = failedIds(result, records);
    } catch (err) {
      opts.log?.(`handler for ${opts.queueArn} threw: ${(err as Error).stack ?? String(err)}`);
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length) {
      try {
        const out = await opts.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: opts.queueUrl,
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
        // A record received again meanwhile (its visibility ran out) has a newer receipt
        // handle: this delete may not remove it, and it comes back, as on AWS.
        if (out.Failed?.length)
          opts.log?.(
            `delete from ${opts.queueUrl}: ${out.Failed.length} not deleted (${out.Failed[0]!.Code})`,
          );
        batchHop('deleted', done);
      } catch (err) {
        opts.log?.(`delete from ${opts.queueUrl} failed: ${(err as Error).message}`);
      }
    }
  };
  for (let i = 0; i < (opts.concurrency ?? 1); i++) loops.push(loop());
  return {
    async stop() {
      // Receives are not cancelled: a cancelled long poll may still take a message and hide
      // it for the visibility timeout. Short polls (1 s) let the loops finish quickly.
      running = false;
      await Promise.allSettled(loops);
    },
  };
}
