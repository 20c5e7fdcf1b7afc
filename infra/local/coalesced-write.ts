import { benchTrace, benchTracing, traceNow } from './bench-trace.ts';

/**
 * A stand-in's state file, written at most every `ms` instead of on every change: a busy
 * engine changes schedules and the phone's history hundreds of times a second, and
 * rewriting a whole file for each would hold up the webhook and the API that share the
 * main thread. `flush()` (on stop) writes what is pending.
 */
export function coalescedWrite(
  write: () => void,
  ms = 200,
  /** Names the writer in the bench's trace (bench-trace.ts). */
  name = 'state',
): { schedule(): void; flush(): void } {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    if (!benchTracing()) return write();
    const t = traceNow();
    write();
    benchTrace({ kind: 'write', name, t, ms: traceNow() - t });
  };
  return {
    schedule() {
      timer ??= setTimeout(run, ms);
    },
    flush() {
      if (!timer) return;
      clearTimeout(timer);
      run();
    },
  };
}
