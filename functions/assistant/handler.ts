/**
 * fn assistant: the AI assistant's queue consumer. The assistant itself (prompts, tools,
 * knowledge bases) is a later issue; until then no code enqueues assistant jobs, and a
 * job that arrives is logged and acknowledged so it cannot loop into the DLQ.
 */
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { log } from '#shared/log.ts';
import { processBatch } from '#shared/queue/batch.ts';

export const handler = middy<SQSEvent>().handler((event) =>
  processBatch(event, async (record) => {
    log('warn', 'assistant job received before assistants exist; acknowledged', {
      fn: 'assistant',
      messageId: record.messageId,
    });
  }),
);
