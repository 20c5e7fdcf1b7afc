/**
 * IAM in front of a JSON-protocol stand-in (DynamoDB Local, fauxqs's SQS): reads who
 * signed the request (the SigV4 access key id) and what it asks (X-Amz-Target and the
 * body's table or queue), asks LocalIam, and either forwards the request unchanged or
 * answers as AWS does when IAM refuses: HTTP 400 AccessDeniedException (or
 * UnrecognizedClientException for a key nobody has).
 *
 * Cheap on the request path: one keep-alive agent to the stand-in, the response streamed
 * back, the body (a few hundred bytes for DynamoDB and SQS) parsed once.
 */
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import { accessKeyIdOf, type LocalIam, type RequestAuth } from './iam.ts';
import { closeServer, listen } from './server-lifecycle.ts';

export interface AuthorizingProxy {
  url: string;
  stop(): Promise<void>;
}

export type Protocol = {
  /** `__type` namespace of the refusal (`com.amazonaws.dynamodb.v20120810`). */
  errorPrefix: string;
  /** The request's checks from its X-Amz-Target and parsed body. */
  describe(target: string, body: Record<string, unknown>): RequestAuth[];
  /** Extra headers of a refusal (SQS's query-compatible error code). */
  refusalHeaders?: (type: string) => Record<string, string>;
};

export async function startAuthorizingProxy(opts: {
  port: number;
  /** The stand-in's address (http://127.0.0.1:<port>). */
  target: string;
  iam: LocalIam;
  protocol: Protocol;
}): Promise<AuthorizingProxy> {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true });
  const forward = (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse) => {
    const upstream = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      if (typeof target !== 'string') return forward(req, body, res);
      let parsed: Record<string, unknown> = {};
      try {
        if (body.length) parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        // The stand-in answers malformed JSON itself.
        return forward(req, body, res);
      }
      const key = accessKeyIdOf(req.headers.authorization);
      for (const check of opts.protocol.describe(target, parsed)) {
        const decision = opts.iam.check(key, check.action, check.resources);
        if (decision.ok) continue;
        const type = decision.unknownKey ? 'UnrecognizedClientException' : 'AccessDeniedException';
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': type,
          ...opts.protocol.refusalHeaders?.(type),
        });
        res.end(
          JSON.stringify({ __type: `${opts.protocol.errorPrefix}#${type}`, message: decision.message }),
        );
        return;
      }
      forward(req, body, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  await listen(server, opts.port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () => closeServer(server, agent),
  };
}
