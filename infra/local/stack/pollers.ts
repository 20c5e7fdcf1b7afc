/**
 * The queue-fed functions: each in a thread of its own (infra/local/function-worker.ts)
 * with its SQS pollers, which stand for Lambda's event source mappings (they read the
 * queue as the service, with the pollers' key). A crashed function gets a new worker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  functionNames,
  functions as functionDefs,
  queues as queueDefs,
  type FunctionName,
  type QueueName,
} from '#infra/topology.ts';
import type { FunctionWorkerData } from '../function-worker.ts';
import { POLLER_KEY } from '../iam.ts';
import { startWorkerThread } from '../worker-host.ts';
import { isQueueFed } from './invoked-functions.ts';
import { repoRoot } from './paths.ts';
import type { Stoppers } from './stoppers.ts';

export async function startPollers(o: {
  queueUrls: Record<QueueName, string>;
  queueArns: Record<QueueName, string>;
  envOf: (fn: FunctionName) => Record<string, string>;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<void> {
  const { queueUrls, queueArns, envOf, stoppers, log } = o;
  for (const fn of functionNames) {
    const pollers = functionDefs[fn].triggers.flatMap((t) =>
      t.kind === 'sqs'
        ? [
            {
              queueUrl: queueUrls[t.queue],
              queueArn: queueArns[t.queue],
              batchSize: t.batchSize,
              // Lambda runs several batches at once; FIFO order still holds per group.
              concurrency: queueDefs[t.queue].fifo ? 8 : 2,
            },
          ]
        : [],
    );
    if (!pollers.length) continue;
    if (!isQueueFed(fn)) throw new Error(`function ${fn} mixes a queue with other triggers`);
    if (!existsSync(join(repoRoot, functionDefs[fn].handler))) {
      log(`warning: ${functionDefs[fn].handler} does not exist yet; function ${fn} is unavailable`);
      continue;
    }
    const data: FunctionWorkerData = {
      fn,
      env: envOf(fn),
      // The pollers are Lambda's event source mapping: they read the queue as the service.
      pollerAccessKeyId: POLLER_KEY,
      handlerFile: join(repoRoot, functionDefs[fn].handler),
      pollers,
      nice: 5,
    };
    const worker = await startWorkerThread(new URL('../function-worker.ts', import.meta.url), data, {
      name: `function ${fn}`,
      log,
      // A crashed function gets a new worker, as Lambda starts a new environment.
      restart: true,
    });
    stoppers.push(() => worker.stop());
  }
}
