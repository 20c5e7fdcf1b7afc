/**
 * fauxqs (SQS + S3) on 127.0.0.1 only. fauxqs 2.4 always listens on 0.0.0.0 (its `host`
 * option only names the host in queue URLs), so while it starts, a listen on the wildcard
 * address is redirected to the loopback address. Nothing else listens during that await in
 * the callers (the fauxqs worker thread and the test runner's stand-ins).
 */
import { Server } from 'node:net';
import { startFauxqs } from 'fauxqs';

type FauxqsOptions = NonNullable<Parameters<typeof startFauxqs>[0]>;

export async function startLoopbackFauxqs(options: FauxqsOptions) {
  const original = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (first && typeof first === 'object' && (first as { host?: string }).host === '0.0.0.0')
      args[0] = { ...first, host: '127.0.0.1' };
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof original;
  try {
    return await startFauxqs(options);
  } finally {
    Server.prototype.listen = original;
  }
}
