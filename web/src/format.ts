/**
 * Dates, times and phone numbers as an agent reads them: in the account's time zone (not
 * the browser's: a team spread over time zones sees the same clock), in the UI language.
 */
import { createContext, useContext, useMemo } from 'react';
import { useI18n, type Language } from './i18n/index.ts';
import type { Messages } from './i18n/pt-BR.ts';

export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';

export const TimeZoneContext = createContext<string>(DEFAULT_TIME_ZONE);

/** `YYYY-MM-DD` of an instant in a time zone (en-CA formats dates that way). */
export function dayKey(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms);
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Formatter {
  timeZone: string;
  /** 14:05 */
  clock(ms: number): string;
  /** Conversation list: the time today, "Ontem", else the date. */
  listTime(ms: number, now?: number): string;
  /** Separator between days in a conversation: "Hoje", "Ontem" or the full date. */
  day(ms: number, now?: number): string;
  /** Date and time, for tooltips and the window notice. */
  dateTime(ms: number): string;
}

export function makeFormatter(lang: Language, timeZone: string, t: Messages): Formatter {
  const clock = new Intl.DateTimeFormat(lang, { timeZone, hour: '2-digit', minute: '2-digit' });
  const shortDate = new Intl.DateTimeFormat(lang, {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: '2-digit',
  });
  const longDate = new Intl.DateTimeFormat(lang, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  const dateTime = new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const relativeDay = (ms: number, now: number) => {
    const k = dayKey(ms, timeZone);
    if (k === dayKey(now, timeZone)) return 'today';
    if (k === dayKey(now - DAY_MS, timeZone)) return 'yesterday';
    return undefined;
  };
  return {
    timeZone,
    clock: (ms) => clock.format(ms),
    listTime(ms, now = Date.now()) {
      const r = relativeDay(ms, now);
      return r === 'today' ? clock.format(ms) : r === 'yesterday' ? t.yesterday : shortDate.format(ms);
    },
    day(ms, now = Date.now()) {
      const r = relativeDay(ms, now);
      return r === 'today' ? t.today : r === 'yesterday' ? t.yesterday : longDate.format(ms);
    },
    dateTime: (ms) => dateTime.format(ms),
  };
}

export function useFormat(): Formatter {
  const { lang, t } = useI18n();
  const timeZone = useContext(TimeZoneContext);
  return useMemo(() => makeFormatter(lang, timeZone, t), [lang, timeZone, t]);
}

/** Canonical digits → `+55 11 98765-4321` for Brazilian numbers, `+<digits>` otherwise. */
export function formatPhone(digits: string | undefined): string {
  if (!digits) return '';
  const br = /^55(\d{2})(\d{4,5})(\d{4})$/.exec(digits);
  if (br) return `+55 ${br[1]} ${br[2]}-${br[3]}`;
  return `+${digits}`;
}

/** US dollars with up to six decimals (an LLM reply costs fractions of a cent): `US$ 0,0002`. */
export function formatUsd(usd: number, lang: Language): string {
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 6,
  }).format(usd);
}

/** A count with the language's thousands separator: `1.200`. */
export function formatCount(n: number, lang: Language): string {
  return new Intl.NumberFormat(lang).format(n);
}
