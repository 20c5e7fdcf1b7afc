/**
 * fn outbound: sends what agents, automations and the assistant queued, through the Graph
 * API. Wiring only: records in order with partial batch failures and backoff from
 * shared/queue, the work in shared/outbound/send.ts.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/engine-deps.ts';
import { outboundJob, processOutboundJob } from '#shared/outbound/send.ts';
import { recordsHandler } from '#shared/queue/batch.ts';
import { flushNumberStatsQuietly } from '#shared/store/numbers.ts';

const deps = engineDepsFromConfig(loadConfig(), 'outbound');

export const handler = middy<SQSEvent>().handler(
  recordsHandler({
    queue: 'outbound',
    source: 'outbound',
    schema: outboundJob,
    work: (job, receiveCount, _record, { lastAttempt }) =>
      processOutboundJob(job, { ...deps, receiveCount, lastAttempt }),
    log: (msg, data) => deps.log('warn', msg, data),
    sqs: sqs(),
    after: () => flushNumberStatsQuietly(deps),
  }),
);
