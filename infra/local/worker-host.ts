/**
 * Runs a stand-in or a function in a worker thread with a small protocol: the worker
 * posts `{type:'ready', …}` (or `{type:'error', message}`), `{type:'log', line}` at any
 * time, and `{type:'stopped'}` after the parent posted 'stop'.
 */
import { Worker } from 'node:worker_threads';
import { CHAOS_EXIT_CODE, countInjectedCrash } from './chaos.ts';

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

/** What a restarted worker is told besides its workerData (an object's keys are merged in). */
export interface Restarted {
  /** 0 for the first worker, then 1, 2… for each restart. */
  generation: number;
  /** How many earlier workers of this host crashed on purpose (chaos.ts). */
  injectedCrashes: number;
}

export async function startWorkerThread(
  file: URL,
  workerData: unknown,
  opts: {
    name: string;
    log: (m: string) => void;
    stopTimeoutMs?: number;
    /**
     * Start a new worker when this one dies after it was ready, as Lambda starts a new
     * environment after one crashed (queue-fed functions).
     */
    restart?: boolean;
  },
): Promise<HostedWorker> {
  let onStopped: () => void = () => {};
  let stopping = false;
  const restarted: Restarted = { generation: 0, injectedCrashes: 0 };

  type Launched = { worker: Worker; ready: Record<string, unknown>; alive: boolean };
  const launch = async (): Promise<Launched> => {
    const data =
      opts.restart && workerData && typeof workerData === 'object'
        ? { ...workerData, ...restarted }
        : workerData;
    const worker = new Worker(file, { workerData: data, env: { ...process.env }, name: opts.name });
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
    const launched: Launched = { worker, ready, alive: true };
    worker.once('exit', (code) => {
      launched.alive = false;
      if (opts.restart) relaunching = relaunch(code);
    });
    return launched;
  };

  let relaunching: Promise<void> | undefined;
  let current = await launch();

  const relaunch = async (code: number) => {
    if (stopping) return;
    const injected = code === CHAOS_EXIT_CODE;
    if (injected) {
      restarted.injectedCrashes++;
      countInjectedCrash();
    }
    opts.log(`${opts.name} exited (${code}${injected ? ', injected crash' : ''}); starting a new one`);
    for (let attempt = 0; !stopping; attempt++) {
      restarted.generation++;
      try {
        current = await launch();
        return;
      } catch (err) {
        opts.log(`${opts.name} did not restart: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  };

  return {
    ready: current.ready,
    async stop() {
      stopping = true;
      await relaunching;
      const { worker, alive } = current;
      if (!alive) return;
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
