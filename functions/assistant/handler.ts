/**
 * fn assistant: answers conversations routed to an assistant (shared/assistant) with the
 * account's LLM (shared/assistant/ai-port.ts), or in offline mode from the knowledge base
 * when no LLM is configured; on failure it hands over to people, saying why.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { secretsManager, sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/engine-deps.ts';
import { assistantJobSchema, processAssistantJob } from '#shared/assistant/process-job.ts';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import {
  ingestDocument,
  ingestJobSchema,
  searchKnowledge,
  type KnowledgeDeps,
} from '#shared/assistant/knowledge.ts';
import { pushBestEffort as push } from '#shared/push/best-effort.ts';
import { accountEmbedder } from '#shared/assistant/embeddings.ts';
import { defaultLlmFromSecret } from '#shared/assistant/llm-config.ts';
import { z } from 'zod';
import { recordsHandler } from '#shared/queue/batch.ts';

const config = loadConfig();
const engine = engineDepsFromConfig(config, 'assistant');
const defaultLlm = defaultLlmFromSecret(secretsManager(), config.secretIds.openai, config.openaiBaseUrl);
const knowledge: KnowledgeDeps = {
  ...engine,
  embed: accountEmbedder({ ...engine, defaultLlm }),
  notify: (doc) =>
    push(
      doc.accountId,
      [{ type: 'knowledge.updated', knowledgeBaseId: doc.knowledgeBaseId, document: doc }],
      engine,
    ),
};
const deps = {
  ...engine,
  port: createAiPort({
    ddb: engine.ddb,
    tableName: engine.tableName,
    now: engine.now,
    searchKnowledge: (accountId, kbIds, query, k) => searchKnowledge(knowledge, accountId, kbIds, query, k),
    defaultLlm,
    // The account's own LLM key is in its credentials secret.
    ...(engine.accountSecrets ? { accountSecrets: engine.accountSecrets } : {}),
    ...(engine.outbound ? { outbound: engine.outbound } : {}),
    log: (level, msg, data) => engine.log(level, msg, data),
  }),
};

export const handler = middy<SQSEvent>().handler(
  recordsHandler({
    queue: 'assistant',
    source: 'assistant',
    schema: z.union([assistantJobSchema, ingestJobSchema]),
    work: async (job) => {
      if (job.kind === 'ingest') {
        const doc = await ingestDocument(job, knowledge);
        deps.log('info', 'knowledge document ingested', { documentId: job.documentId, status: doc?.status });
        return;
      }
      const outcome = await processAssistantJob(job, deps);
      deps.log('info', 'assistant job', { conversationId: job.conversationId, outcome });
    },
    log: (msg, data) => deps.log('warn', msg, data),
    sqs: sqs(),
  }),
);
