/**
 * The bench's trace of the local runtime's own hops (test/bench/meter.ts listens). Off
 * unless the stack's process was started with ATENDE_BENCH_TRACE=1 (the bench's stack
 * process sets it): then the pollers say when a batch was received, handed to the
 * function and deleted, and the coalesced state writers how long each write held their
 * thread. Sent on a BroadcastChannel, so it reaches the meter from the function workers'
 * threads too; when off, a call is one boolean test.
 */
import { BroadcastChannel } from 'node:worker_threads';

export const BENCH_TRACE_CHANNEL = 'atende-bench-trace';

export type BenchTraceEvent =
  /** A poller's batch at one of its hops; `bodies` are the records' bodies (the bench finds its markers in them). */
  | { kind: 'batch'; hop: 'polled' | 'handlerStart' | 'handlerEnd' | 'deleted'; t: number; bodies: string[] }
  /** A coalesced state write (coalesced-write.ts): when it started and how long it took. */
  | { kind: 'write'; name: string; t: number; ms: number };

const enabled = process.env.ATENDE_BENCH_TRACE === '1';
let channel: BroadcastChannel | undefined;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across threads. */
export const traceNow = () => performance.timeOrigin + performance.now();

export const benchTracing = () => enabled;

export function benchTrace(event: BenchTraceEvent | (() => BenchTraceEvent)): void {
  if (!enabled) return;
  if (!channel) {
    channel = new BroadcastChannel(BENCH_TRACE_CHANNEL);
    // Never keeps a thread alive.
    (channel as unknown as { unref?: () => void }).unref?.();
  }
  channel.postMessage(typeof event === 'function' ? event() : event);
}
