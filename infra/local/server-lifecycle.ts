/**
 * Starting and stopping the local stand-ins' HTTP servers: one `listen` (an "address in
 * use" becomes a sentence the developer can act on) and one `closeServer` for the servers
 * that keep connections alive (the gateway, the IAM and S3 proxies, the web app).
 */
import type { Agent } from 'node:http';
import type { Server } from 'node:http';
import { LocalStartError } from './errors.ts';

/** Listens, turning "address in use" into a sentence the developer can act on. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new LocalStartError(
              `Port ${port} is already in use. Stop what uses it or move every port with \`npm start -- --port-base <n>\`.`,
            )
          : err,
      );
    });
    server.listen(port, host, () => resolve());
  });
}

/**
 * Stops accepting connections, drops the open ones (idle keep-alive connections would
 * hold `close` for a minute) and, for a proxy, its upstream agent's sockets; resolves once
 * the server is closed.
 */
export function closeServer(server: Server, upstream?: Agent): Promise<void> {
  return new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
    upstream?.destroy();
  });
}
