/**
 * SQS batches the way both engines (inbound, outbound) need them: partial batch
 * failures, records of one FIFO group in order (different groups in parallel), and once a
 * record of a group fails, the later records of that group fail too, so nothing overtakes it. A failed record is made
 * visible again after a short exponential backoff instead of the whole visibility timeout.
 */
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';

const urls = new Map<string, string>();

async function queueUrlOf(sqs: SQSClient, arn: string): Promise<string> {
  const hit = urls.get(arn);
  if (hit) return hit;
  const [, , , , account, name] = arn.split(':');
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  urls.set(arn, out.QueueUrl!);
  return out.QueueUrl!;
}

/** 2, 4, 8, 16… seconds (at most 5 minutes) after the n-th receive. */
export function backoffSeconds(receiveCount: number): number {
  return Math.min(300, 2 ** Math.max(1, receiveCount));
}

export async function processBatch(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  opts: { sqs?: SQSClient; log?: (msg: string, data?: Record<string, unknown>) => void } = {},
): Promise<SQSBatchResponse> {
  // Groups run side by side; the records of one group run in order, and once one fails
  // the rest of its group is returned too, so nothing overtakes it.
  const groups = new Map<string, SQSRecord[]>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (records) => {
      for (const [i, record] of records.entries()) {
        try {
          await handle(record);
        } catch (err) {
          opts.log?.('record failed; it will be retried', {
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            error: (err as Error).message,
          });
          for (const r of records.slice(i)) failed.add(r.messageId);
          return;
        }
      }
    }),
  );
  const failures = event.Records.filter((r) => failed.has(r.messageId));
  if (opts.sqs && failures.length) {
    await Promise.all(
      failures.map(async (r) => {
        try {
          await opts.sqs!.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: await queueUrlOf(opts.sqs!, r.eventSourceARN),
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: backoffSeconds(Number(r.attributes.ApproximateReceiveCount)),
            }),
          );
        } catch {
          // Without the shortcut the record still comes back, after the visibility timeout.
        }
      }),
    );
  }
  return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
}

/**
 * A record's body checked against its queue's schema; undefined when it is not JSON or
 * does not fit (such a record is acknowledged with a log line: retrying cannot fix it).
 */
export function parseRecord<T extends z.ZodType>(record: SQSRecord, schema: T): z.infer<T> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The handler of a queue-fed function: each record parsed against the queue's schema (one
 * that fits no version of the producer is acknowledged with a log line: retrying cannot
 * fix it), worked on with its receive count, then `after` once per batch.
 */
export function recordsHandler<T extends z.ZodType>(opts: {
  schema: T;
  work: (item: z.infer<T>, receiveCount: number, record: SQSRecord) => Promise<void>;
  log: (msg: string, data?: Record<string, unknown>) => void;
  sqs: SQSClient;
  after?: () => Promise<void>;
}): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const result = await processBatch(
      event,
      async (record) => {
        const item = parseRecord(record, opts.schema);
        if (item === undefined) {
          opts.log('record with an unknown shape acknowledged', { messageId: record.messageId });
          return;
        }
        await opts.work(item, Number(record.attributes.ApproximateReceiveCount), record);
      },
      { sqs: opts.sqs, log: opts.log },
    );
    await opts.after?.();
    return result;
  };
}
