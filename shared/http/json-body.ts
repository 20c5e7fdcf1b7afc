/**
 * Parses a JSON request body into `event.jsonBody`. A body that is not JSON, or not sent
 * as JSON, is a 400/415 with a pt-BR message, never a crash in a service.
 */
import type { MiddlewareObj } from '@middy/core';
import { AppError, PayloadTooLargeError, ValidationError } from '#shared/errors.ts';
import { header, type HttpEvent, type HttpResult } from './types.ts';

/** API Gateway accepts up to 10 MB; the API's bodies are small (media goes straight to S3). */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

export function jsonBody(opts: { maxBytes?: number } = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const maxBytes = opts.maxBytes ?? MAX_JSON_BODY_BYTES;
  return {
    name: 'jsonBody',
    before: (request) => {
      const event = request.event;
      if (event.body === undefined || event.body === null || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
      if (raw.length > maxBytes) throw new PayloadTooLargeError();
      const type = header(event, 'content-type') ?? '';
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'Envie o corpo como JSON (Content-Type: application/json).',
        );
      }
      try {
        event.jsonBody = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ValidationError('O corpo da requisição não é um JSON válido.', undefined, 'INVALID_JSON');
      }
    },
  };
}
