/** Response builders: every API answer is JSON with an explicit content type. */
import type { HttpResult } from './types.ts';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(headers: Record<string, string> = {}): HttpResult {
  return { statusCode: 204, headers: { 'cache-control': 'no-store', ...headers } };
}

/** A route's answer that is not JSON (a CSV download): the router returns it as is. */
export class RawResponse {
  readonly result: HttpResult;
  constructor(result: HttpResult) {
    this.result = result;
  }
}

export function download(filename: string, contentType: string, body: string): RawResponse {
  return new RawResponse({
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'no-store',
    },
    body,
  });
}
