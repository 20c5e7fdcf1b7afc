/** The account's settings the engine reads on its paths (routing, the clock), cached briefly. */
import { getAccount } from '#shared/store/accounts.ts';
import { DEFAULT_INACTIVITY_HOURS, DEFAULT_TIMEZONE, type Account } from '#shared/store/types.ts';
import type { EngineDeps } from './engine-deps.ts';

const ACCOUNT_CACHE_MS = 30_000;
const accounts = new Map<string, { at: number; account: Account | undefined }>();

/** Account settings (time zone, inactivity), cached briefly: they change rarely. */
export async function accountSettings(
  accountId: string,
  deps: Pick<EngineDeps, 'ddb' | 'tableName' | 'now'>,
): Promise<{ timeZone: string; inactivityHours: number }> {
  const key = `${deps.tableName}:${accountId}`;
  let hit = accounts.get(key);
  if (!hit || deps.now() - hit.at > ACCOUNT_CACHE_MS) {
    hit = { at: deps.now(), account: await getAccount(deps.ddb, deps.tableName, accountId) };
    accounts.set(key, hit);
  }
  return {
    timeZone: hit.account?.timezone ?? DEFAULT_TIMEZONE,
    inactivityHours: hit.account?.inactivityHours ?? DEFAULT_INACTIVITY_HOURS,
  };
}
