/**
 * fn inbound: the conversation engine, fed by the inbound FIFO queue. Wiring only: records
 * in order with partial batch failures (a failed record holds back the later records of
 * its group) from shared/queue, the work in shared/engine.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { processInboundItem } from '#shared/engine/process-inbound.ts';
import { parseRecord, processBatch } from '#shared/queue/batch.ts';
import { flushNumberStats } from '#shared/store/numbers.ts';
import { inboundQueueItem, type InboundQueueItem } from '#shared/whatsapp/split.ts';

const deps = engineDepsFromConfig(loadConfig(), 'inbound');

export const handler = middy<SQSEvent>().handler(async (event) => {
  const result = await processBatch(
    event,
    async (record) => {
      const parsed = parseRecord(record, inboundQueueItem);
      if (!parsed) {
        // Not ours to retry: a body no version of the webhook produces.
        deps.log('warn', 'inbound record with an unknown shape acknowledged', {
          messageId: record.messageId,
        });
        return;
      }
      await processInboundItem(parsed as InboundQueueItem, {
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
