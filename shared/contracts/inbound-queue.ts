/**
 * The inbound queue's item (fn webhook → fn inbound), one zod contract: the webhook's
 * split (shared/whatsapp/split.ts) builds these values and fn inbound parses each record
 * with this schema (a record that does not fit it is dead-lettered as INVALID_PAYLOAD). The
 * message, status and errors are checked item by item by the split with
 * shared/whatsapp/webhook-schema.ts, so the queue's schema keeps them open.
 */
import { z } from 'zod';
import type { InboundMessage, MessageStatus, MetaError } from '#shared/whatsapp/webhook-schema.ts';

export const inboundQueueItem = z.object({
  kind: z.enum(['message', 'status', 'event', 'unparsed']),
  phoneNumberId: z.string().optional(),
  wabaId: z.string().optional(),
  displayPhone: z.string().optional(),
  contact: z
    .object({
      waId: z.string().optional(),
      userId: z.string().optional(),
      name: z.string().optional(),
      username: z.string().optional(),
    })
    .optional(),
  message: z.unknown().optional(),
  status: z.unknown().optional(),
  field: z.string().optional(),
  value: z.unknown().optional(),
  /** Errors Meta attached to the change (e.g. an unsupported message). */
  errors: z.array(z.unknown()).optional(),
  /**
   * A WABA-level event vouched for by numbers' own app secrets, not the deployment's: the
   * only accounts whose data it may change (shared/webhook/entry-rule.ts).
   */
  accountIds: z.array(z.string()).optional(),
  /** The JSON that did not fit the schemas, as received. */
  raw: z.string().optional(),
  receivedAt: z.number(),
});
export type InboundQueueItem = Omit<z.infer<typeof inboundQueueItem>, 'message' | 'status' | 'errors'> & {
  message?: InboundMessage;
  status?: MessageStatus;
  errors?: MetaError[];
};
