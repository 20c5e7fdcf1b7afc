/**
 * The REST API's shared building blocks (zod): ids, the page cursor, the error body, a phone
 * number, and the OpenAPI document's own response. Each resource's request and response
 * schemas live beside its routes in shared/api/routes/<resource>.schemas.ts. Response
 * schemas omit every secret (password hashes, access tokens, raw payloads): zod drops keys a
 * schema does not declare.
 */
import { z } from 'zod';

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

export const cursorSchema = z
  .string()
  .min(1)
  .max(2048)
  .meta({ description: 'nextCursor of the previous page' });

/** Digits only, with country and area code (e.g. 5521988776655). */
export const phoneDigitsSchema = z
  .string()
  .trim()
  .regex(/^\d{10,15}$/, 'Use só números, com os códigos do país e da área (ex.: 5521988776655).');

export const openApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' });
