/**
 * SQS batches the way the queue-fed functions (inbound, outbound, assistant) need them:
 * partial batch failures, records of one FIFO group in order (different groups in
 * parallel), and once a record of a group fails, the later records of that group fail
 * too, so nothing overtakes it.
 *
 * What happens to a failed record is the retry policy's call (shared/domain/retry-policy.ts):
 * a transient failure comes back after a jittered backoff (ChangeMessageVisibility on the
 * record and the rest of its group, capped at 15 minutes) for hours; a permanent one, or
 * one still failing past the horizon, is sent to the queue's dead-letter queue by the
 * function itself with `reason`, `failedAt` and `source` attributes and acknowledged, and
 * the rest of its group goes on.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { envNames, queues as queueDefs, type QueueName } from '#infra/topology.ts';
import {
  decide,
  DEFAULT_RETRY_POLICY,
  errorSummary,
  isLastAttempt,
  REASONS,
  type RetryPolicy,
} from '#shared/domain/retry-policy.ts';
import { PermanentError } from '#shared/errors.ts';
import { withLogContext } from '#shared/log.ts';

const urls = new Map<string, string>();

async function queueUrlOf(sqs: SQSClient, arn: string): Promise<string> {
  const hit = urls.get(arn);
  if (hit) return hit;
  const [, , , , account, name] = arn.split(':');
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  urls.set(arn, out.QueueUrl!);
  return out.QueueUrl!;
}

/** The retry policy of one of the topology's queues (its horizon and maxReceiveCount). */
export function retryPolicyOf(queue: QueueName): RetryPolicy {
  const def = queueDefs[queue];
  return {
    ...DEFAULT_RETRY_POLICY,
    horizonMs: def.retryHorizonHours * 3600_000,
    maxReceives: def.maxReceiveCount,
  };
}

/** A record's attempt: its receive count and first receive time (SQS's), and now. */
export function attemptOf(record: SQSRecord, now: number) {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const first = Number(record.attributes.ApproximateFirstReceiveTimestamp);
  return { receiveCount, firstReceivedAt: Number.isFinite(first) && first > 0 ? first : now, now };
}

export interface BatchOptions {
  sqs?: SQSClient;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /** The queue's dead-letter queue; without it SQS's own redrive is the only way there. */
  dlqUrl?: string;
  /** Who gave up (the DLQ's `source` attribute): the function's name. */
  source?: string;
  policy?: RetryPolicy;
  now?: () => number;
  random?: () => number;
}

/** Sends a record to the dead-letter queue with the agreed attributes (same group, its own dedup id). */
export async function deadLetter(
  sqs: SQSClient,
  dlqUrl: string,
  record: SQSRecord,
  attrs: { reason: string; failedAt: string; source: string },
): Promise<void> {
  const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
  const group = record.attributes.MessageGroupId;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body,
      MessageAttributes: {
        reason: str(attrs.reason.slice(0, 500)),
        failedAt: str(attrs.failedAt),
        source: str(attrs.source),
      },
      ...(group ? { MessageGroupId: group, MessageDeduplicationId: record.messageId } : {}),
    }),
  );
}

export async function processBatch(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  opts: BatchOptions = {},
): Promise<SQSBatchResponse> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  // Groups run side by side; the records of one group run in order, and once one fails
  // (and is not dead-lettered) the rest of its group is returned too, so nothing overtakes it.
  const groups = new Map<string, SQSRecord[]>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed = new Map<string, number>();
  await Promise.all(
    [...groups.values()].map(async (records) => {
      for (const [i, record] of records.entries()) {
        try {
          // Every line logged while working on it carries the record's message id.
          await withLogContext({ correlationId: record.messageId }, () => handle(record));
        } catch (err) {
          const attempt = attemptOf(record, now());
          const decision = decide(err, attempt, random(), policy);
          if (decision.action === 'dead-letter' && opts.sqs && opts.dlqUrl) {
            try {
              await deadLetter(opts.sqs, opts.dlqUrl, record, {
                reason: decision.reason,
                failedAt: new Date(attempt.now).toISOString(),
                source: opts.source ?? 'unknown',
              });
              opts.log?.('record dead-lettered', {
                messageId: record.messageId,
                receiveCount: attempt.receiveCount,
                reason: decision.reason,
              });
              continue; // acknowledged; the rest of its group goes on
            } catch (dlqErr) {
              opts.log?.('dead-lettering failed; the record will be retried', {
                messageId: record.messageId,
                error: errorSummary(dlqErr),
              });
            }
          }
          const delay = decision.action === 'retry' ? decision.delaySeconds : Math.min(policy.capSeconds, 60);
          opts.log?.('record failed; it will be retried', {
            messageId: record.messageId,
            receiveCount: attempt.receiveCount,
            delaySeconds: delay,
            error: errorSummary(err),
          });
          for (const r of records.slice(i)) failed.set(r.messageId, delay);
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
              VisibilityTimeout: failed.get(r.messageId)!,
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
 * does not fit (recordsHandler dead-letters such a record: retrying cannot fix it).
 */
export function parseRecord<T extends z.ZodType>(record: SQSRecord, schema: T): z.infer<T> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a record's work learns about its delivery. */
export interface RecordContext {
  /** SQS's ApproximateReceiveCount (1 on the first receive). */
  receiveCount: number;
  /**
   * A failure now dead-letters the record (the retry horizon has passed, or SQS's
   * maxReceiveCount is reached): record a visible failure instead of throwing, if there is one.
   */
  lastAttempt: boolean;
}

/**
 * How a queue-fed function reaches its queue: the client, its dead-letter queue (the
 * function's `queue:dead-letter:<q>` grant), and for tests the clock and the jitter.
 */
export interface QueueWiring {
  sqs: SQSClient;
  dlqUrl?: string;
  now?: () => number;
  random?: () => number;
}

/**
 * The handler of a queue-fed function: each record parsed against the queue's schema (one
 * that fits no version of the producer goes to the dead-letter queue as INVALID_PAYLOAD:
 * retrying cannot fix it), worked on with its delivery context, then `after` once per
 * batch. Failures follow the queue's retry policy (processBatch).
 */
export function recordsHandler<T extends z.ZodType>(opts: {
  /** The topology queue feeding the function: its retry policy and DLQ (`<QUEUE>_DLQ_URL`). */
  queue: QueueName;
  /** The function's name (the DLQ's `source`). */
  source: string;
  schema: T;
  work: (item: z.infer<T>, record: SQSRecord, ctx: RecordContext) => Promise<void>;
  log: (msg: string, data?: Record<string, unknown>) => void;
  sqs: SQSClient;
  after?: () => Promise<void>;
  /** Defaults to the environment's `<QUEUE>_DLQ_URL`. */
  dlqUrl?: string;
  now?: () => number;
  random?: () => number;
}): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const policy = retryPolicyOf(opts.queue);
  const dlqUrl = opts.dlqUrl ?? process.env[envNames.dlqUrl(opts.queue)];
  const now = opts.now ?? Date.now;
  return async (event) => {
    const result = await processBatch(
      event,
      async (record) => {
        const item = parseRecord(record, opts.schema);
        if (item === undefined)
          throw new PermanentError(`the body fits no known ${opts.queue} job`, REASONS.invalidPayload);
        const attempt = attemptOf(record, now());
        await opts.work(item, record, {
          receiveCount: attempt.receiveCount,
          lastAttempt: isLastAttempt(attempt, policy),
        });
      },
      {
        sqs: opts.sqs,
        log: opts.log,
        ...(dlqUrl ? { dlqUrl } : {}),
        source: opts.source,
        policy,
        now,
        ...(opts.random ? { random: opts.random } : {}),
      },
    );
    await opts.after?.();
    return result;
  };
}
