/**
 * The request and response schemas (zod) of the routes in ./conversations.ts (the list and its
 * counts, one conversation, assignment, postpone, answered). The router validates with them,
 * shared/api/openapi.ts generates the OpenAPI document from them, and web/src/api-types.ts
 * infers the web app's types from them.
 */
import { z } from 'zod';
import { conversationSchema } from '#shared/store/types.ts';
import { views } from '#shared/domain/inbox.ts';
import { sorts } from '../inbox-views.ts';
import { cursorSchema, idSchema } from './common-schemas.ts';

export const conversationParamsSchema = z.object({ id: idSchema });

export const conversationListQuerySchema = z.object({
  view: z.enum(views).default('all').meta({ description: 'all | open | mine | service (INB-1)' }),
  sort: z
    .enum(sorts)
    .default('latest')
    .meta({ description: 'latest | oldest message; newestOpening | oldestOpening attendance' }),
  departmentId: idSchema.optional(),
  agentId: idSchema.optional(),
  numberId: idSchema.optional(),
  campaignId: z.string().max(200).optional().meta({ description: 'Ad or post the customer came from' }),
  tag: z.enum(['expiring', 'expired']).optional().meta({ description: 'Expirando / Expirado' }),
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'Only unread (or marked unread) chats' }),
  q: z.string().trim().max(120).optional().meta({ description: 'Contact name, phone or protocol' }),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: cursorSchema.optional(),
});

export const campaignListSchema = z
  .object({
    items: z.array(z.object({ id: z.string(), name: z.string(), sourceType: z.string().optional() })),
  })
  .meta({ id: 'CampaignList' });

export const viewCountsSchema = z
  .object({ open: z.number().int(), mine: z.number().int(), service: z.number().int() })
  .meta({ id: 'ViewCounts', description: 'Each count stops at 100: show 100 as "99+"' });

export const assignBodySchema = z
  .union([
    z.object({ agentId: idSchema, confirmReplace: z.boolean().optional() }).strict(),
    z.object({ departmentId: idSchema }).strict(),
  ])
  .meta({ id: 'AssignRequest' });

export const postponeBodySchema = z
  .object({ until: z.number().int().positive().meta({ description: 'Epoch ms' }) })
  .meta({ id: 'PostponeRequest' });

export const answeredBodySchema = z.object({ answered: z.boolean() }).meta({ id: 'AnsweredRequest' });

export const apiConversationSchema = conversationSchema.meta({ id: 'Conversation' });

export const contactNameBodySchema = z
  .object({ name: z.string().trim().min(1, 'Informe o nome.').max(120, 'Use até 120 caracteres.') })
  .meta({ id: 'ContactNameRequest' });

export const postponeResponseSchema = z
  .object({ conversation: apiConversationSchema, warnWindow: z.boolean() })
  .meta({ id: 'PostponeResult' });

export const conversationListSchema = z
  .object({ items: z.array(apiConversationSchema), nextCursor: z.string().optional() })
  .meta({ id: 'ConversationList' });
