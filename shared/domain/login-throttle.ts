/**
 * Login throttling rules (finding 7 of issue 12; OWASP ASVS 2.2.1). Counted per window of
 * 15 minutes, state in the table (shared/store/rate-limits.ts) so the limit holds across
 * Lambda instances:
 * - per e-mail: attempts since the last successful login — the 6th attempt in a window is
 *   refused without checking the password (a success clears the count);
 * - per source IP: failed attempts, whatever the e-mail — so one address cannot try one
 *   password against many accounts; higher, because an office shares one address.
 * A refused attempt answers 429 with Retry-After (the end of the window).
 */
export interface Limit {
  max: number;
  windowMs: number;
}

export const LOGIN_LIMITS: { email: Limit; ip: Limit } = {
  email: { max: 5, windowMs: 15 * 60 * 1000 },
  ip: { max: 20, windowMs: 15 * 60 * 1000 },
};

/** Whole seconds until `end` (at least 1), for Retry-After. */
export const retryAfterSeconds = (end: number, now: number): number =>
  Math.max(1, Math.ceil((end - now) / 1000));
