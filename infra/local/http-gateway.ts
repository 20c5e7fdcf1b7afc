/**
 * Local stand-in for the API Gateway HTTP API: matches the topology's routes, builds
 * APIGatewayProxyEventV2 events, calls the handler and writes its result the way API
 * Gateway does (payload format 2.0), with the same CORS behaviour as the CDK stack.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HttpRouteDef } from '#infra/topology.ts';
import { closeServer, listen } from './server-lifecycle.ts';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<unknown>;

export interface HttpGatewayOptions {
  port: number;
  host?: string;
  routes: HttpRouteDef[];
  /** Resolves the handler of a route's function; undefined answers 503. */
  handlerFor: (fn: HttpRouteDef['function']) => HttpHandler | undefined;
  log?: (msg: string) => void;
}

export interface HttpGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface CompiledRoute {
  route: HttpRouteDef;
  regex: RegExp;
  params: string[];
}

/** `/api/{proxy+}` → regex with named params, as API Gateway matches routes. */
export function compileRoute(route: HttpRouteDef): CompiledRoute {
  const params: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      const greedy = /^\{(\w+)\+\}$/.exec(seg);
      if (greedy) {
        params.push(greedy[1]!);
        return '(.+)';
      }
      const p = /^\{(\w+)\}$/.exec(seg);
      if (p) {
        params.push(p[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${pattern}$`), params };
}

const textTypes = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/;

export function matchRoute(compiled: CompiledRoute[], method: string, path: string) {
  // Exact routes win over greedy ones, as in API Gateway.
  const candidates = compiled
    .map((c) => ({ c, m: c.regex.exec(path) }))
    .filter(({ c, m }) => m && (c.route.method === method || c.route.method === 'ANY'))
    .sort((a, b) => Number(a.c.route.method === 'ANY') - Number(b.c.route.method === 'ANY'));
  const hit = candidates[0];
  if (!hit?.m) return undefined;
  const pathParameters: Record<string, string> = {};
  hit.c.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(hit.m![i + 1]!)));
  return { route: hit.c.route, pathParameters };
}

export async function buildEvent(
  req: IncomingMessage,
  routeKey: string,
  pathParameters: Record<string, string>,
): Promise<APIGatewayProxyEventV2> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === 'cookie') continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const contentType = headers['content-type'] ?? '';
  const isText = raw.length === 0 || textTypes.test(contentType);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim());
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: raw.length ? (isText ? raw.toString('utf8') : raw.toString('base64')) : undefined,
    isBase64Encoded: raw.length > 0 && !isText,
  };
}

/** Writes a handler's result as API Gateway (payload 2.0) would. */
export function writeResult(res: ServerResponse, result: unknown, cors: Record<string, string>): void {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in (result as Record<string, unknown>);
  if (!structured) {
    // A bare value: API Gateway answers 200 with it as JSON.
    res.writeHead(200, { 'content-type': 'application/json', ...cors });
    res.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const r = result as Exclude<APIGatewayProxyResultV2, string>;
  const headers: Record<string, string | string[]> = { ...cors };
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  res.writeHead(r.statusCode ?? 200, headers);
  const body = r.body ?? '';
  res.end(r.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

const corsHeaders = (origin: string | undefined): Record<string, string> =>
  origin
    ? {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'retry-after',
        vary: 'origin',
      }
    : {};

export async function startHttpGateway(opts: HttpGatewayOptions): Promise<HttpGateway> {
  const compiled = opts.routes.map(compileRoute);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const cors = corsHeaders(req.headers.origin);
      if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
          'access-control-allow-headers': 'authorization,content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      const hit = matchRoute(compiled, method, url.pathname);
      if (!hit) {
        res.writeHead(404, { 'content-type': 'application/json', ...cors });
        res.end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const handler = opts.handlerFor(hit.route.function);
      if (!handler) {
        res.writeHead(503, { 'content-type': 'application/json', ...cors });
        res.end(JSON.stringify({ message: `Function ${hit.route.function} is not available` }));
        return;
      }
      const routeKey = `${hit.route.method} ${hit.route.path}`;
      try {
        const event = await buildEvent(req, routeKey, hit.pathParameters);
        const result = await handler(event, { awsRequestId: event.requestContext.requestId });
        writeResult(res, result, cors);
      } catch (err) {
        opts.log?.(`${routeKey} failed: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', ...cors });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      }
    })();
  });
  // Idle keep-alive connections stay open longer than clients keep them (as load balancers
  // do), so a client never reuses a socket the server is closing at that very moment.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    stop: () => closeServer(server),
  };
}
