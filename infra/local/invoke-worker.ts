/**
 * One function that is not queue-fed (HTTP, WebSocket, scheduler target) in a worker
 * thread of its own, invoked by the main thread's gateways and scheduler: as on Lambda, it
 * has its own environment — only the variables its grants imply and its own AWS access
 * key id, so the stand-ins apply this function's grants (infra/local/iam.ts). The round
 * trip costs about 0.15 ms per invocation on a loaded two-core machine.
 *
 * The same file is the worker (when not the main thread) and its host (`startInvokeWorker`).
 */
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { applyFunctionEnv } from './iam.ts';

interface InvokeWorkerData {
  handlerFile: string;
  env: Record<string, string>;
}
type Request = { id: number; event: unknown } | { id: number; env: true };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

if (!isMainThread && (workerData as { invokeWorker?: boolean })?.invokeWorker) {
  const data = workerData as InvokeWorkerData;
  applyFunctionEnv(data.env);
  const mod = (await import(pathToFileURL(data.handlerFile).href)) as {
    handler: (e: unknown, c: unknown) => Promise<unknown>;
  };
  const port = parentPort!;
  port.on('message', (m: Request | 'stop') => {
    if (m === 'stop') return port.postMessage('stopped');
    if ('env' in m)
      return port.postMessage({ id: m.id, ok: true, result: { ...process.env } } satisfies Reply);
    mod.handler(m.event, {}).then(
      (result) => port.postMessage({ id: m.id, ok: true, result } satisfies Reply),
      (err: Error) => port.postMessage({ id: m.id, ok: false, message: err.message } satisfies Reply),
    );
  });
  port.postMessage('ready');
}

export interface InvokeWorker {
  invoke(event: unknown): Promise<unknown>;
  /** The environment the handler sees (tests: each function has only its own variables). */
  env(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts the worker with the process's environment plus `env` (e.g. its own access key id). */
export async function startInvokeWorker(opts: {
  name: string;
  handlerFile: string;
  env: Record<string, string>;
}): Promise<InvokeWorker> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { invokeWorker: true, handlerFile: opts.handlerFile, env: opts.env },
    env: { ...process.env, ...opts.env },
    name: opts.name,
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let onStopped = () => {};
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: Reply | 'ready' | 'stopped') => {
      if (m === 'ready') return resolve();
      if (m === 'stopped') return onStopped();
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(m.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${opts.name} exited (${code}) before it was ready`)));
  });
  worker.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`${opts.name} stopped`));
    pending.clear();
  });
  const call = (m: { event: unknown } | { env: true }) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...m } as Request);
    });
  return {
    invoke: (event) => call({ event }),
    env: () => call({ env: true }) as Promise<Record<string, string>>,
    async stop() {
      const stopped = new Promise<void>((r) => {
        onStopped = r;
        setTimeout(r, 5_000).unref();
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
