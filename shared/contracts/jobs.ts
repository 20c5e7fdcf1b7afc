/**
 * The payloads of fn assistant's queue and of fn timers' schedules, one zod contract each:
 * the producers build their values from these types and the consumers parse with these
 * schemas, so the two sides cannot drift. (The inbound and outbound queues' contracts are
 * their siblings: `inboundQueueItem` in shared/contracts/inbound-queue.ts and `outboundJob`
 * in shared/contracts/outbound-queue.ts.)
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { timerKinds } from '#shared/domain/clock.ts';

/** fn assistant: answer the conversation up to this customer message. */
export const assistantJobSchema = z.object({
  kind: z.literal('reply'),
  accountId: z.string(),
  conversationId: z.string(),
  attendanceId: z.string().optional(),
  assistantId: z.string(),
  messageId: z.string(),
});
export type AssistantJob = z.infer<typeof assistantJobSchema>;

/** fn assistant: read, split and index a knowledge-base document (shared/assistant/knowledge.ts). */
export const ingestJobSchema = z.object({
  kind: z.literal('ingest'),
  accountId: z.string(),
  knowledgeBaseId: z.string(),
  documentId: z.string(),
});
export type IngestJob = z.infer<typeof ingestJobSchema>;

/** Everything fn assistant's queue carries: what the consumer parses each record with. */
export const assistantQueueJob = z.union([assistantJobSchema, ingestJobSchema]);
export type AssistantQueueJob = z.infer<typeof assistantQueueJob>;

/**
 * Sends a job to fn assistant's (standard) queue, checked against the contract first;
 * `delaySeconds` holds a reply back while the customer may still be typing (RT-6).
 */
export async function enqueueAssistant(
  sqs: SQSClient,
  queueUrl: string,
  job: AssistantQueueJob,
  delaySeconds?: number,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(assistantQueueJob.parse(job)),
      ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
    }),
  );
}

/** A conversation's one-time timer (window expiring/expired, auto-close, snooze). */
export const timerInput = z.object({
  kind: z.enum(timerKinds),
  accountId: z.string(),
  conversationId: z.string(),
  attendanceId: z.string(),
  /** When it was meant to fire (epoch ms). */
  at: z.number(),
});
export type TimerInput = z.infer<typeof timerInput>;

/** The smoke check's schedule: its id (letters, digits, dashes) and when it was due. */
export const smokeTimerInput = z.object({
  kind: z.literal('smoke'),
  smokeId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  at: z.number(),
});
export type SmokeTimerInput = z.infer<typeof smokeTimerInput>;

/** The recurring outbox sweep (topology `scheduler.recurring`). */
export const sweepInput = z.object({ kind: z.literal('sweep-outbox') });
