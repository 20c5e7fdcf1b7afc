/**
 * The request and response schemas (zod) of the routes in ./ai.ts (assistants, AI settings,
 * knowledge bases, appointments, test and API conversations, the assistants' conversations).
 * The router validates with them, shared/api/openapi.ts generates the OpenAPI document from
 * them, and web/src/api-types.ts infers the web app's types from them.
 */
import { z } from 'zod';
import {
  aiConversationSchema,
  appointmentSchema,
  assistantTools,
  assistantVariableSchema,
  httpToolSchema,
  kbDocumentSchema,
  knowledgeBaseSchema,
  publicAssistantSchema,
} from '#shared/store/types.ts';
import { workingHoursSchema } from '#shared/domain/hours.ts';
import { priceTableSchema } from '#shared/domain/pricing.ts';
import { idSchema, ulidSchema } from './common-schemas.ts';
import { apiConversationSchema } from './conversations.schemas.ts';

/** Header values are write-only: the response has each header's name and whether it is set. */
export const apiAssistantSchema = publicAssistantSchema.meta({ id: 'Assistant' });

/**
 * An endpoint as the admin saves it. A header with `value` sets it; without `value` it keeps
 * the value already stored for this endpoint (same name, same origin); a header left out
 * is removed.
 */
export const httpToolRequestSchema = httpToolSchema
  .omit({ headers: true })
  .extend({
    headers: z
      .array(
        z.object({
          name: z
            .string()
            .trim()
            .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'Nome de cabeçalho inválido.'),
          value: z
            .string()
            .max(4000)
            .regex(/^[^\r\n]*$/, 'O valor do cabeçalho não pode ter quebra de linha.')
            .optional()
            .meta({ description: 'Absent: keep the stored value (write-only, never returned)' }),
        }),
      )
      .max(30)
      .default([]),
  })
  .meta({ id: 'HttpToolRequest' });

export const assistantParamsSchema = z.object({ id: idSchema });

const assistantFields = z.object({
  name: z.string().trim().min(1).max(80),
  enabled: z.boolean(),
  systemPrompt: z.string().max(20000),
  model: z.string().trim().min(1).max(120),
  temperature: z.number().min(0).max(2),
  /** null clears them (24 hours). */
  workingHours: workingHoursSchema.nullable(),
  tools: z.array(z.enum(assistantTools)),
  knowledgeBaseIds: z.array(idSchema).max(20),
  httpTools: z.array(httpToolRequestSchema).max(20),
  variables: z.array(assistantVariableSchema).max(30),
  /** Sent when a triage menu option hands the chat to the assistant; empty: the default. */
  greeting: z.string().trim().max(1000),
  /** Sent to the customer when the assistant hands the chat to people; empty: the default. */
  transferMessage: z.string().trim().max(1000),
});

/** Absent fields take the assistant's defaults (model gpt-4o-mini, temperature 0.3…). */
export const assistantBodySchema = assistantFields
  .partial()
  .required({ name: true })
  .meta({ id: 'AssistantRequest' });

export const assistantPatchSchema = assistantFields.partial().meta({ id: 'AssistantPatch' });

export const aiSettingsSchema = z
  .object({
    baseUrl: z.string().optional(),
    hasApiKey: z.boolean(),
    embeddingModel: z.string().optional(),
    prices: priceTableSchema,
    source: z.enum(['account', 'deployment']).optional(),
    mode: z
      .enum(['online', 'offline'])
      .meta({ description: 'offline: no LLM configured (answers from the knowledge base)' }),
  })
  .meta({ id: 'AiSettings' });

export const aiSettingsBodySchema = z
  .object({
    baseUrl: z.union([
      z.literal(''),
      z
        .string()
        .regex(/^https?:\/\/\S+$/, 'Informe uma URL http(s).')
        .max(500),
    ]),
    /** Write-only; an empty string removes it. */
    apiKey: z.string().max(500),
    embeddingModel: z.string().max(120),
    prices: priceTableSchema,
  })
  .partial()
  .meta({ id: 'AiSettingsRequest' });

export const knowledgeBaseParamsSchema = z.object({ id: idSchema });

export const knowledgeDocParamsSchema = z.object({ id: idSchema, docId: idSchema });

export const apiKnowledgeBaseSchema = knowledgeBaseSchema.meta({ id: 'KnowledgeBase' });

export const knowledgeBaseListSchema = z
  .object({ items: z.array(apiKnowledgeBaseSchema) })
  .meta({ id: 'KnowledgeBaseList' });

export const apiKbDocumentSchema = kbDocumentSchema.omit({ key: true }).meta({ id: 'KnowledgeDocument' });

export const kbDocumentListSchema = z
  .object({ items: z.array(apiKbDocumentSchema) })
  .meta({ id: 'KnowledgeDocumentList' });

export const addKbDocumentBodySchema = z
  .object({
    uploadId: ulidSchema,
    filename: z.string().trim().min(1).max(240),
    mimeType: z.string().min(3).max(120),
    size: z.number().int().nonnegative().optional(),
  })
  .meta({ id: 'AddKnowledgeDocumentRequest' });

export const knowledgeSearchSchema = z
  .object({
    items: z.array(
      z.object({ id: z.string(), title: z.string().optional(), text: z.string(), score: z.number() }),
    ),
  })
  .meta({ id: 'KnowledgeSearch' });

export const appointmentsQuerySchema = z.object({
  from: z.coerce.number().int().nonnegative().optional().meta({ description: 'Epoch ms; default now' }),
});

export const appointmentListSchema = z
  .object({ items: z.array(appointmentSchema) })
  .meta({ id: 'AppointmentList' });

export const testConversationParamsSchema = z.object({ id: idSchema, conversationId: idSchema });

export const testStartSchema = z
  .object({ conversation: apiConversationSchema })
  .meta({ id: 'TestConversation' });

export const apiConversationBodySchema = z
  .object({
    contactName: z.string().trim().min(1).max(120).optional(),
    contactPhone: z.string().trim().max(20).optional(),
  })
  .meta({ id: 'ApiConversationRequest' });

export const testMessageBodySchema = z
  .object({ text: z.string().trim().min(1).max(4096) })
  .meta({ id: 'TestMessageRequest' });

export const aiConversationsQuerySchema = z.object({
  type: z.enum(['whatsapp', 'test', 'api']).optional(),
  assistantId: idSchema.optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  q: z.string().trim().max(120).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  sep: z.enum(['semicolon', 'comma']).default('semicolon').meta({
    description:
      'CSV only. semicolon: Excel in pt-BR (";", UTF-8 BOM, decimal comma); comma: RFC 4180 for programs',
  }),
});

export const aiConversationListSchema = z
  .object({ items: z.array(aiConversationSchema.extend({ assistantName: z.string() })) })
  .meta({ id: 'AiConversationList', description: 'With format=csv: a text/csv download instead' });
