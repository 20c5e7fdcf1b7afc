/**
 * The outbound queue's contract (fn outbound's jobs) and its one way in: every producer
 * (engine, API, sweeper, assistant) sends through `enqueueOutbound`, which checks the job
 * against the schema and gives it the FIFO attributes, so all group and deduplicate the
 * same way.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

/** Jobs of the outbound queue (fn outbound). */
export const outboundJob = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('send'),
    accountId: z.string(),
    conversationId: z.string(),
    messageId: z.string(),
    /** Queued again by the sweeper (shared/engine/sweeper.ts) at this time: its own dedup id. */
    nudge: z.number().int().optional(),
  }),
  z.object({
    kind: z.literal('markRead'),
    accountId: z.string(),
    numberId: z.string(),
    wamid: z.string(),
    /** Group with the conversation's sends (order); defaults to the wamid. */
    conversationId: z.string().optional(),
  }),
]);
export type OutboundJob = z.infer<typeof outboundJob>;

/**
 * One group per conversation, so a conversation's messages leave in order; the message id
 * (or the wamid read) deduplicates a job sent twice within SQS's 5-minute window.
 */
export function outboundAttributes(job: OutboundJob): {
  MessageGroupId: string;
  MessageDeduplicationId: string;
} {
  if (job.kind === 'send')
    return {
      MessageGroupId: job.conversationId,
      MessageDeduplicationId: job.nudge === undefined ? job.messageId : `${job.messageId}.n${job.nudge}`,
    };
  return {
    MessageGroupId: job.conversationId ?? job.wamid.slice(-128),
    MessageDeduplicationId: `read-${job.wamid}`.slice(-128),
  };
}

/**
 * `attributes` default to the job's own (outboundAttributes); the API's read receipt gives
 * its conversation's group without naming the conversation in the job.
 */
export async function enqueueOutbound(
  sqs: SQSClient,
  queueUrl: string,
  job: OutboundJob,
  attributes: { MessageGroupId: string; MessageDeduplicationId: string } = outboundAttributes(job),
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(outboundJob.parse(job)),
      ...attributes,
    }),
  );
}
