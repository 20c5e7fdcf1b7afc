/**
 * The request and response schemas (zod) of the routes in ./integrations.ts (numbers,
 * departments, the assistants' list, account settings). The router validates with them,
 * shared/api/openapi.ts generates the OpenAPI document from them, and web/src/api-types.ts
 * infers the web app's types from them.
 */
import { z } from 'zod';
import { departmentSchema, publicNumberSchema } from '#shared/store/types.ts';
import { activeRoutingSchema, numberRoutingSchema } from '#shared/domain/routing.ts';
import { inactivityHoursSchema } from '#shared/domain/clock.ts';
import { idSchema, phoneDigitsSchema } from './common-schemas.ts';
import { apiAssistantSchema } from './ai.schemas.ts';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Escolha uma cor no formato #RRGGBB.');

export const apiNumberSchema = publicNumberSchema
  .extend({
    /** A token is stored (its value is never returned). */
    hasToken: z.boolean(),
    /** This number's own app secret / verify token are stored (values never returned). */
    hasAppSecret: z.boolean(),
    hasVerifyToken: z.boolean(),
    stats: z.object({
      received: z.number(),
      sent: z.number(),
      conversations: z.number(),
      contacts: z.number(),
      ignored: z.number(),
    }),
  })
  .meta({ id: 'WhatsAppNumber' });

export const numberListSchema = z.object({ items: z.array(apiNumberSchema) }).meta({ id: 'NumberList' });

export const numberParamsSchema = z.object({ id: idSchema });

export const createNumberBodySchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    phoneNumberId: z
      .string()
      .trim()
      .regex(/^\d{5,30}$/, 'O ID do número (Meta) tem só dígitos.'),
    wabaId: z
      .string()
      .trim()
      .regex(/^\d{5,30}$/, 'O ID da conta WhatsApp Business (Meta) tem só dígitos.'),
    displayPhone: phoneDigitsSchema,
    color: hexColor.default('#25D366'),
    accessToken: z.string().min(10).max(1024).optional(),
  })
  .meta({ id: 'CreateNumberRequest' });

export const updateNumberBodySchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    displayPhone: phoneDigitsSchema,
    color: hexColor,
    routing: numberRoutingSchema,
    activeRouting: activeRoutingSchema,
    groupMessagesSeconds: z.number().int().min(0).max(60),
    allowlist: z.array(phoneDigitsSchema).max(500),
    /** Write-only: saving a token clears the "invalid token" notice. */
    accessToken: z.string().min(10).max(1024),
    /** Write-only: this number's Meta app secret (webhook signatures), when not the deployment's. */
    appSecret: z.string().min(8).max(256),
    /** Write-only: the verify token of this number's webhook subscription. */
    verifyToken: z.string().min(8).max(256),
  })
  .partial()
  .meta({ id: 'UpdateNumberRequest' });

export const apiDepartmentSchema = departmentSchema.meta({ id: 'Department' });

export const departmentListSchema = z
  .object({ items: z.array(apiDepartmentSchema) })
  .meta({ id: 'DepartmentList' });

export const createDepartmentBodySchema = z
  .object({ name: z.string().trim().min(1).max(80) })
  .meta({ id: 'CreateDepartmentRequest' });

export const departmentParamsSchema = z.object({ id: idSchema });

export const assistantListSchema = z
  .object({ items: z.array(apiAssistantSchema) })
  .meta({ id: 'AssistantList' });

export const outsideWindowTemplateSchema = z
  .object({ name: z.string().trim().min(1).max(512), language: z.string().trim().min(2).max(15) })
  .meta({ id: 'OutsideWindowTemplate' });

export const settingsSchema = z
  .object({
    name: z.string(),
    timezone: z.string(),
    inactivityHours: z.number().int(),
    /** Opening a chat sends the blue ticks to the customer (default on). */
    readReceipts: z.boolean(),
    /** "Setores isolados": users without "see all chats" see only their departments' chats and those with none. */
    isolatedDepartments: z.boolean(),
    /** "Modelo para mensagens fora da janela": what automations send when the 24 h window is closed. */
    outsideWindowTemplate: outsideWindowTemplateSchema.nullable(),
  })
  .meta({ id: 'AccountSettings' });

export const updateSettingsBodySchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'Fuso horário desconhecido.'),
    inactivityHours: inactivityHoursSchema,
    readReceipts: z.boolean(),
    isolatedDepartments: z.boolean(),
    /** An approved template of the account, by name and language; null: none. */
    outsideWindowTemplate: outsideWindowTemplateSchema.nullable(),
  })
  .partial()
  .meta({ id: 'UpdateSettingsRequest' });
