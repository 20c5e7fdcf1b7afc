/**
 * Crash injection for the local runtime (`npm run chaos`, test/integration/chaos-short.test.ts),
 * off unless ATENDE_CHAOS_CRASH is set. A queue-fed function then dies like a Lambda
 * environment that is killed mid-invocation: at random points of a batch's work — just
 * before each outgoing HTTP request (every AWS SDK call and Graph call) and just after its
 * response — the function's worker thread exits at once (nothing is caught, no finally
 * runs, the batch is not acknowledged), its messages come back after the queue's
 * visibility timeout, and the worker host starts a new worker, as Lambda starts a new
 * environment.
 *
 *   ATENDE_CHAOS_CRASH=0.01          probability of a crash at each point (0–1)
 *   ATENDE_CHAOS_SEED=7              seed of the draws (each worker generation its own stream)
 *   ATENDE_CHAOS_MAX_CRASHES=1       crashes per function at most (default: no limit)
 *   ATENDE_CHAOS_FUNCTIONS=inbound   the functions that crash (default: every queue-fed one)
 *
 * Only points inside a batch's work count (the poller runs the handler and the batch's
 * delete inside `batchWork`): an idle poller's long polls never crash.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';

/** Exit code of a worker thread that crashed on purpose (the host counts and restarts it). */
export const CHAOS_EXIT_CODE = 86;

/** Set while the poller works on a batch (the handler, then the delete of its records). */
export const batchWork = new AsyncLocalStorage<{ queueArn: string }>();

export interface ChaosConfig {
  crashRate: number;
  seed: number;
  maxCrashes: number;
  functions?: string[];
}

/** The crash configuration in `env`, or undefined when crashes are off. */
export function chaosFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosConfig | undefined {
  const rate = Number(env.ATENDE_CHAOS_CRASH ?? 0);
  if (!(rate > 0)) return undefined;
  const max = Number(env.ATENDE_CHAOS_MAX_CRASHES ?? Infinity);
  return {
    crashRate: Math.min(1, rate),
    seed: Number(env.ATENDE_CHAOS_SEED ?? 1) >>> 0,
    maxCrashes: Number.isFinite(max) && max >= 0 ? max : Infinity,
    ...(env.ATENDE_CHAOS_FUNCTIONS
      ? { functions: env.ATENDE_CHAOS_FUNCTIONS.split(',').map((s) => s.trim()) }
      : {}),
  };
}

/** mulberry32: a small seeded generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (s: string) => {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
};

/**
 * Installs the crash points in this worker thread (call before the handler is imported).
 * `crashesSoFar` and `generation` come from the host: each restart draws a new stream and
 * the budget of `maxCrashes` holds across restarts.
 */
export function installCrashPoints(opts: {
  fn: string;
  config: ChaosConfig;
  generation: number;
  crashesSoFar: number;
  log: (line: string) => void;
}): void {
  const { config } = opts;
  if (config.functions && !config.functions.includes(opts.fn)) return;
  if (opts.crashesSoFar >= config.maxCrashes) return;
  const random = seededRandom(config.seed ^ hash(`${opts.fn}#${opts.generation}`));
  const point = (where: string) => () => {
    const work = batchWork.getStore();
    if (!work) return;
    if (random() >= config.crashRate) return;
    opts.log(`chaos: injected crash ${where} (${work.queueArn.split(':').pop()})`);
    // In a worker thread this ends the thread at once, like a killed Lambda environment.
    process.exit(CHAOS_EXIT_CODE);
  };
  // node:http (the AWS SDK) and undici (fetch: the Graph API, media downloads).
  subscribe('http.client.request.start', point('before an HTTP request'));
  subscribe('http.client.response.finish', point('after an HTTP response'));
  subscribe('undici:request:create', point('before a fetch'));
  subscribe('undici:request:trailers', point('after a fetch response'));
}

let injected = 0;
/** Crashes injected in this process so far (counted by the worker host, on the main thread). */
export function injectedCrashes(): number {
  return injected;
}
export function countInjectedCrash(): void {
  injected++;
}
