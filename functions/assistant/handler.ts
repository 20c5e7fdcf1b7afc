/**
 * fn assistant: answers conversations routed to an assistant (shared/assistant). The
 * AI itself arrives with the AI issue; until then the port hands the conversation to
 * people with an internal note, so no customer waits on an assistant that cannot answer.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { assistantJobSchema, handOverPort, processAssistantJob } from '#shared/assistant/process-job.ts';
import { recordsHandler } from '#shared/queue/batch.ts';

const deps = { ...engineDepsFromConfig(loadConfig(), 'assistant'), port: handOverPort };

export const handler = middy<SQSEvent>().handler(
  recordsHandler({
    schema: assistantJobSchema,
    work: async (job) => {
      const outcome = await processAssistantJob(job, deps);
      deps.log('info', 'assistant job', { conversationId: job.conversationId, outcome });
    },
    log: (msg, data) => deps.log('warn', msg, data),
    sqs: sqs(),
  }),
);
