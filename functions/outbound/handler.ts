/**
 * fn outbound: sends what agents (and later the assistant) queued, through the Graph API.
 * Wiring only; the work is shared/outbound/send.ts.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { outboundJob, processOutboundJob } from '#shared/outbound/send.ts';
import { processBatch } from '#shared/queue/batch.ts';

const deps = engineDepsFromConfig(loadConfig(), 'outbound');

export const handler = middy<SQSEvent>().handler((event) =>
  processBatch(event, (record) => processOutboundJob(outboundJob.parse(JSON.parse(record.body)), deps), {
    sqs: sqs(),
    log: (msg, data) => deps.log('warn', msg, data),
  }),
);
