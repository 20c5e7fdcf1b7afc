/**
 * Zod at the HTTP boundary: input that does not match its schema is a 400
 * VALIDATION_ERROR listing each field's problem (paths and zod's messages, no values).
 */
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { ValidationError } from '#shared/errors.ts';
import type { HttpEvent, HttpResult } from './types.ts';

/** Parses `value` with `schema`, or throws ValidationError naming where (`body`, `query`, `params`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    'Dados inválidos.',
    parsed.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  );
}

export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

/**
 * For single-route handlers: validates and replaces `jsonBody`, `queryStringParameters`
 * and `pathParameters` with their parsed values (the API router calls parseInput itself).
 */
export function zodValidator(schemas: RequestSchemas): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: 'zodValidator',
    before: (request) => {
      const e = request.event;
      if (schemas.body) e.jsonBody = parseInput(schemas.body, e.jsonBody, 'body');
      if (schemas.query) {
        e.queryStringParameters = parseInput(
          schemas.query,
          e.queryStringParameters ?? {},
          'query',
        ) as HttpEvent['queryStringParameters'];
      }
      if (schemas.params) {
        e.pathParameters = parseInput(
          schemas.params,
          e.pathParameters ?? {},
          'params',
        ) as HttpEvent['pathParameters'];
      }
    },
  };
}
