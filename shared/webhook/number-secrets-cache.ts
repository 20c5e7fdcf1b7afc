/**
 * The webhook's per-number secret lookup, cached per process: a small LRU with a TTL.
 * Phone-number ids come from unsigned bodies, so the cache must be bounded (an unbounded
 * map grows with whatever a caller invents); misses are cached too, so a flood of made-up
 * ids costs one lookup each per TTL at most and evicts only the least recently used.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { createCache } from '#shared/cache.ts';
import type { AccountSecrets } from '#shared/secrets/account-secrets.ts';
import { findNumberByPhoneNumberId, listNumbersOfWaba } from '#shared/store/numbers.ts';

export type NumberSecrets = { appSecret?: string; verifyToken?: string };

export function cachedNumberSecrets(
  lookup: (phoneNumberId: string) => Promise<NumberSecrets | undefined>,
  opts: { max?: number; ttlMs?: number; now?: () => number } = {},
): ((phoneNumberId: string) => Promise<NumberSecrets | undefined>) & { size: () => number } {
  const cache = createCache<string, { value: NumberSecrets | undefined }>({
    max: opts.max ?? 500,
    ttlMs: opts.ttlMs ?? 60_000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const get = async (phoneNumberId: string) => {
    const hit = cache.get(phoneNumberId);
    if (hit) return hit.value;
    const value = await lookup(phoneNumberId);
    cache.set(phoneNumberId, { value });
    return value;
  };
  return Object.assign(get, { size: () => cache.size });
}

/**
 * fn webhook's lookup: phone-number id → number (table) → its app secret and verify token
 * in the account's `webhook` secret (the only tenant secret fn webhook may read).
 */
export function numberSecretsFrom(deps: {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  secrets?: AccountSecrets;
}): (phoneNumberId: string) => Promise<NumberSecrets | undefined> {
  return async (phoneNumberId) => {
    const n = await findNumberByPhoneNumberId(deps.ddb, deps.tableName, phoneNumberId);
    if (!n || !deps.secrets || !(n.hasAppSecret || n.hasVerifyToken)) return undefined;
    const own = (await deps.secrets.read(n.accountId, 'webhook')).numbers[n.id];
    return own ? { appSecret: own.appSecret, verifyToken: own.verifyToken } : undefined;
  };
}

export type WabaSecrets = { phoneNumberId: string; accountId: string; appSecret: string }[];

/**
 * fn webhook's lookup for WABA-level events (template status…): WABA id → the numbers
 * registered with it that have their own app secret (at most 10, any account) → those
 * secrets, each with its number's account (shared/webhook/entry-rule.ts).
 */
export function wabaSecretsFrom(deps: {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  secrets?: AccountSecrets;
}): (wabaId: string) => Promise<WabaSecrets> {
  return async (wabaId) => {
    if (!deps.secrets || !/^\d{1,30}$/.test(wabaId)) return [];
    const out: WabaSecrets = [];
    for (const n of await listNumbersOfWaba(deps.ddb, deps.tableName, wabaId)) {
      if (!n.hasAppSecret) continue;
      const own = (await deps.secrets.read(n.accountId, 'webhook')).numbers[n.id];
      if (own?.appSecret)
        out.push({ phoneNumberId: n.phoneNumberId, accountId: n.accountId, appSecret: own.appSecret });
    }
    return out;
  };
}

/** The WABA lookup cached like the numbers' (bounded LRU, a minute; misses too). */
export function cachedWabaSecrets(
  lookup: (wabaId: string) => Promise<WabaSecrets>,
  opts: { max?: number; ttlMs?: number; now?: () => number } = {},
): (wabaId: string) => Promise<WabaSecrets> {
  const cache = createCache<string, WabaSecrets>({
    max: opts.max ?? 200,
    ttlMs: opts.ttlMs ?? 60_000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return async (wabaId) => {
    const hit = cache.get(wabaId);
    if (hit) return hit;
    const value = await lookup(wabaId);
    cache.set(wabaId, value);
    return value;
  };
}
