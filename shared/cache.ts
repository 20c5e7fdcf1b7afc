/**
 * The one in-process cache: a map bounded to `max` entries (the least recently used goes
 * first) whose entries live `ttlMs` by the injected clock, so tests move time instead of
 * waiting. An entry stored at a time later than now (a clock set back) is stale too.
 * Caches are per process (a Lambda's warm container), never shared state: what they hold
 * must be safe to be up to `ttlMs` old.
 */
export interface Cache<K, V> {
  /** The value stored within the last `ttlMs`, else undefined (and the entry dropped). */
  get(key: K, now?: number): V | undefined;
  set(key: K, value: V, now?: number): void;
  delete(key: K): void;
  clear(): void;
  readonly size: number;
}

export function createCache<K, V>(opts: {
  /** How long an entry is fresh; Infinity keeps it until evicted. */
  ttlMs: number;
  /** Most entries kept. */
  max: number;
  /** The clock (epoch ms) when a call gives none. */
  now?: () => number;
}): Cache<K, V> {
  const clock = opts.now ?? Date.now;
  const entries = new Map<K, { at: number; value: V }>();
  return {
    get(key, now = clock()) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (now - hit.at >= opts.ttlMs || now < hit.at) {
        entries.delete(key);
        return undefined;
      }
      // Most recently used last: eviction takes the first.
      entries.delete(key);
      entries.set(key, hit);
      return hit.value;
    },
    set(key, value, now = clock()) {
      entries.delete(key);
      entries.set(key, { at: now, value });
      while (entries.size > opts.max) entries.delete(entries.keys().next().value as K);
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
