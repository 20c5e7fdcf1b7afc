/**
 * The request and response schemas (zod) of the routes in ./templates.ts (message
 * templates, sending one in a chat, starting a new chat). The router validates with them
 * and shared/api/openapi.ts generates the OpenAPI document from them.
 */
import { z } from 'zod';
import {
  TEMPLATE_STATUSES,
  templateCreateSchema,
  templateSchema,
  templateValuesSchema,
} from '#shared/domain/templates.ts';
import { idSchema } from './common-schemas.ts';
import { apiMessageSchema } from './messages.schemas.ts';

export const apiTemplateSchema = templateSchema
  .extend({
    parameters: z
      .array(
        z.object({
          component: z.enum(['header', 'body', 'button']),
          key: z.string(),
          kind: z.enum(['text', 'image', 'video', 'document', 'url_suffix', 'coupon_code']),
          example: z.string().optional(),
        }),
      )
      .meta({ description: 'What a send of this template needs (header, body, buttons by index)' }),
    preview: z.string().meta({ description: 'The template as plain text, parameters unfilled' }),
  })
  .meta({ id: 'MessageTemplate' });

export const templateListSchema = z
  .object({ items: z.array(apiTemplateSchema) })
  .meta({ id: 'TemplateList' });

export const templateListQuerySchema = z.object({
  numberId: idSchema.optional().meta({ description: "Only this number's WABA" }),
  status: z.enum(TEMPLATE_STATUSES).optional(),
});

export const createTemplateBodySchema = templateCreateSchema
  .extend({
    numberId: idSchema.meta({
      description: 'The number whose WABA (and token) the template is created with',
    }),
    name: z.string().max(512),
    language: z.string().max(15),
  })
  .meta({ id: 'CreateTemplateRequest' });

export const syncTemplatesBodySchema = z.object({ numberId: idSchema.optional() });
export const syncTemplatesSchema = z
  .object({
    items: z.array(apiTemplateSchema),
    removed: z.number().int(),
    failed: z
      .array(z.object({ numberId: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Numbers whose WABA Meta refused (syncing every number): the others synced' }),
  })
  .meta({ id: 'TemplateSync' });

const valuesSchema = templateValuesSchema.meta({
  description: "Parameters by position ('1') or name; header media by id or link; buttons by index",
});

export const sendTemplateBodySchema = z
  .object({
    templateId: z.string().regex(/^\d{1,30}$/),
    values: valuesSchema.default({}),
    clientId: z.string().max(64).optional(),
  })
  .meta({ id: 'SendTemplateRequest' });

export const startConversationBodySchema = z
  .object({
    numberId: idSchema,
    phone: z
      .string()
      .trim()
      .min(8)
      .max(32)
      .meta({ description: 'As typed: BR formats, or + and the country code' }),
    name: z.string().trim().max(120).optional(),
    templateId: z.string().regex(/^\d{1,30}$/),
    values: valuesSchema.default({}),
    openAttendance: z.boolean().default(true),
  })
  .meta({ id: 'StartConversationRequest' });

export const startConversationSchema = z
  .object({ conversationId: z.string(), message: apiMessageSchema })
  .meta({ id: 'StartedConversation' });
