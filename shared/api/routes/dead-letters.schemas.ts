/**
 * The request and response schemas (zod) of the routes in ./dead-letters.ts (the records
 * functions gave up on (admins; shared/api/dead-letters-service.ts)). The router validates
 * with them, shared/api/openapi.ts generates the OpenAPI document from them, and web/src/api-
 * types.ts infers the web app's types from them.
 */
import { z } from 'zod';
import { queueNames } from '#infra/topology.ts';

export const deadLetterParamsSchema = z.object({
  queue: z.enum(queueNames),
  id: z.string().min(1).max(100),
});

export const deadLetterSchema = z
  .object({
    queue: z.enum(queueNames),
    id: z.string().meta({ description: "The record's SQS message id in the dead-letter queue" }),
    type: z
      .string()
      .meta({ description: 'What it is: message:text, status:delivered, send, reply, ingest…' }),
    customer: z.string().optional().meta({ description: "The customer's phone, masked (last 4 digits)" }),
    conversationId: z.string().optional(),
    failedAt: z.number().int().meta({ description: 'Epoch ms: when the function gave up (or SQS moved it)' }),
    reason: z
      .string()
      .nullable()
      .meta({ description: 'CODE: detail; null when SQS moved it after too many receives' }),
    source: z.string().optional().meta({ description: 'The function that gave up' }),
  })
  .meta({ id: 'DeadLetter' });

export const deadLetterListSchema = z
  .object({
    items: z.array(deadLetterSchema),
    truncated: z.boolean().meta({ description: 'A queue had more records than one page shows' }),
  })
  .meta({ id: 'DeadLetterList' });
