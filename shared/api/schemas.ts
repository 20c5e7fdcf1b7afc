/**
 * The REST API's request and response shapes (zod). The route table (routes.ts) uses them
 * to validate input, to strip responses down to what may leave the server, and to
 * generate /api/openapi.json. Response schemas omit every secret (password hashes,
 * access tokens, raw payloads): zod drops keys a schema does not declare.
 */
import { z } from 'zod';
import {
  conversationSchema,
  messageMediaSchema,
  messageSchema,
  publicUserSchema,
  roleSchema,
} from '#shared/store/types.ts';

/** Ids in paths and bodies: ULIDs, or similar opaque ids; nothing that could break a key. */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/)
  .meta({ description: 'Identificador (ULID)', example: '01JD3Z8Q7W5V4T3S2R1P0N9M8K' });

export const ulidSchema = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i)
  .meta({ description: 'ULID', example: '01JD3Z8Q7W5V4T3S2R1P0N9M8K' });

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'NOT_FOUND' }),
      message: z.string().meta({ example: 'Não encontrado.' }),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

// ── auth ────────────────────────────────────────────────────────────────────────────
export const loginBodySchema = z
  .object({
    email: z.string().trim().min(1).max(320).meta({ example: 'demo@atende.local' }),
    password: z.string().min(1).max(256).meta({ example: 'atende-demo' }),
  })
  .meta({ id: 'LoginRequest' });

export const refreshBodySchema = z
  .object({ refreshToken: z.string().min(1).max(512) })
  .meta({ id: 'RefreshRequest' });

export const sessionUserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: roleSchema,
    accountId: z.string(),
  })
  .meta({ id: 'SessionUser' });

export const tokenResponseSchema = z
  .object({
    accessToken: z.string().meta({ description: 'JWT (HS256) for `Authorization: Bearer`; 15 minutes' }),
    refreshToken: z.string().meta({ description: 'Single use: each refresh returns a new one' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires', example: 900 }),
    user: sessionUserSchema,
  })
  .meta({ id: 'Tokens' });

export const meResponseSchema = publicUserSchema
  .extend({
    account: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  })
  .meta({ id: 'Me' });

// ── conversations ──────────────────────────────────────────────────────────────────
export const conversationParamsSchema = z.object({ id: idSchema });

const cursorSchema = z.string().min(1).max(2048).meta({ description: 'nextCursor of the previous page' });

export const conversationListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: cursorSchema.optional(),
});

export const apiConversationSchema = conversationSchema.meta({ id: 'Conversation' });

export const conversationListSchema = z
  .object({ items: z.array(apiConversationSchema), nextCursor: z.string().optional() })
  .meta({ id: 'ConversationList' });

// ── messages ───────────────────────────────────────────────────────────────────────
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
    replyToMessageId: idSchema.optional(),
    clientId: z.string().min(1).max(64).optional(),
  })
  .refine((b) => b.text !== undefined || b.attachment !== undefined, {
    message: 'Informe um texto ou um anexo.',
    path: ['text'],
  })
  .meta({ id: 'SendMessageRequest' });
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

// ── uploads ────────────────────────────────────────────────────────────────────────
export const uploadBodySchema = z
  .object({
    filename: z.string().trim().min(1).max(240),
    mimeType: z.string().min(3).max(255),
    size: z.number().int().positive(),
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

export const openApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' });
