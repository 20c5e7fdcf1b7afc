import { createServer } from 'node:net';
import { LocalStartError } from './errors.ts';

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on `port` (checked on every interface, as fauxqs and Java bind them all). */
export function isPortFree(port: number): Promise<boolean> {
  const tryHost = (host: string) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
    });
  return tryHost('0.0.0.0').then((free) => (free ? tryHost('127.0.0.1') : false));
}

/** Throws the sentence the developer needs when one of the ports is taken. */
export async function assertPortsFree(ports: { name: string; port: number }[]): Promise<void> {
  for (const { name, port } of ports) {
    if (!(await isPortFree(port))) {
      throw new LocalStartError(
        `A porta ${port} (${name}) já está em uso — port ${port} is already in use: stop what uses it or move every port with \`npm start -- --port-base <n>\` (e.g. --port-base 5500).`,
      );
    }
  }
}

/** Fails with a LocalStartError naming the first of `ports` that is taken. */
export async function freePortsFrom(ports: number[]): Promise<void> {
  await assertPortsFree(ports.map((port) => ({ name: 'local stack', port })));
}

/**
 * A port base whose eleven ports are all free (tests run several stacks side by side). The
 * blocks lie below Linux's ephemeral range (32768–60999): a port there that is free when
 * checked can be taken a moment later as the source port of any outgoing connection.
 */
export async function freePortBase(span = 11): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 600) * 20;
    const checks = await Promise.all(Array.from({ length: span }, (_, i) => isPortFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new LocalStartError('No free block of ports was found for a local stack.');
}
