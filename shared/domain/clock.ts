/**
 * The conversation clock (WIN-2, WIN-3) as pure rules: which timers an open attendance
 * needs, and what a timer that fires should do given the conversation as it is now.
 *
 * Timers are armed when an attendance opens and move lazily: a customer message only
 * moves `windowExpiresAt` / `lastMessageAt` forward, so a timer that fires before its
 * (moved) time re-arms itself for the new time instead of every message rescheduling it.
 * A timer for another attendance, or a closed conversation, is stale and does nothing.
 */
import { z } from 'zod';
import { EXPIRING_MS } from './window.ts';

export const INACTIVITY_HOURS = { min: 1, max: 72 } as const;
export const inactivityHoursSchema = z
  .number({ error: 'Informe um número de horas.' })
  .int('Use um número inteiro de horas.')
  .min(INACTIVITY_HOURS.min, `O fechamento automático deve ser entre 1 e 72 horas.`)
  .max(INACTIVITY_HOURS.max, `O fechamento automático deve ser entre 1 e 72 horas.`);

export const timerKinds = [
  'window.expiring',
  'window.expired',
  'conversation.autoclose',
  /** A postponed chat's time came (INB-9): it returns to the open lists. */
  'conversation.unpostpone',
] as const;
export type TimerKind = (typeof timerKinds)[number];

export interface ClockConversation {
  status: 'open' | 'closed';
  attendanceId?: string;
  lastMessageAt: number;
  windowExpiresAt?: number;
  postponedUntil?: number;
}

/**
 * When each timer of the conversation's open attendance is due (none when closed). A
 * postponed chat is not closed for inactivity before it comes back (INB-9): the period
 * counts from the later of its last message and the time it was postponed to.
 */
export function timerDueTimes(
  conv: ClockConversation,
  inactivityHours: number,
): Partial<Record<TimerKind, number>> {
  if (conv.status !== 'open') return {};
  return {
    ...(conv.windowExpiresAt !== undefined
      ? {
          'window.expiring': conv.windowExpiresAt - EXPIRING_MS,
          'window.expired': conv.windowExpiresAt,
        }
      : {}),
    'conversation.autoclose':
      Math.max(conv.lastMessageAt, conv.postponedUntil ?? 0) + inactivityHours * 3600_000,
  };
}

export type TimerAction =
  | { do: 'stale' }
  | { do: 'rearm'; at: number }
  /** Tell the agents (the Expirando / Expirado tag changes). */
  | { do: 'notify' }
  | { do: 'close' }
  /** The postponed chat comes back (its inbox bucket is recomputed). */
  | { do: 'unpostpone' };

/** A scheduler may fire up to this much early (its clock, its granularity). */
const EARLY_TOLERANCE_MS = 1000;

export function onTimer(
  timer: { kind: TimerKind; attendanceId?: string },
  conv: ClockConversation | undefined,
  inactivityHours: number,
  now: number,
): TimerAction {
  if (!conv || conv.status !== 'open' || conv.attendanceId !== timer.attendanceId) return { do: 'stale' };
  if (timer.kind === 'conversation.unpostpone') {
    // Postponed again meanwhile: that postponement armed its own timer.
    if (conv.postponedUntil === undefined) return { do: 'stale' };
    if (conv.postponedUntil > now + EARLY_TOLERANCE_MS) return { do: 'stale' };
    return { do: 'unpostpone' };
  }
  const due = timerDueTimes(conv, inactivityHours)[timer.kind];
  if (due === undefined) return { do: 'stale' };
  if (due > now + EARLY_TOLERANCE_MS) return { do: 'rearm', at: due };
  return timer.kind === 'conversation.autoclose' ? { do: 'close' } : { do: 'notify' };
}
