/**
 * fauxqs's S3 answers no CORS preflight, so a browser cannot PUT to a presigned URL (as
 * the inbox does for attachments). This pass-through adds the CORS headers the CDK stack
 * puts on the media bucket — for the web app's origin only, as there; another origin gets
 * no CORS headers (its browser refuses the response). The SDK and the browser both talk
 * to it as "S3".
 */
import { createServer, request, type Server } from 'node:http';
import { listen } from './scheduler.ts';

export async function startS3CorsProxy(opts: {
  port: number;
  target: string;
  /** The web app's origin: the only one CORS answers for. */
  allowedOrigin: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const target = new URL(opts.target);
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
    const upstream = request(
      {
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
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
