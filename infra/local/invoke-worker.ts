/**
 * One request-fed function (HTTP) in a worker thread of its own, invoked by the main
 * thread's gateway: as on Lambda, it has its own environment — its own AWS access key id,
 * so the Secrets Manager stand-in applies this function's grants and not those of the
 * functions sharing the main thread. Used for fn webhook, which may read the accounts'
 * webhook secrets and nothing else of a tenant's.
 *
 * The same file is the worker (when not the main thread) and its host (`startInvokeWorker`).
 */
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface InvokeWorkerData {
  handlerFile: string;
  env: Record<string, string>;
}
type Request = { id: number; event: unknown };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

if (!isMainThread && (workerData as { invokeWorker?: boolean })?.invokeWorker) {
  const data = workerData as InvokeWorkerData;
  Object.assign(process.env, data.env);
  const mod = (await import(pathToFileURL(data.handlerFile).href)) as {
    handler: (e: unknown, c: unknown) => Promise<unknown>;
  };
  const port = parentPort!;
  port.on('message', (m: Request | 'stop') => {
    if (m === 'stop') return port.postMessage('stopped');
    mod.handler(m.event, {}).then(
      (result) => port.postMessage({ id: m.id, ok: true, result } satisfies Reply),
      (err: Error) => port.postMessage({ id: m.id, ok: false, message: err.message } satisfies Reply),
    );
  });
  port.postMessage('ready');
}

export interface InvokeWorker {
  invoke(event: unknown): Promise<unknown>;
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
  return {
    invoke: (event) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, event } satisfies Request);
      }),
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
