/**
 * Sending work to Atende's queues with the FIFO attributes each one expects, so every
 * producer (engine, API, timers, assistant) groups and deduplicates the same way.
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

export async function enqueueOutbound(sqs: SQSClient, queueUrl: string, job: OutboundJob): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(job),
      ...outboundAttributes(job),
    }),
  );
}
