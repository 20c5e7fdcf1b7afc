/**
 * The 24-hour customer-service window (WIN-1): it opens, or moves, with every message
 * from the customer; free-form messages may be sent only while it is open.
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
/** "Expirando" is shown this long before the window closes (WIN-2). */
export const EXPIRING_MS = 30 * 60 * 1000;

export function windowExpiresAt(lastCustomerMessageAt: number): number {
  return lastCustomerMessageAt + WINDOW_MS;
}

export type WindowState = 'open' | 'expiring' | 'expired' | 'none';

export function windowState(expiresAt: number | undefined, now: number): WindowState {
  if (expiresAt === undefined) return 'none';
  if (now >= expiresAt) return 'expired';
  if (now >= expiresAt - EXPIRING_MS) return 'expiring';
  return 'open';
}

export function canSendFreeForm(expiresAt: number | undefined, now: number): boolean {
  const s = windowState(expiresAt, now);
  return s === 'open' || s === 'expiring';
}
