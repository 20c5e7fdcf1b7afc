/**
 * The webhook's entry rule (security, finding 1 of issue 12): which entries of a signed
 * POST a verifying key covers. Pure: no I/O.
 *
 * A body is signed with one Meta app secret. The deployment's app secret covers every
 * entry; a number's own app secret (NUM-4) covers only the entries that name that
 * number (`value.metadata.phone_number_id`). An entry naming no number (an account-level
 * event, an unparsable body) is covered by the deployment's key only. So a tenant who
 * knows its own number's app secret can sign events for that number and no other.
 */

/** A key whose HMAC matched the body's `X-Hub-Signature-256`. */
export type VerifyingKey = { kind: 'deployment' } | { kind: 'number'; phoneNumberId: string };

/** Whether this key may vouch for an entry naming this phone-number id (undefined: none). */
export function keyCovers(key: VerifyingKey, entryPhoneNumberId: string | undefined): boolean {
  if (key.kind === 'deployment') return true;
  return entryPhoneNumberId !== undefined && entryPhoneNumberId === key.phoneNumberId;
}

/**
 * Splits the entries into those some verifying key covers and those none does. Several
 * keys verify only when several numbers share one Meta app (the same secret): each entry
 * is then covered by its own number's key.
 */
export function entriesCoveredBy<T extends { item: { phoneNumberId?: string } }>(
  keys: readonly VerifyingKey[],
  entries: readonly T[],
): { accepted: T[]; dropped: T[] } {
  const accepted: T[] = [];
  const dropped: T[] = [];
  for (const e of entries) {
    (keys.some((k) => keyCovers(k, e.item.phoneNumberId)) ? accepted : dropped).push(e);
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
