/** Webhook → tenant: the number a webhook item names, cached briefly per process. */
import { findNumberByPhoneNumberId } from '#shared/store/numbers.ts';
import type { WhatsAppNumber } from '#shared/store/types.ts';
import { createCache } from '#shared/cache.ts';
import type { EngineDeps } from '../engine-deps.ts';

// Short: a number's routing changed by an admin applies within seconds.
const NUMBER_CACHE_MS = 5_000;
const numberCache = createCache<string, WhatsAppNumber>({ ttlMs: NUMBER_CACHE_MS, max: 10_000 });

/** Webhook → tenant. Only hits are cached: a number connected a second ago must route. */
export async function numberFor(
  phoneNumberId: string,
  deps: EngineDeps,
): Promise<WhatsAppNumber | undefined> {
  const key = `${deps.tableName}:${phoneNumberId}`;
  const hit = numberCache.get(key, deps.now());
  if (hit) return hit;
  const number = await findNumberByPhoneNumberId(deps.ddb, deps.tableName, phoneNumberId);
  if (number) numberCache.set(key, number, deps.now());
  else numberCache.delete(key);
  return number;
}
