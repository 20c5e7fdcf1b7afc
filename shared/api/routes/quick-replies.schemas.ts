/** Quick replies (respostas prontas, MSG-7): the routes' request and response schemas (shared/api/routes/quick-replies.ts). */
import { z } from 'zod';
import { idSchema, ulidSchema } from './common-schemas.ts';

export const quickReplyScopeInputSchema = z
  .union([
    z.object({ type: z.literal('all') }).strict(),
    z.object({ type: z.literal('department'), departmentId: idSchema }).strict(),
    z.object({ type: z.literal('user'), userId: idSchema }).strict(),
  ])
  .meta({ id: 'QuickReplyScope', description: 'Todos, um setor ou um usuário' });

const attachmentSchema = z.object({
  uploadId: ulidSchema,
  mimeType: z.string().min(3).max(255),
  filename: z.string().trim().min(1).max(240),
});

export const quickReplySchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    shortcut: z.string(),
    title: z.string(),
    text: z.string(),
    attachment: attachmentSchema.optional(),
    scope: quickReplyScopeInputSchema,
    status: z.enum(['pending', 'approved', 'rejected']),
    createdBy: z.string(),
    createdByName: z.string().optional(),
    sourceMessageId: z.string().optional(),
    reviewedBy: z.string().optional(),
    reviewedAt: z.number().int().optional(),
    rejectionReason: z.string().optional(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .meta({ id: 'QuickReply' });

export const quickReplyListSchema = z
  .object({ items: z.array(quickReplySchema) })
  .meta({ id: 'QuickReplyList' });

export const quickReplyListQuerySchema = z.object({
  usable: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: "Only the approved ones the caller may use (the composer's list)" }),
  q: z.string().trim().max(120).optional().meta({ description: 'Shortcut, title or text' }),
});

/** Meta's limits: text 4,096 characters (a caption 1,024 when it has an attachment). */
const fields = {
  shortcut: z.string().trim().min(1).max(31),
  title: z.string().trim().min(1).max(120),
  text: z.string().trim().min(1).max(4096),
};
const captionFits = (b: { text?: string; attachment?: unknown }) =>
  !b.attachment || b.text === undefined || b.text.length <= 1024;
const captionIssue = { message: 'Com anexo, o texto vai como legenda: até 1024 caracteres.', path: ['text'] };

export const createQuickReplyBodySchema = z
  .object({
    ...fields,
    attachment: attachmentSchema.optional(),
    scope: quickReplyScopeInputSchema,
    sourceMessageId: idSchema.optional(),
  })
  .refine(captionFits, captionIssue)
  .meta({ id: 'CreateQuickReplyRequest' });

export const updateQuickReplyBodySchema = z
  .object({
    shortcut: fields.shortcut.optional(),
    title: fields.title.optional(),
    text: fields.text.optional(),
    attachment: attachmentSchema.nullable().optional().meta({ description: 'null removes it' }),
    scope: quickReplyScopeInputSchema.optional(),
  })
  .refine(captionFits, captionIssue)
  .meta({ id: 'UpdateQuickReplyRequest' });

export const rejectQuickReplyBodySchema = z
  .object({ reason: z.string().trim().max(500).optional() })
  .meta({ id: 'RejectQuickReplyRequest' });

export const quickReplyParamsSchema = z.object({ id: idSchema });
