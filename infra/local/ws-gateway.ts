/**
 * Local stand-in for the API Gateway WebSocket API: a `ws` server that runs the
 * $connect / $default / $disconnect handlers with API Gateway-shaped events, and serves
 * the management API (`POST/GET/DELETE /@connections/{id}`) that the real
 * ApiGatewayManagementApiClient calls, on the same port.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { listen } from './server-lifecycle.ts';
import { accessKeyIdOf, connectionsRequest, type LocalIam } from './iam.ts';

export type WsHandler = (event: WsEvent, context: unknown) => Promise<unknown>;

export interface WsEvent {
  requestContext: {
    routeKey: '$connect' | '$disconnect' | '$default';
    eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE';
    connectionId: string;
    domainName: string;
    stage: string;
    apiId: string;
    requestId: string;
    connectedAt: number;
    requestTimeEpoch: number;
    messageId?: string;
    disconnectStatusCode?: number;
    identity: { sourceIp: string; userAgent?: string };
  };
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
}

export interface WsGatewayOptions {
  port: number;
  host?: string;
  /** The ws function's handler; undefined refuses connections with 503. */
  handler: () => WsHandler | undefined;
  log?: (msg: string) => void;
  /** IAM on the management API: execute-api:ManageConnections (the `ws:manage` grant). */
  iam?: LocalIam;
}

export interface WsGateway {
  url: string;
  /** The management endpoint for ApiGatewayManagementApiClient. */
  managementEndpoint: string;
  port: number;
  connections(): string[];
  /** Drops every open connection (tests of resynchronisation). */
  dropAll(): void;
  stop(): Promise<void>;
}

/** API Gateway connection ids look like `AbCdEfGhIjKlM=`: base64 with padding. */
const newConnectionId = () => randomBytes(10).toString('base64');

function statusOf(result: unknown): number {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    return Number((result as { statusCode: number }).statusCode) || 200;
  }
  return 200;
}

export async function startWsGateway(opts: WsGatewayOptions): Promise<WsGateway> {
  const sockets = new Map<string, { ws: WebSocket; connectedAt: number; sourceIp: string }>();
  const domainName = `127.0.0.1:${opts.port}`;

  const makeEvent = (
    routeKey: WsEvent['requestContext']['routeKey'],
    connectionId: string,
    connectedAt: number,
    sourceIp: string,
    extra: Partial<WsEvent> = {},
  ): WsEvent => ({
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId,
      domainName,
      stage: 'local',
      apiId: 'local',
      requestId: randomUUID(),
      connectedAt,
      requestTimeEpoch: Date.now(),
      identity: { sourceIp },
    },
    isBase64Encoded: false,
    ...extra,
  });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = /^\/@connections\/([^/]+)$/.exec(url.pathname);
      if (!m) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const id = decodeURIComponent(m[1]!);
      if (opts.iam) {
        const check = connectionsRequest(req.method ?? 'POST', id);
        const d = opts.iam.check(accessKeyIdOf(req.headers.authorization), check.action, check.resources);
        if (!d.ok) {
          const type = d.unknownKey ? 'UnrecognizedClientException' : 'AccessDeniedException';
          res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': type });
          res.end(JSON.stringify({ message: d.message }));
          req.resume();
          return;
        }
      }
      const conn = sockets.get(id);
      if (!conn) {
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
        res.end(JSON.stringify({ message: 'Gone' }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      switch (req.method) {
        case 'POST':
          conn.ws.send(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(200).end();
          return;
        case 'GET':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              connectedAt: new Date(conn.connectedAt).toISOString(),
              identity: { sourceIp: conn.sourceIp },
              lastActiveAt: new Date().toISOString(),
            }),
          );
          return;
        case 'DELETE':
          conn.ws.close(1000);
          res.writeHead(204).end();
          return;
        default:
          res.writeHead(405).end();
      }
    })();
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    void (async () => {
      const handler = opts.handler();
      const url = new URL(req.url ?? '/', 'http://localhost');
      const connectionId = newConnectionId();
      const connectedAt = Date.now();
      const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
      const reject = (status: number) => {
        socket.write(
          `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Error'}\r\nConnection: close\r\n\r\n`,
        );
        socket.destroy();
      };
      if (!handler) return reject(503);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const query = Object.fromEntries(url.searchParams);
      let status = 500;
      try {
        status = statusOf(
          await handler(
            makeEvent('$connect', connectionId, connectedAt, sourceIp, {
              headers,
              queryStringParameters: Object.keys(query).length ? query : undefined,
            }),
            {},
          ),
        );
      } catch (err) {
        opts.log?.(`$connect failed: ${(err as Error).message}`);
      }
      if (status < 200 || status >= 300) return reject(status);
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.set(connectionId, { ws, connectedAt, sourceIp });
        ws.on('message', (data) => {
          const body = data.toString();
          void handler(makeEvent('$default', connectionId, connectedAt, sourceIp, { body }), {})
            .then((result) => {
              // A route response: API Gateway sends a returned body back to the caller.
              const r = result as { body?: string } | undefined;
              if (r && typeof r.body === 'string' && ws.readyState === ws.OPEN) ws.send(r.body);
            })
            .catch((err: Error) => opts.log?.(`$default failed: ${err.message}`));
        });
        ws.on('close', (code) => {
          sockets.delete(connectionId);
          void handler(
            makeEvent('$disconnect', connectionId, connectedAt, sourceIp, {
              requestContext: {
                ...makeEvent('$disconnect', connectionId, connectedAt, sourceIp).requestContext,
                disconnectStatusCode: code,
              },
            }),
            {},
          ).catch((err: Error) => opts.log?.(`$disconnect failed: ${err.message}`));
        });
      });
    })();
  });

  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  return {
    url: `ws://127.0.0.1:${opts.port}`,
    managementEndpoint: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    connections: () => [...sockets.keys()],
    dropAll() {
      for (const { ws } of sockets.values()) ws.terminate();
    },
    async stop() {
      for (const { ws } of sockets.values()) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
