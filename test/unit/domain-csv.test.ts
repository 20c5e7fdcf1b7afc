/**
 * The one CSV writer: formula cells neutralised, RFC 4180 quoting, the pt-BR Excel and
 * RFC 4180 dialects (table-driven).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { csvCell, csvDialects, neutralise, toCsv, type CsvKind } from '#shared/domain/csv.ts';

const excel = csvDialects.semicolon;
const plain = csvDialects.comma;

const cells: { name: string; value: unknown; kind?: CsvKind; excel: string; plain: string }[] = [
  { name: 'plain text', value: 'Maria', excel: 'Maria', plain: 'Maria' },
  { name: 'empty', value: undefined, excel: '', plain: '' },
  { name: '= formula', value: '=1+1', excel: "'=1+1", plain: "'=1+1" },
  { name: '+ formula', value: '+5511', excel: "'+5511", plain: "'+5511" },
  { name: '- formula', value: '-2+3', excel: "'-2+3", plain: "'-2+3" },
  { name: '@ formula', value: '@SUM(A1)', excel: "'@SUM(A1)", plain: "'@SUM(A1)" },
  { name: 'tab start', value: '\t=1', excel: "'\t=1", plain: "'\t=1" },
  { name: 'CR start', value: '\r=1', excel: `"'\r=1"`, plain: `"'\r=1"` },
  {
    name: 'HYPERLINK with quotes and comma',
    value: '=HYPERLINK("http://x","y")',
    excel: `"'=HYPERLINK(""http://x"",""y"")"`,
    plain: `"'=HYPERLINK(""http://x"",""y"")"`,
  },
  { name: 'separator inside', value: 'a;b,c', excel: '"a;b,c"', plain: '"a;b,c"' },
  { name: 'comma only', value: 'Silva, Ana', excel: 'Silva, Ana', plain: '"Silva, Ana"' },
  {
    name: 'newline inside',
    value: 'linha 1\nlinha 2',
    excel: '"linha 1\nlinha 2"',
    plain: '"linha 1\nlinha 2"',
  },
  { name: 'a formula sign later is fine', value: 'a=b', excel: 'a=b', plain: 'a=b' },
  { name: 'negative number stays a number', value: -1.5, kind: 'number', excel: '-1,5', plain: '-1.5' },
  {
    name: 'small number without exponent',
    value: 0.000204,
    kind: 'number',
    excel: '0,000204',
    plain: '0.000204',
  },
  { name: 'integer', value: 1200, kind: 'number', excel: '1200', plain: '1200' },
  { name: 'a number as text is still text', value: '-1', excel: "'-1", plain: "'-1" },
  {
    name: 'date',
    value: Date.UTC(2026, 10, 22, 12),
    kind: 'date',
    excel: '2026-11-22T12:00:00.000Z',
    plain: '2026-11-22T12:00:00.000Z',
  },
  { name: 'money in R$', value: 1234.5, kind: 'money', excel: 'R$ 1.234,50', plain: '1234.5' },
  { name: 'negative money', value: -3, kind: 'money', excel: '(R$ 3,00)', plain: '-3' },
];

for (const c of cells)
  test(`csvCell: ${c.name}`, () => {
    assert.equal(csvCell(c.value, excel, c.kind), c.excel, 'semicolon (Excel pt-BR)');
    assert.equal(csvCell(c.value, plain, c.kind), c.plain, 'comma (RFC 4180)');
  });

test('neutralise: every dangerous first character, and only those', () => {
  for (const ch of ['=', '+', '-', '@', '\t', '\r']) assert.equal(neutralise(`${ch}x`), `'${ch}x`);
  for (const ch of ['a', '1', ' ', "'", '"', '#']) assert.equal(neutralise(`${ch}x`), `${ch}x`);
});

test('no text cell written starts a formula, whatever it holds', () => {
  const alphabet = ['=', '+', '-', '@', '\t', '\r', '\n', '"', ';', ',', 'a', ' ', "'"];
  for (let i = 0; i < 2000; i++) {
    const len = 1 + (i % 6);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[(i * 7 + j * 13 + ((i >> j) & 5)) % alphabet.length];
    for (const d of [excel, plain]) {
      const cell = csvCell(s, d);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      assert.doesNotMatch(unquoted, /^[=+\-@\t\r]/, JSON.stringify(s));
      assert.ok(unquoted === s || unquoted === `'${s}`, 'the content is kept, at most prefixed');
    }
  }
});

test('toCsv: BOM, header, CRLF per line in pt-BR Excel; none of that extra in RFC 4180', () => {
  const cols = [
    { header: 'nome', value: (r: { n: string; v: number }) => r.n },
    { header: 'valor', value: (r: { n: string; v: number }) => r.v, kind: 'money' as const },
  ];
  const rows = [{ n: '=cmd', v: 10 }];
  assert.equal(toCsv(cols, rows, 'semicolon'), "\ufeffnome;valor\r\n'=cmd;R$ 10,00\r\n");
  assert.equal(toCsv(cols, rows, 'comma'), "nome,valor\r\n'=cmd,10\r\n");
});
