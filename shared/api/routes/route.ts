/** One entry of the REST API's route table (shared/api/routes.ts): its definition and context. */
import type { z } from 'zod';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import type { ApiDeps } from '../api-deps.ts';

export interface RouteContext<P, Q, B> {
  deps: ApiDeps;
  params: P;
  query: Q;
  body: B;
  /** The client's address as API Gateway saw it (requestContext.http.sourceIp). */
  sourceIp: string | undefined;
  /** The caller's claims; reading it on a public route throws UnauthorizedError. */
  auth: AccessClaims;
}

type AnyObject = z.ZodObject;

export interface RouteDef<
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, `{name}` for parameters. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** No token needed (login, refresh, the OpenAPI document). */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: { status: number; description: string; schema?: z.ZodType };
  /** Error statuses worth documenting besides 400/401. */
  errors?: number[];
  handle: (
    ctx: RouteContext<
      P extends AnyObject ? z.output<P> : undefined,
      Q extends AnyObject ? z.output<Q> : undefined,
      B extends z.ZodType ? z.output<B> : undefined
    >,
  ) => Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas inside one heterogeneous table. */
export function route<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}
