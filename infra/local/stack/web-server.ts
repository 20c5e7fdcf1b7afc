/**
 * Serves the SPA as CloudFront does on AWS: the built files (Vite builds them at start,
 * in about a second) with index.html for every other path, and `/config.json`, with the
 * same security headers as CloudFront's response-headers policy (infra/web-headers.ts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { webSecurityHeaders, type WebOrigins } from '#infra/web-headers.ts';
import { closeServer, listen } from '../server-lifecycle.ts';
import { repoRoot } from './paths.ts';

export async function startWeb(
  port: number,
  config: { apiUrl: string; wsUrl: string },
  origins: WebOrigins,
  dist: string,
  log: (m: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const webRoot = join(repoRoot, 'web');
  if (existsSync(join(webRoot, 'index.html'))) {
    const { build } = await import('vite');
    // Each stack builds into its own data folder: stacks side by side never share files.
    await build({
      configFile: join(webRoot, 'vite.config.ts'),
      root: webRoot,
      logLevel: 'warn',
      build: { outDir: dist, emptyOutDir: true },
    });
  } else {
    log('warning: web/index.html does not exist; the web app is unavailable');
  }
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
  };
  const security = webSecurityHeaders(origins);
  const server: Server = createHttpServer((req, res) => {
    for (const [k, v] of Object.entries(security)) res.setHeader(k, v);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
      return;
    }
    const file = resolve(dist, `.${path}`);
    const inside = file.startsWith(dist) && existsSync(file) && statSync(file).isFile();
    const target = inside ? file : join(dist, 'index.html');
    if (!existsSync(target)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web app is not built.');
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(target)] ?? 'application/octet-stream',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(target).pipe(res);
  });
  await listen(server, port, '127.0.0.1');
  return { stop: () => closeServer(server) };
}
