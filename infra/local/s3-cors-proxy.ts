/**
 * fauxqs's S3 answers no CORS preflight, so a browser cannot PUT to a presigned URL (as
 * the inbox does for attachments). This pass-through adds the CORS headers the CDK stack
 * puts on the media bucket — for the web app's origin only, as there; another origin gets
 * no CORS headers (its browser refuses the response). The SDK and the browser both talk
 * to it as "S3".
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { accessKeyIdOf, s3Request, type LocalIam } from './iam.ts';
import { closeServer, listen } from './server-lifecycle.ts';

export async function startS3CorsProxy(opts: {
  port: number;
  target: string;
  /** The web app's origin: the only one CORS answers for. */
  allowedOrigin: string;
  /**
   * IAM: each signed request (header or presigned URL) is checked against the signer's
   * grants and refused with S3's 403 AccessDenied, as the bucket policy and IAM would.
   */
  iam?: LocalIam;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer((req, res) => {
    const cors: Record<string, string> =
      req.headers.origin === opts.allowedOrigin
        ? {
            'access-control-allow-origin': opts.allowedOrigin,
            'access-control-allow-methods': 'GET,PUT',
            'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
            'access-control-expose-headers': 'etag',
            vary: 'origin',
          }
        : { vary: 'origin' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    if (opts.iam) {
      const key = accessKeyIdOf(req.headers.authorization, req.url);
      for (const check of s3Request(req.method ?? 'GET', req.url ?? '/', req.headers)) {
        const decision = opts.iam.check(key, check.action, check.resources);
        if (decision.ok) continue;
        const code = decision.unknownKey ? 'InvalidAccessKeyId' : 'AccessDenied';
        res.writeHead(403, { 'content-type': 'application/xml', ...cors });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${decision.message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`,
        );
        req.resume();
        return;
      }
    }
    const upstream = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, ...cors });
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502, cors);
      res.end();
    });
    req.pipe(upstream);
  });
  await listen(server, opts.port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () => closeServer(server, agent),
  };
}
