/**
 * Protocol numbers of attendances (WIN-4): the opening date in the account's time zone
 * and a per-account sequence, e.g. 20261124-000042. Readable over the phone, sortable,
 * unique per account.
 */
import { dateFormat } from './time.ts';

export function protocolNumber(openedAt: number, sequence: number, timeZone = 'America/Sao_Paulo'): string {
  const parts = dateFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .formatToParts(openedAt)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${parts.year}${parts.month}${parts.day}-${String(sequence).padStart(6, '0')}`;
}
