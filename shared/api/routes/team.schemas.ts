/**
 * The request and response schemas (zod) of the routes in ./team.ts (users (the team page),
 * password-reset links, web push subscriptions). The router validates with them,
 * shared/api/openapi.ts generates the OpenAPI document from them, and web/src/api-types.ts
 * infers the web app's types from them.
 */
import { z } from 'zod';
import { publicUserSchema, roleSchema } from '#shared/store/types.ts';
import { permissions } from '#shared/domain/inbox.ts';
import { idSchema } from './common-schemas.ts';

export const resetLinkSchema = z
  .object({
    token: z.string().meta({ description: 'One-time token; the web app opens /redefinir-senha?token=…' }),
    expiresAt: z.number().int().meta({ description: 'Epoch ms; one hour after creation' }),
  })
  .meta({ id: 'PasswordResetLink' });

export const apiUserSchema = publicUserSchema.meta({ id: 'User' });

export const userListSchema = z.object({ items: z.array(apiUserSchema) }).meta({ id: 'UserList' });

export const userParamsSchema = z.object({ id: idSchema });

export const createUserBodySchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    email: z.string().trim().toLowerCase().email('Informe um e-mail válido.').max(320),
    password: z.string().min(8, 'A senha precisa de pelo menos 8 caracteres.').max(256),
    role: roleSchema,
    departmentIds: z.array(idSchema).max(100).default([]),
    permissions: z.array(z.enum(permissions)).optional(),
  })
  .meta({ id: 'CreateUserRequest' });

export const updateUserBodySchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    role: roleSchema,
    departmentIds: z.array(idSchema).max(100),
    permissions: z.array(z.enum(permissions)),
    password: z.string().min(8, 'A senha precisa de pelo menos 8 caracteres.').max(256),
  })
  .partial()
  .meta({ id: 'UpdateUserRequest' });

export const pushKeySchema = z
  .object({ publicKey: z.string().optional().meta({ description: 'VAPID public key; absent: push is off' }) })
  .meta({ id: 'PushKey' });

export const pushSubscriptionBodySchema = z
  .object({
    endpoint: z
      .string()
      .max(2000)
      .regex(
        /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)[:/])\S+$/,
        'O endereço do serviço de push deve ser https.',
      ),
    keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
  })
  .meta({ id: 'PushSubscription' });

export const pushUnsubscribeBodySchema = z
  .object({ endpoint: z.string().max(2000) })
  .meta({ id: 'PushUnsubscribe' });
