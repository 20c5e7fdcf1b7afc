/**
 * Phone numbers as WhatsApp sees them: digits with country code. Brazilian mobiles
 * exist with and without the 9th digit (55 + DDD + 8 or 9 digits) and Meta may send
 * either form in `wa_id`; both are one person. The canonical form keeps the 9.
 */

export function digitsOnly(input: string): string {
  return input.replace(/\D/g, '');
}

/** 55 + DDD (2 digits, 11–99) + 8-digit mobile starting 6–9 → the same number with its 9th digit. */
export function canonicalPhone(input: string): string {
  const d = digitsOnly(input);
  const m = /^55([1-9][1-9])([6-9]\d{7})$/.exec(d);
  if (m) return `55${m[1]}9${m[2]}`;
  return d;
}

/** True when two numbers are the same person (Brazilian 9th digit or not). */
export function samePhone(a: string, b: string): boolean {
  return canonicalPhone(a) === canonicalPhone(b);
}

/** Valid enough to be stored: 10 to 15 digits with country code (E.164 without +). */
export function isPlausiblePhone(input: string): boolean {
  return /^[1-9]\d{9,14}$/.test(digitsOnly(input));
}

/**
 * A number as a person types it (INB-12), in WhatsApp's form (digits with country code),
 * or undefined when it cannot be one. `+` or `00` marks an international number, taken
 * as is (foreign numbers); otherwise Brazilian formats are understood: DDD + number
 * (10 or 11 digits, with or without a leading trunk 0), or already with 55.
 */
export function typedPhone(input: string): string | undefined {
  const trimmed = input.trim();
  let d = digitsOnly(trimmed);
  if (trimmed.startsWith('+')) {
    // As typed: the country code is there.
  } else if (d.startsWith('00')) d = d.slice(2);
  else {
    if (d.startsWith('0') && (d.length === 11 || d.length === 12)) d = d.slice(1);
    if (d.length === 10 || d.length === 11) d = `55${d}`;
  }
  return isPlausiblePhone(d) ? canonicalPhone(d) : undefined;
}
