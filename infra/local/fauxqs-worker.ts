/**
 * fauxqs (SQS + S3) in a worker thread of its own, on 127.0.0.1 (./fauxqs.ts). Its persistence writes on every send,
 * receive and delete; on the main thread that work would delay the webhook's answers.
 *
 * workerData: { port, dataDir? }. Posts {type:'ready', address} or {type:'error', message};
 * on 'stop' stops the server and posts {type:'stopped'}.
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { startLoopbackFauxqs } from './fauxqs.ts';
import { persistFifoDeduplication } from './fauxqs-dedup.ts';
import type { WorkerMessage } from './worker-host.ts';

export interface FauxqsWorkerData {
  port: number;
  dataDir?: string;
}

const data = workerData as FauxqsWorkerData;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

try {
  // Kept data keeps its FIFO deduplication window too, as SQS does across our restarts.
  if (data.dataDir) await persistFifoDeduplication(join(data.dataDir, 'dedup.jsonl'));
  const server = await startLoopbackFauxqs({
    port: data.port,
    ...(data.dataDir ? { dataDir: data.dataDir } : {}),
    logger: false,
  });
  port.on('message', (m: unknown) => {
    if (m !== 'stop') return;
    void server.stop().finally(() => post({ type: 'stopped' }));
  });
  post({ type: 'ready', address: server.address });
} catch (err) {
  post({ type: 'error', message: (err as Error).message });
}
