/**
 * The one CSV writer every export uses (RFC 4180 quoting), safe to open in a spreadsheet:
 *
 * - Formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return
 *   would run as a formula in Excel/LibreOffice/Sheets (`=HYPERLINK(...)` from a contact's
 *   name). Such a cell gets a leading `'`, which spreadsheets show as text. Numbers are
 *   written by the writer itself, so a negative number stays a number.
 * - Quoting: a cell with the separator, a quote, CR or LF is quoted, quotes doubled.
 * - Dialects: `semicolon` is what Excel in pt-BR opens by double-click (`;` separator,
 *   UTF-8 BOM so accents survive, CRLF, decimal comma, money as `R$ 1.234,56`); `comma`
 *   is plain RFC 4180 for programs (no BOM, decimal point, money as a plain number).
 */

export type CsvSeparator = 'semicolon' | 'comma';

export interface CsvDialect {
  separator: ';' | ',';
  bom: boolean;
  decimal: ',' | '.';
  /** Locale for money cells; none: money is a plain number. */
  moneyLocale?: string;
}

export const csvDialects: Record<CsvSeparator, CsvDialect> = {
  semicolon: { separator: ';', bom: true, decimal: ',', moneyLocale: 'pt-BR' },
  comma: { separator: ',', bom: false, decimal: '.' },
};

export type CsvKind = 'text' | 'number' | 'date' | 'money';

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => unknown;
  /** text (default), number, date (epoch ms → ISO 8601 UTC) or money (in `currency`). */
  kind?: CsvKind;
  /** ISO 4217 code of a money column (default BRL, the accounts' currency). */
  currency?: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet will not evaluate. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function quote(text: string, d: CsvDialect): string {
  return text.includes(d.separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plainNumber(n: number, d: CsvDialect): string {
  // No exponent (1e-7 → 0.0000001), up to 10 decimals, the dialect's decimal mark.
  const s = Number.isInteger(n) ? String(n) : n.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
  return d.decimal === ',' ? s.replace('.', ',') : s;
}

/** One cell, formatted for its column and dialect, neutralised and quoted. */
export function csvCell(value: unknown, d: CsvDialect, kind: CsvKind = 'text', currency = 'BRL'): string {
  if (value === undefined || value === null || value === '') return '';
  if (kind === 'number' && typeof value === 'number' && Number.isFinite(value))
    return quote(plainNumber(value, d), d);
  if (kind === 'date' && typeof value === 'number' && Number.isFinite(value))
    return quote(new Date(value).toISOString(), d);
  if (kind === 'money' && typeof value === 'number' && Number.isFinite(value)) {
    if (!d.moneyLocale) return quote(plainNumber(value, d), d);
    const text = new Intl.NumberFormat(d.moneyLocale, {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 6,
    })
      .format(value)
      .replace(/\u00a0/g, ' ');
    // "-R$ 1,00" is a formula start too: written as the spreadsheet's negative money.
    return quote(value < 0 ? `(${text.replace('-', '')})` : text, d);
  }
  return quote(neutralise(String(value)), d);
}

/** The whole file: optional BOM, a header row, one row per item, CRLF line ends. */
export function toCsv<Row>(columns: CsvColumn<Row>[], rows: Row[], separator: CsvSeparator): string {
  const d = csvDialects[separator];
  const line = (cells: string[]) => `${cells.join(d.separator)}\r\n`;
  return (
    (d.bom ? '\ufeff' : '') +
    line(columns.map((c) => csvCell(c.header, d))) +
    rows.map((r) => line(columns.map((c) => csvCell(c.value(r), d, c.kind, c.currency)))).join('')
  );
}
