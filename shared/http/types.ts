/**
 * The HTTP event and result of the API function (API Gateway HTTP API, payload 2.0),
 * with what the middlewares add: the parsed JSON body and the caller's verified claims.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AccessClaims } from '#shared/auth/tokens.ts';

export type HttpEvent = APIGatewayProxyEventV2 & {
  /** Set by jsonBody(): the parsed body, or undefined when there was none. */
  jsonBody?: unknown;
  /** Set by authenticate(): who is calling. The account comes only from here. */
  auth?: AccessClaims;
};

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

/** A header by name, case-insensitively (API Gateway lower-cases them; tests may not). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}
