/**
 * Password hashing with node:crypto scrypt (memory-hard, no native dependency).
 * Stored format: `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`, so the cost can be
 * raised without invalidating existing hashes: login verifies at the stored cost and
 * rehashes at the current one (needsRehash).
 *
 * Cost: OWASP's Password Storage Cheat Sheet minimum for scrypt, N=2^17, r=8, p=1. That
 * needs 128·N·r bytes = 128 MiB per hash (fn api has 512 MB); maxmem allows 256 MiB.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** The cost every new hash gets. */
export const PASSWORD_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
const MAX_MEMORY = 256 * 1024 * 1024;
/** Passwords longer than this are refused before hashing (scrypt on megabytes is a DoS). */
export const MAX_PASSWORD_LENGTH = 256;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes a password with a fresh random salt at PASSWORD_COST. `testOnlyCost` exists for
 * test fixtures that create many users and must never be passed by production code.
 */
export async function hashPassword(password: string, testOnlyCost?: ScryptCost): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) throw new RangeError('password too long');
  const { N, r, p } = testOnlyCost ?? PASSWORD_COST;
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parse(stored: string): (ScryptCost & { salt: Buffer; expected: Buffer }) | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return undefined;
  // A stored cost above what maxmem allows would throw; such a hash is not ours.
  if (128 * N * r > MAX_MEMORY) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (salt.length === 0 || expected.length === 0) return undefined;
  return { N, r, p, salt, expected };
}

/** True when `password` matches `stored`; false for any malformed hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const parsed = parse(stored);
  if (!parsed) return false;
  const { N, r, p, salt, expected } = parsed;
  const actual = await derive(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** True when `stored` was hashed at a lower cost than PASSWORD_COST (login then rehashes). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return false;
  return parsed.N < PASSWORD_COST.N || parsed.r < PASSWORD_COST.r || parsed.p < PASSWORD_COST.p;
}

/**
 * A valid hash of a random password, computed once: login verifies against it when the
 * e-mail is unknown, so both failures take the same time (no account enumeration).
 */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
