/**
 * The functions that are invoked rather than fed by a queue (the gateways' and the
 * scheduler's): each in a thread of its own (infra/local/invoke-worker.ts), as Lambda
 * gives each function its own environments, with its own variables and key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { functionNames, functions as functionDefs, type FunctionName } from '#infra/topology.ts';
import { startInvokeWorker } from '../invoke-worker.ts';
import { repoRoot } from './paths.ts';
import type { Stoppers } from './stoppers.ts';

export type AnyHandler = (event: never, context: unknown) => Promise<unknown>;

/** A function whose every trigger is a queue (it runs with its pollers, pollers.ts). */
export const isQueueFed = (fn: FunctionName) => functionDefs[fn].triggers.every((t) => t.kind === 'sqs');

export async function startInvokedFunctions(o: {
  envOf: (fn: FunctionName) => Record<string, string>;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<{
  /** Each invoked function's handler (undefined: its handler file does not exist yet). */
  handlers: Record<FunctionName, AnyHandler | undefined>;
  /** The environment a function's handler sees, read inside its thread. */
  envProbes: Record<FunctionName, () => Promise<Record<string, string>>>;
}> {
  const { envOf, stoppers, log } = o;
  const handlers = {} as Record<FunctionName, AnyHandler | undefined>;
  const envProbes = {} as Record<FunctionName, () => Promise<Record<string, string>>>;
  await Promise.all(
    functionNames
      .filter((fn) => !isQueueFed(fn))
      .map(async (fn) => {
        const handlerFile = join(repoRoot, functionDefs[fn].handler);
        if (!existsSync(handlerFile)) {
          log(`warning: ${functionDefs[fn].handler} does not exist yet; function ${fn} is unavailable`);
          return;
        }
        const w = await startInvokeWorker({ name: `function ${fn}`, handlerFile, env: envOf(fn) });
        stoppers.push(() => w.stop());
        handlers[fn] = (event) => w.invoke(event);
        envProbes[fn] = () => w.env();
      }),
  );
  return { handlers, envProbes };
}
