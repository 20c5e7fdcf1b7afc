/**
 * fn outbound: sends what agents, automations and the assistant queued, through the Graph
 * API. Wiring only: records in order with partial batch failures and backoff from
 * shared/queue, the work in shared/outbound/send.ts. `buildOutboundHandler` takes its
 * dependencies; `handler` is built from the environment at cold start.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { outboundJob } from '#shared/contracts/outbound-queue.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { recordsHandler, type QueueWiring } from '#shared/queue/batch.ts';
import { flushNumberStatsQuietly } from '#shared/store/numbers.ts';

export interface OutboundHandlerDeps {
  engine: EngineDeps;
  queue: QueueWiring;
}

export function buildOutboundHandler({ engine, queue }: OutboundHandlerDeps) {
  return middy<SQSEvent>().handler(
    recordsHandler({
      queue: 'outbound',
      source: 'outbound',
      schema: outboundJob,
      work: (job, _record, { receiveCount, lastAttempt }) =>
        processOutboundJob(job, { ...engine, receiveCount, lastAttempt }),
      log: (msg, data) => engine.log('warn', msg, data),
      ...queue,
      after: () => flushNumberStatsQuietly(engine),
    }),
  );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): OutboundHandlerDeps {
  const config = loadConfig(env, 'outbound');
  return {
    engine: engineDepsFromConfig(config),
    queue: { sqs: sqs(), dlqUrl: config.dlqUrls.outbound },
  };
}
