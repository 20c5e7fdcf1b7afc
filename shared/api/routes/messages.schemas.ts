/**
 * The request and response schemas (zod) of the routes in ./messages.ts (a chat's messages,
 * sending, search, uploads). The router validates with them, shared/api/openapi.ts generates
 * the OpenAPI document from them, and web/src/api-types.ts infers the web app's types from
 * them.
 */
import { z } from 'zod';
import { messageMediaSchema, messageSchema } from '#shared/store/types.ts';
import { cursorSchema, idSchema, ulidSchema } from './common-schemas.ts';

export const messageSearchQuerySchema = z.object({ q: z.string().trim().min(1).max(200) });

export const messageSearchSchema = z
  .object({ items: z.array(z.object({ id: z.string(), text: z.string(), createdAt: z.number().int() })) })
  .meta({ id: 'MessageSearch' });

export const apiMessageSchema = messageSchema
  .omit({ raw: true })
  .extend({
    media: messageMediaSchema
      .extend({
        url: z.string().optional().meta({ description: 'Presigned GET URL, valid for 5 minutes' }),
      })
      .optional(),
  })
  .meta({ id: 'Message' });

export type ApiMessage = z.infer<typeof apiMessageSchema>;

export const messageListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorSchema.optional(),
  after: idSchema.optional().meta({ description: 'Only messages newer than this message id (resync)' }),
});

export const messageListSchema = z
  .object({
    items: z.array(apiMessageSchema).meta({ description: 'Oldest first' }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'MessageList' });

/**
 * A contact card as the Cloud API sends and receives it (`contacts[]`): a formatted name
 * (required by Meta) and phones; `wa_id` when the number is on WhatsApp.
 */
export const contactCardSchema = z
  .object({
    name: z.object({
      formatted_name: z.string().trim().min(1).max(200),
      first_name: z.string().trim().max(200).optional(),
      last_name: z.string().trim().max(200).optional(),
    }),
    phones: z
      .array(
        z.object({
          phone: z.string().trim().min(3).max(40),
          type: z.string().max(20).optional(),
          wa_id: z
            .string()
            .regex(/^\d{6,20}$/)
            .optional(),
        }),
      )
      .max(10)
      .optional(),
  })
  .meta({ id: 'ContactCard' });

export type ContactCard = z.infer<typeof contactCardSchema>;

/** WhatsApp's limits: text body 4,096 characters, media caption 1,024. */
export const sendMessageBodySchema = z
  .object({
    text: z.string().trim().min(1).max(4096).optional(),
    attachment: z
      .union([
        z.object({
          uploadId: ulidSchema,
          filename: z.string().trim().min(1).max(240),
          mimeType: z.string().min(3).max(255),
          caption: z.string().max(1024).optional(),
          /** An audio recorded in the browser (audio/ogg, Opus): sent as a WhatsApp voice message. */
          voice: z.boolean().optional(),
        }),
        z.object({
          link: z
            .string()
            .max(2048)
            .regex(/^https:\/\/[^\s/]+\/\S*$/, 'Informe um endereço https:// público.')
            .meta({ description: 'Public https URL that Meta downloads (media "by link")' }),
          filename: z.string().trim().min(1).max(240).optional(),
          mimeType: z.string().min(3).max(255),
          caption: z.string().max(1024).optional(),
        }),
      ])
      .optional(),
    /** Contact cards (vCard, MSG-3): sent as a Cloud API `contacts` message. */
    contacts: z.array(contactCardSchema).min(1).max(10).optional(),
    replyToMessageId: idSchema.optional(),
    clientId: z.string().min(1).max(64).optional(),
    /** An internal note (MSG-4): never sent to the customer; allowed with the window closed. */
    internal: z.boolean().optional(),
  })
  .refine((b) => b.text !== undefined || b.attachment !== undefined || b.contacts !== undefined, {
    message: 'Informe um texto ou um anexo.',
    path: ['text'],
  })
  .meta({ id: 'SendMessageRequest' });

export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const uploadBodySchema = z
  .object({
    filename: z.string().trim().min(1).max(240),
    mimeType: z.string().min(3).max(255),
    size: z.number().int().positive(),
    /** `knowledge`: a knowledge-base document (.txt, .md, .pdf) instead of a WhatsApp attachment. */
    purpose: z.enum(['message', 'knowledge']).optional(),
  })
  .meta({ id: 'UploadRequest' });

export const uploadResponseSchema = z
  .object({
    uploadId: z.string(),
    uploadUrl: z.string().meta({ description: 'Presigned S3 PUT URL' }),
    headers: z.record(z.string(), z.string()).meta({ description: 'Headers the PUT must send' }),
    expiresIn: z.number().int().meta({ description: 'Seconds the URL stays valid' }),
  })
  .meta({ id: 'Upload' });
