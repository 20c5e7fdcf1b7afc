/**
 * Runs a stand-in or a function in a worker thread with a small protocol: the worker
 * posts `{type:'ready', …}` (or `{type:'error', message}`), `{type:'log', line}` at any
 * time, and `{type:'stopped'}` after the parent posted 'stop'.
 */
import { Worker } from 'node:worker_threads';

export type WorkerMessage =
  | { type: 'ready'; [k: string]: unknown }
  | { type: 'error'; message: string }
  | { type: 'log'; line: string }
  | { type: 'stopped' };

export interface HostedWorker {
  /** The worker's 'ready' message. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startWorkerThread(
  file: URL,
  workerData: unknown,
  opts: { name: string; log: (m: string) => void; stopTimeoutMs?: number },
): Promise<HostedWorker> {
  const worker = new Worker(file, { workerData, env: { ...process.env }, name: opts.name });
  let onStopped: () => void = () => {};
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'stopped') onStopped();
      else opts.log(m.line);
    });
    worker.on('error', (err) => {
      opts.log(`${opts.name} crashed: ${err.stack ?? err.message}`);
      reject(err);
    });
    worker.once('exit', (code) => reject(new Error(`${opts.name} exited (${code}) before it was ready`)));
  }).catch(async (err: Error) => {
    await worker.terminate();
    throw err;
  });
  return {
    ready,
    async stop() {
      const stopped = new Promise<void>((r) => {
        onStopped = r;
        setTimeout(r, opts.stopTimeoutMs ?? 10_000).unref();
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
