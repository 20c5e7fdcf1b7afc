/**
 * The webhook's entry rule (security, finding 1 of issue 12): which entries of a signed
 * POST a verifying key covers. Pure: no I/O.
 *
 * A body is signed with one Meta app secret. The deployment's app secret covers every
 * entry; a number's own app secret (NUM-4) covers only the entries that name that
 * number (`value.metadata.phone_number_id`). So a tenant who knows its own number's app
 * secret can sign events for that number and no other.
 *
 * A WABA-level event (template status, quality, category: an `event` item naming no
 * number, only the WABA id of its entry) is covered by the deployment's key, or by the own
 * key of a number registered with that WABA id — and then it vouches for that number's
 * account only: the item is marked with the accounts whose keys covered it
 * (`coveringAccounts`), and fn inbound changes only those accounts' templates. A WABA id
 * is not claimed by one account (anyone can type one), so a second tenant who registers
 * a number under someone else's WABA id and signs with its own secret changes its own
 * copy of the templates at most. Any other entry naming no number (an account update, an
 * unparsable body) is covered by the deployment's key only.
 */

/** A key whose HMAC matched the body's `X-Hub-Signature-256`. */
export type VerifyingKey =
  | { kind: 'deployment' }
  | {
      kind: 'number';
      phoneNumberId: string;
      /** Set when the key was found through the WABA id of a WABA-level entry. */
      waba?: { wabaId: string; accountId: string };
    };

/** What an entry names: its number, or (a WABA-level event) only its WABA. */
export interface EntryNames {
  phoneNumberId?: string;
  wabaId?: string;
  kind?: string;
}

const wabaLevel = (item: EntryNames) => !item.phoneNumberId && item.kind === 'event' && !!item.wabaId;

/**
 * Whether this key may vouch for an entry naming this phone-number id (undefined: none),
 * or — the entry given whole — for a WABA-level event of its number's WABA.
 */
export function keyCovers(key: VerifyingKey, entry: string | undefined | EntryNames): boolean {
  if (key.kind === 'deployment') return true;
  const item = typeof entry === 'object' ? entry : { phoneNumberId: entry };
  if (item.phoneNumberId !== undefined) return item.phoneNumberId === key.phoneNumberId;
  return wabaLevel(item) && key.waba?.wabaId === item.wabaId;
}

/**
 * The accounts a covered WABA-level entry may change: undefined when the deployment's key
 * covers it (every account holding that WABA's template), else the accounts of the
 * numbers whose own keys covered it.
 */
export function coveringAccounts(keys: readonly VerifyingKey[], item: EntryNames): string[] | undefined {
  if (keys.some((k) => k.kind === 'deployment') || !wabaLevel(item)) return undefined;
  const accounts = keys.flatMap((k) =>
    k.kind === 'number' && keyCovers(k, item) && k.waba ? [k.waba.accountId] : [],
  );
  return [...new Set(accounts)];
}

/** The WABA ids of the WABA-level entries (their numbers' own keys are worth trying), at most `limit`. */
export function candidateWabas<T extends { item: EntryNames }>(entries: readonly T[], limit = 5): string[] {
  const ids = new Set<string>();
  for (const e of entries) if (wabaLevel(e.item)) ids.add(e.item.wabaId!);
  return [...ids].slice(0, limit);
}

/**
 * Splits the entries into those some verifying key covers and those none does. Several
 * keys verify only when several numbers share one Meta app (the same secret): each entry
 * is then covered by its own number's key.
 */
export function entriesCoveredBy<T extends { item: EntryNames }>(
  keys: readonly VerifyingKey[],
  entries: readonly T[],
): { accepted: T[]; dropped: T[] } {
  const accepted: T[] = [];
  const dropped: T[] = [];
  for (const e of entries) {
    (keys.some((k) => keyCovers(k, e.item)) ? accepted : dropped).push(e);
  }
  return { accepted, dropped };
}

/**
 * The phone-number ids whose own app secret is worth trying: those the entries name (the
 * body is read unsigned only to pick keys, nothing else of it is used), at most `limit`.
 */
export function candidateNumbers<T extends { item: { phoneNumberId?: string } }>(
  entries: readonly T[],
  limit = 10,
): string[] {
  const ids = new Set<string>();
  for (const e of entries) if (e.item.phoneNumberId) ids.add(e.item.phoneNumberId);
  return [...ids].slice(0, limit);
}
