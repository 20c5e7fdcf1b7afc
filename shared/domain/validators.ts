/**
 * Validation of the data an assistant collects from a customer (AI-5): e-mail, CPF, CNPJ,
 * phone and date, each answered with the value in a canonical form or a reason in pt-BR
 * (which the assistant passes back to the model, so it can ask again).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export const variableTypes = ['text', 'email', 'cpf', 'cnpj', 'phone', 'date'] as const;
export type VariableType = (typeof variableTypes)[number];

export type Checked = { ok: true; value: string } | { ok: false; reason: string };

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** CPF: 11 digits, not all equal, two check digits (mod 11). Canonical: 000.000.000-00. */
export function checkCpf(input: string): Checked {
  const d = digitsOf(input);
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d))
    return { ok: false, reason: 'CPF deve ter 11 dígitos válidos.' };
  const check = (len: number) => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(d[i]) * (len + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  if (check(9) !== Number(d[9]) || check(10) !== Number(d[10]))
    return { ok: false, reason: 'CPF inválido (dígitos verificadores não conferem).' };
  return { ok: true, value: `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}` };
}

/** CNPJ: 14 digits, not all equal, two check digits. Canonical: 00.000.000/0000-00. */
export function checkCnpj(input: string): Checked {
  const d = digitsOf(input);
  if (d.length !== 14 || /^(\d)\1{13}$/.test(d))
    return { ok: false, reason: 'CNPJ deve ter 14 dígitos válidos.' };
  const check = (len: number) => {
    const weights =
      len === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const sum = weights.reduce((acc, w, i) => acc + w * Number(d[i]), 0);
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  };
  if (check(12) !== Number(d[12]) || check(13) !== Number(d[13]))
    return { ok: false, reason: 'CNPJ inválido (dígitos verificadores não conferem).' };
  return {
    ok: true,
    value: `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`,
  };
}

export function checkEmail(input: string): Checked {
  const v = input.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v) && v.length <= 254
    ? { ok: true, value: v }
    : { ok: false, reason: 'E-mail inválido.' };
}

/** A phone, Brazilian by default; canonical: E.164 digits without the plus. */
export function checkPhone(input: string): Checked {
  const p = parsePhoneNumberFromString(input, 'BR');
  return p?.isValid() ? { ok: true, value: p.number.slice(1) } : { ok: false, reason: 'Telefone inválido.' };
}

/** A date as dd/mm/aaaa or aaaa-mm-dd; canonical: aaaa-mm-dd. */
export function checkDate(input: string): Checked {
  const s = input.trim();
  const br = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, m, d] = br
    ? [Number(br[3]), Number(br[2]), Number(br[1])]
    : iso
      ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
      : [];
  if (!y || !m || !d) return { ok: false, reason: 'Data inválida: use dd/mm/aaaa.' };
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { ok: false, reason: 'Data inexistente.' };
  return { ok: true, value: date.toISOString().slice(0, 10) };
}

export function checkVariable(type: VariableType, input: string): Checked {
  switch (type) {
    case 'email':
      return checkEmail(input);
    case 'cpf':
      return checkCpf(input);
    case 'cnpj':
      return checkCnpj(input);
    case 'phone':
      return checkPhone(input);
    case 'date':
      return checkDate(input);
    case 'text': {
      const v = input.trim();
      return v && v.length <= 500
        ? { ok: true, value: v }
        : { ok: false, reason: 'Valor vazio ou longo demais.' };
    }
  }
}
