/**
 * One queue-fed function in its own worker thread, as Lambda gives each function its own
 * execution environments: the function's handler and its SQS pollers run here, so a busy
 * engine never delays the webhook's acknowledgement or the API on the main thread.
 *
 * The parent sends 'stop'; the worker lets its in-flight batches finish, then answers
 * 'stopped'. Log lines go to the parent (it owns the terminal).
 */
import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import { chaosFromEnv, installCrashPoints } from './chaos.ts';
import { startPoller, type SqsHandler } from './sqs-poller.ts';
import { applyFunctionEnv } from './iam.ts';
import type { Restarted, WorkerMessage } from './worker-host.ts';

export interface FunctionWorkerData {
  fn: string;
  /** Variables of this function only (its own AWS access key id: the stand-ins apply its grants). */
  env?: Record<string, string>;
  /** The key the pollers sign with: Lambda's event source mapping, not the function. */
  pollerAccessKeyId?: string;
  handlerFile: string;
  pollers: { queueUrl: string; queueArn: string; batchSize: number; concurrency: number }[];
  /**
   * Scheduling niceness of this thread (Linux applies it per thread). Background work
   * yields the CPU to the webhook and the API, which answer people and Meta.
   */
  nice?: number;
}

const data = workerData as FunctionWorkerData & Partial<Restarted>;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
const log = (line: string) => post({ type: 'log', line: `[${data.fn}] ${line}` });

if (data.nice) {
  try {
    setPriority(data.nice);
  } catch {
    /* not allowed here: same priority as everything else */
  }
}

applyFunctionEnv(data.env);
// Injected crashes (ATENDE_CHAOS_CRASH; off by default): see chaos.ts.
const chaos = chaosFromEnv();
if (chaos)
  installCrashPoints({
    fn: data.fn,
    config: chaos,
    generation: data.generation ?? 0,
    crashesSoFar: data.injectedCrashes ?? 0,
    log,
  });
const mod = (await import(pathToFileURL(data.handlerFile).href)) as { handler?: SqsHandler };
if (typeof mod.handler !== 'function') throw new Error(`${data.handlerFile} exports no handler`);
const handler = mod.handler;
const sqs = new SQSClient({
  useQueueUrlAsEndpoint: false,
  ...(data.pollerAccessKeyId
    ? { credentials: { accessKeyId: data.pollerAccessKeyId, secretAccessKey: 'local' } }
    : {}),
});
const pollers = data.pollers.map((p) => startPoller({ sqs, handler, log, ...p }));

port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  void Promise.allSettled(pollers.map((p) => p.stop())).then(() => {
    sqs.destroy();
    post({ type: 'stopped' });
  });
});
post({ type: 'ready' });
