/**
 * Pacing per WhatsApp number: a token bucket per phone-number id, in process. Meta's
 * default throughput is 80 messages/s per number (over it: error 130429); the bucket lets
 * a burst of up to `perSecond` go at once and then one every 1/perSecond seconds.
 * Lambda runs several instances, so this bounds each instance; the 130429 retry path
 * covers the rest.
 */
export interface Pacer {
  /** Milliseconds to wait before sending for `key`; 0 takes a token now. */
  reserve(key: string): number;
  /** Waits until a token for `key` is available and takes it. */
  take(key: string): Promise<void>;
}

export function createPacer(
  perSecond = 80,
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Pacer {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const reserve = (key: string): number => {
    const t = now();
    const b = buckets.get(key) ?? { tokens: perSecond, at: t };
    b.tokens = Math.min(perSecond, b.tokens + ((t - b.at) * perSecond) / 1000);
    b.at = t;
    // The token is taken now (possibly going below zero): callers queue in arrival order.
    b.tokens -= 1;
    buckets.set(key, b);
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens * 1000) / perSecond);
  };
  return {
    reserve,
    async take(key) {
      const wait = reserve(key);
      if (wait > 0) await sleep(wait);
    },
  };
}
