/**
 * A small router over the route table: matches `method + path`, validates params, query
 * and body with the route's schemas, calls its service, and shapes the response through
 * the response schema (which strips anything undeclared, secrets included).
 */
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { MethodNotAllowedError, NotFoundError, UnauthorizedError } from '#shared/errors.ts';
import { json, noContent, RawResponse } from '#shared/http/response.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';
import { parseInput } from '#shared/http/validate.ts';
import type { ApiDeps } from './api-deps.ts';
import type { RouteDef } from './routes.ts';

interface Compiled {
  route: RouteDef;
  regex: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDef; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export interface Router {
  match(method: string, path: string): RouteMatch;
  /** The path the API sees: rawPath without a named stage's prefix. */
  pathOf(event: HttpEvent): string;
  /** True for public routes (no token needed). */
  isPublic(event: HttpEvent): boolean;
  dispatch(event: HttpEvent, deps: ApiDeps): Promise<HttpResult>;
}

function compile(route: RouteDef): Compiled {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      const p = /^\{(\w+)\}$/.exec(seg);
      if (!p) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(p[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, regex: new RegExp(`^${pattern}/?$`), names };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function createRouter(routes: RouteDef[]): Router {
  const compiled = routes.map(compile);

  const match = (method: string, path: string): RouteMatch => {
    let pathMatched = false;
    for (const c of compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method.toUpperCase()) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = decode(m[i + 1]!)));
      return { kind: 'found', route: c.route, params };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  };

  const pathOf = (event: HttpEvent): string => {
    const raw = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const stage = event.requestContext?.stage;
    if (stage && stage !== '$default' && raw.startsWith(`/${stage}/`)) return raw.slice(stage.length + 1);
    return raw;
  };

  const methodOf = (event: HttpEvent) => event.requestContext?.http?.method ?? 'GET';

  return {
    match,
    pathOf,
    isPublic: (event) => {
      const m = match(methodOf(event), pathOf(event));
      return m.kind === 'found' && m.route.public === true;
    },
    dispatch: async (event, deps) => {
      const m = match(methodOf(event), pathOf(event));
      if (m.kind === 'not-found') throw new NotFoundError('Endereço não encontrado.', 'ROUTE_NOT_FOUND');
      if (m.kind === 'method-not-allowed') throw new MethodNotAllowedError();
      const { route } = m;
      const auth = event.auth;
      if (!route.public && !auth) throw new UnauthorizedError();
      const ctx = {
        deps,
        sourceIp: event.requestContext?.http?.sourceIp,
        params: route.params ? parseInput(route.params, m.params, 'params') : undefined,
        query: route.query ? parseInput(route.query, event.queryStringParameters ?? {}, 'query') : undefined,
        body: route.body ? parseInput(route.body, event.jsonBody ?? {}, 'body') : undefined,
        get auth(): AccessClaims {
          if (!auth) throw new UnauthorizedError();
          return auth;
        },
      };
      const result = await route.handle(ctx as Parameters<RouteDef['handle']>[0]);
      if (result instanceof RawResponse) return result.result;
      const { status, schema } = route.response;
      if (!schema || status === 204) return noContent();
      return json(status, schema.parse(result));
    },
  };
}
