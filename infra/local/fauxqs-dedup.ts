/**
 * FIFO deduplication that survives a restart of the local SQS, as SQS's does. fauxqs 2.4
 * keeps a queue's deduplication ids in memory only: after a restart (or a `kill -9` of the
 * stack) a copy sent again within the 5-minute window was taken as a new message. The
 * engine relies on that window for Meta's duplicate webhooks (shared/domain/inbound-id.ts),
 * so `npm run chaos` showed a customer's message twice in the chat after a restart, which
 * AWS would not do. Each id recorded is appended to a file (a synchronous write: it is in
 * the kernel's hands before the send is answered) and read back at start.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const WINDOW_MS = 5 * 60_000;

type Dedup = { isDuplicate: boolean; originalMessageId?: string; originalSequenceNumber?: string };
interface QueueProto {
  name: string;
  checkDeduplication(id: string): Dedup;
  recordDeduplication(id: string, messageId: string, sequenceNumber?: string): void;
}

/** Patches fauxqs's queues in this thread to persist deduplication ids in `file`. */
export async function persistFifoDeduplication(file: string): Promise<void> {
  // fauxqs exports only its entry point; the queue class is beside it.
  const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href)) as {
    SqsQueue: { prototype: QueueProto };
  };
  mkdirSync(dirname(file), { recursive: true });
  const now = Date.now();
  const known = new Map<string, { messageId: string; sequenceNumber?: string; at: number }>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      try {
        const [queue, id, messageId, sequenceNumber, at] = JSON.parse(line) as [
          string,
          string,
          string,
          string | undefined,
          number,
        ];
        if (now - at < WINDOW_MS) known.set(`${queue}\n${id}`, { messageId, sequenceNumber, at });
      } catch {
        /* a line cut by a kill: its send was not answered */
      }
    }
  }
  // Only what is still inside the window is kept.
  writeFileSync(
    file,
    [...known]
      .map(([k, v]) => `${JSON.stringify([...k.split('\n'), v.messageId, v.sequenceNumber, v.at])}\n`)
      .join(''),
  );
  const proto = SqsQueue.prototype;
  const check = proto.checkDeduplication;
  const record = proto.recordDeduplication;
  proto.checkDeduplication = function (this: QueueProto, id: string) {
    const inMemory = check.call(this, id);
    if (inMemory.isDuplicate) return inMemory;
    const earlier = known.get(`${this.name}\n${id}`);
    if (earlier && Date.now() - earlier.at < WINDOW_MS)
      return {
        isDuplicate: true,
        originalMessageId: earlier.messageId,
        originalSequenceNumber: earlier.sequenceNumber,
      };
    return inMemory;
  };
  proto.recordDeduplication = function (this: QueueProto, id, messageId, sequenceNumber) {
    record.call(this, id, messageId, sequenceNumber);
    appendFileSync(file, `${JSON.stringify([this.name, id, messageId, sequenceNumber, Date.now()])}\n`);
  };
}
