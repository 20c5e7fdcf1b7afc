/**
 * fn inbound: the conversation engine, fed by the inbound FIFO queue. Wiring only:
 * partial batch failures and per-group order from shared/queue, the work in shared/engine.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { processInboundItem } from '#shared/engine/process-inbound.ts';
import { processBatch } from '#shared/queue/batch.ts';
import { inboundQueueItem, type InboundQueueItem } from '#shared/whatsapp/split.ts';

const deps = engineDepsFromConfig(loadConfig(), 'inbound');

export const handler = middy<SQSEvent>().handler((event) =>
  processBatch(
    event,
    async (record) => {
      const item = inboundQueueItem.parse(JSON.parse(record.body)) as InboundQueueItem;
      await processInboundItem(item, {
        ...deps,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      });
    },
    { sqs: sqs(), log: (msg, data) => deps.log('warn', msg, data) },
  ),
);
