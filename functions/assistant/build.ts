/**
 * fn assistant: answers conversations routed to an assistant (shared/assistant) with the
 * account's LLM (shared/assistant/ai-port.ts), or in offline mode from the knowledge base
 * when no LLM is configured; on failure it hands over to people, saying why.
 * `buildAssistantHandler` takes its dependencies; `handler` is built from the environment
 * at cold start.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { secretsManager, sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { assistantQueueJob } from '#shared/contracts/jobs.ts';
import { engineDepsFromConfig, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { processAssistantJob } from '#shared/assistant/process-job.ts';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import { ingestDocument, searchKnowledge, type KnowledgeDeps } from '#shared/assistant/knowledge.ts';
import { emit } from '#shared/events/listeners.ts';
import { accountEmbedder } from '#shared/assistant/embeddings.ts';
import { defaultLlmFromSecret, type LlmDefault } from '#shared/assistant/llm-config.ts';
import { recordsHandler, type QueueWiring } from '#shared/queue/batch.ts';

export interface AssistantHandlerDeps {
  engine: EngineDeps;
  queue: QueueWiring;
  /** The deployment's LLM (the `openai` secret), for accounts without their own. */
  defaultLlm?: LlmDefault;
}

export function buildAssistantHandler({ engine, queue, defaultLlm }: AssistantHandlerDeps) {
  const knowledge: KnowledgeDeps = {
    ...engine,
    embed: accountEmbedder({ ...engine, defaultLlm }),
    // Progress reaches the agents' pages through the socket push listener.
    notify: (doc) => emit([{ type: 'knowledge.updated', document: doc }], engine),
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
  return middy<SQSEvent>().handler(
    recordsHandler({
      queue: 'assistant',
      source: 'assistant',
      schema: assistantQueueJob,
      work: async (job) => {
        if (job.kind === 'ingest') {
          const doc = await ingestDocument(job, knowledge);
          deps.log('info', 'knowledge document ingested', {
            documentId: job.documentId,
            status: doc?.status,
          });
          return;
        }
        const outcome = await processAssistantJob(job, deps);
        deps.log('info', 'assistant job', { conversationId: job.conversationId, outcome });
      },
      log: (msg, data) => deps.log('warn', msg, data),
      ...queue,
    }),
  );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): AssistantHandlerDeps {
  const config = loadConfig(env, 'assistant');
  return {
    engine: engineDepsFromConfig(config),
    queue: { sqs: sqs(), dlqUrl: config.dlqUrls.assistant },
    defaultLlm: defaultLlmFromSecret(secretsManager(), config.secretIds.openai, config.openaiBaseUrl),
  };
}
