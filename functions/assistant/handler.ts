/**
 * fn assistant: answers conversations routed to an assistant (shared/assistant) with the
 * account's LLM (shared/assistant/ai-port.ts), or in offline mode from the knowledge base
 * when no LLM is configured; on failure it hands over to people, saying why.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { assistantJobSchema, processAssistantJob } from '#shared/assistant/process-job.ts';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import { searchKnowledge } from '#shared/assistant/knowledge.ts';
import { recordsHandler } from '#shared/queue/batch.ts';

const engine = engineDepsFromConfig(loadConfig(), 'assistant');
const deps = {
  ...engine,
  port: createAiPort({
    ddb: engine.ddb,
    tableName: engine.tableName,
    now: engine.now,
    searchKnowledge: (accountId, kbIds, query, k) => searchKnowledge(engine, accountId, kbIds, query, k),
    log: (level, msg, data) => engine.log(level, msg, data),
  }),
};

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
