/**
 * Wall-clock time in a time zone (the account's), without dependencies: the web uses it too.
 */

const formats = new Map<string, Intl.DateTimeFormat>();
/**
 * One Intl.DateTimeFormat per locale and options: building one costs a hundred times more
 * than using it, and the engine formats on every message (hours, protocol numbers).
 */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

/** The instant of a wall-clock date and time (`aaaa-mm-dd`, `HH:MM`) in a time zone. */
export function zonedEpoch(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, h, mi);
  const offsetAt = (at: number) => {
    const p = dateFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .reduce<Record<string, string>>((acc, x) => ({ ...acc, [x.type]: x.value }), {});
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!) - at;
  };
  // Two passes settle the offset across a daylight-saving change.
  let at = wall - offsetAt(wall);
  at = wall - offsetAt(at);
  return at;
}

/** `YYYY-MM-DDTHH:mm` of an instant in a time zone (what a datetime-local input shows). */
export function zonedInput(at: number, timeZone: string): string {
  const p = dateFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, x) => ({ ...acc, [x.type]: x.value }), {});
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The postpone presets (INB-9) in the account's time zone: in one hour, tomorrow at 9:00,
 * and next Monday at 9:00 (a week on when today is Monday).
 */
export function postponePresets(
  now: number,
  timeZone: string,
): { hour: number; tomorrow: number; monday: number } {
  const [date] = zonedInput(now, timeZone).split('T') as [string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = (plus: number) => new Date(Date.UTC(y, m - 1, d + plus)).toISOString().slice(0, 10);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 Sunday … 6 Saturday
  const toMonday = (8 - weekday) % 7 || 7;
  return {
    hour: now + 3600_000,
    tomorrow: zonedEpoch(day(1), '09:00', timeZone),
    monday: zonedEpoch(day(toMonday), '09:00', timeZone),
  };
}
