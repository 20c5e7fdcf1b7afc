/**
 * The request and response schemas (zod) of the routes in ./auth.ts (sign-in, sessions and the
 * caller). The router validates with them, shared/api/openapi.ts generates the OpenAPI
 * document from them, and web/src/api-types.ts infers the web app's types from them.
 */
import { z } from 'zod';
import { publicUserSchema, roleSchema } from '#shared/store/types.ts';
import { permissions } from '#shared/domain/inbox.ts';

export const loginBodySchema = z
  .object({
    email: z.string().trim().min(1).max(320).meta({ example: 'demo@atende.local' }),
    password: z.string().min(1).max(256).meta({ example: 'atende-demo' }),
  })
  .meta({ id: 'LoginRequest' });

export const refreshBodySchema = z
  .object({ refreshToken: z.string().min(1).max(512) })
  .meta({ id: 'RefreshRequest' });

const newPasswordSchema = z.string().min(8, 'A senha precisa de pelo menos 8 caracteres.').max(256);

export const changePasswordBodySchema = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: newPasswordSchema })
  .meta({ id: 'ChangePasswordRequest' });

export const resetPasswordBodySchema = z
  .object({
    token: z.string().min(1).max(512).meta({ description: 'The token of the link an admin generated' }),
    password: newPasswordSchema,
  })
  .meta({ id: 'ResetPasswordRequest' });

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
    /** What the user may do (the role's defaults or their own list). */
    permissions: z.array(z.enum(permissions)),
    account: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  })
  .meta({ id: 'Me' });
