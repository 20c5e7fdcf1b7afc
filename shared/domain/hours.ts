/**
 * Working hours (RT-3): per weekday, time ranges in the account's time zone. No hours
 * configured means 24 hours a day, every day.
 */
import { z } from 'zod';
import { dateFormat } from './time.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use o formato HH:MM.');

export const timeRangeSchema = z
  .object({ from: hhmm, to: hhmm })
  .refine((r) => r.from < r.to, { message: 'O início deve ser antes do fim.' });

/** Weekday (0 = Sunday … 6 = Saturday) → ranges; a missing day is closed. */
export const workingHoursSchema = z.object({
  days: z.partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), z.array(timeRangeSchema).max(6)),
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday and HH:MM of an instant in a time zone. */
export function localTime(at: number, timeZone: string): { weekday: number; hhmm: string } {
  const parts = dateFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { weekday: WEEKDAYS.indexOf(get('weekday')), hhmm: `${get('hour')}:${get('minute')}` };
}

export function isWithinHours(hours: WorkingHours | undefined, at: number, timeZone: string): boolean {
  if (!hours) return true;
  const { weekday, hhmm } = localTime(at, timeZone);
  const ranges = hours.days[String(weekday) as keyof WorkingHours['days']] ?? [];
  return ranges.some((r) => r.from <= hhmm && hhmm < r.to);
}

export { zonedEpoch } from './time.ts';
