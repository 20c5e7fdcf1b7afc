/**
 * Page cursors: DynamoDB's LastEvaluatedKey, base64url JSON. A cursor is checked against
 * the partition the query is about to read, so a forged cursor cannot move a query to
 * another account (the key condition already prevents it; this turns DynamoDB's
 * ValidationException into a clean 400).
 */
import { z } from 'zod';
import { ValidationError } from '#shared/errors.ts';

export type PageKey = Record<string, string>;

const invalid = () => new ValidationError('Cursor de paginação inválido.', undefined, 'INVALID_CURSOR');

export function encodeCursor(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

const pageKeySchema = z.record(z.string(), z.string());

/** Decodes a cursor whose key must satisfy `check`; ValidationError INVALID_CURSOR otherwise. */
export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

/** A LastEvaluatedKey as strings only (all our key attributes are strings). */
export function asPageKey(key: Record<string, unknown> | undefined): PageKey | undefined {
  if (!key) return undefined;
  const parsed = pageKeySchema.safeParse(key);
  return parsed.success ? parsed.data : undefined;
}

export { pageKeySchema, invalid as invalidCursorError };
