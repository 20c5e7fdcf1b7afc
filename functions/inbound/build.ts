/**
 * fn inbound: the conversation engine, fed by the inbound FIFO queue. Wiring only: records
 * in order with partial batch failures (a failed record holds back the later records of
 * its group) from shared/queue, the work in shared/engine. `buildInboundHandler` takes
 * its dependencies (tests give their own); `handler` is built from the environment at
 * cold start (shared/config.ts: a missing variable fails there, with its name).
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { recordsHandler, type QueueWiring } from '#shared/queue/batch.ts';
import { flushNumberStatsQuietly } from '#shared/store/numbers.ts';
import { inboundQueueItem, type InboundQueueItem } from '#shared/contracts/inbound-queue.ts';

export interface InboundHandlerDeps {
  engine: EngineDeps;
  queue: QueueWiring;
}

export function buildInboundHandler({ engine, queue }: InboundHandlerDeps) {
  return middy<SQSEvent>().handler(
    recordsHandler({
      queue: 'inbound',
      source: 'inbound',
      schema: inboundQueueItem,
      work: (item, record, { receiveCount, lastAttempt }) =>
        processInboundItem(item as InboundQueueItem, {
          ...engine,
          receiveCount,
          lastAttempt,
          delivery: {
            firstReceivedAt: Number(record.attributes.ApproximateFirstReceiveTimestamp),
            sequenceNumber: record.attributes.SequenceNumber ?? '',
          },
        }),
      log: (msg, data) => engine.log('warn', msg, data),
      ...queue,
      // Statistics counted during the batch, one write per number (NUM-2).
      after: () => flushNumberStatsQuietly(engine),
    }),
  );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): InboundHandlerDeps {
  const config = loadConfig(env, 'inbound');
  return {
    engine: engineDepsFromConfig(config),
    queue: { sqs: sqs(), dlqUrl: config.dlqUrls.inbound },
  };
}
