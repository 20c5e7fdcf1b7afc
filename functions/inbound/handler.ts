/**
 * fn inbound: the conversation engine, fed by the inbound FIFO queue. Wiring only: records
 * in order with partial batch failures (a failed record holds back the later records of
 * its group) from shared/queue, the work in shared/engine.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { recordsHandler } from '#shared/queue/batch.ts';
import { flushNumberStatsQuietly } from '#shared/store/numbers.ts';
import { inboundQueueItem, type InboundQueueItem } from '#shared/contracts/inbound-queue.ts';

const deps = engineDepsFromConfig(loadConfig(), 'inbound');

export const handler = middy<SQSEvent>().handler(
  recordsHandler({
    queue: 'inbound',
    source: 'inbound',
    schema: inboundQueueItem,
    work: (item, receiveCount, record, { lastAttempt }) =>
      processInboundItem(item as InboundQueueItem, {
        ...deps,
        receiveCount,
        lastAttempt,
        delivery: {
          firstReceivedAt: Number(record.attributes.ApproximateFirstReceiveTimestamp),
          sequenceNumber: record.attributes.SequenceNumber ?? '',
        },
      }),
    log: (msg, data) => deps.log('warn', msg, data),
    sqs: sqs(),
    // Statistics counted during the batch, one write per number (NUM-2).
    after: () => flushNumberStatsQuietly(deps),
  }),
);
