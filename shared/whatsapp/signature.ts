/** Meta's X-Hub-Signature-256: `sha256=<hex HMAC-SHA256 of the raw body, key = app secret>`. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of the header against the body; false when missing or malformed. */
export function verifySignature(
  rawBody: Buffer | string,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!header || !appSecret) return false;
  const expected = Buffer.from(signBody(rawBody, appSecret));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const compareKey = randomBytes(32);

/**
 * Constant-time equality of two strings of any length (the webhook's verify token): both
 * are HMAC'd with a per-process random key, and the equal-length digests compared with
 * timingSafeEqual, so neither the content nor the length leaks through timing.
 */
export function safeEqual(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const mac = (s: string) => createHmac('sha256', compareKey).update(s).digest();
  return timingSafeEqual(mac(given), mac(expected));
}
