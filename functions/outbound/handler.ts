/**
 * fn outbound: sends what agents (and later the assistant) queued, through the Graph API.
 * Wiring only: records in order with partial batch failures and backoff from shared/queue,
 * the work in shared/outbound/send.ts.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { outboundJob, processOutboundJob } from '#shared/outbound/send.ts';
import { parseRecord, processBatch } from '#shared/queue/batch.ts';
import { flushNumberStats } from '#shared/store/numbers.ts';

const deps = engineDepsFromConfig(loadConfig(), 'outbound');

export const handler = middy<SQSEvent>().handler(async (event) => {
  const result = await processBatch(
    event,
    async (record) => {
      const parsed = parseRecord(record, outboundJob);
      if (!parsed) {
        deps.log('warn', 'outbound record with an unknown shape acknowledged', {
          messageId: record.messageId,
        });
        return;
      }
      await processOutboundJob(parsed, {
        ...deps,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      });
    },
    { sqs: sqs(), log: (msg, data) => deps.log('warn', msg, data) },
  );
  // Statistics counted during the batch, one write per number (NUM-2).
  await flushNumberStats(deps.ddb).catch((err: Error) =>
    deps.log('warn', 'number statistics not saved', { error: err.message }),
  );
  return result;
});
