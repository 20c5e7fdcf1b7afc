/** The account's settings the engine reads on its paths (routing, the clock), cached briefly. */
import { getAccount } from '#shared/store/accounts.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE, type Account } from '#shared/store/types.ts';
import { createCache } from '#shared/cache.ts';
import type { EngineDeps } from './engine-deps.ts';

const ACCOUNT_CACHE_MS = 30_000;
const accounts = createCache<string, { account: Account | undefined }>({
  ttlMs: ACCOUNT_CACHE_MS,
  max: 10_000,
});

/** Account settings (time zone, inactivity), cached briefly: they change rarely. */
export async function accountSettings(
  accountId: string,
  deps: Pick<EngineDeps, 'ddb' | 'tableName' | 'now'>,
): Promise<{ timeZone: string; inactivityHours: number }> {
  const key = `${deps.tableName}:${accountId}`;
  let hit = accounts.get(key, deps.now());
  if (!hit) {
    hit = { account: await getAccount(deps.ddb, deps.tableName, accountId) };
    accounts.set(key, hit, deps.now());
  }
  return {
    timeZone: hit.account?.timezone ?? DEFAULT_TIMEZONE,
    inactivityHours: hit.account?.inactivityHours ?? DEFAULT_INACTIVITY_HOURS,
  };
}
