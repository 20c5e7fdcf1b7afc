import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normalize, stem } from '#shared/knowledge/text.ts';
import { chunkDocument, chunksToPassages } from '#shared/knowledge/chunk.ts';
import {
  buildIndex,
  queryCoverage,
  queryTerms,
  search,
  type LexicalIndex,
  type Passage,
} from '#shared/knowledge/lexical.ts';

const passages: Passage[] = [
  {
    id: 'entrega',
    title: 'Prazo de entrega',
    text: 'A entrega leva de 2 a 5 dias úteis nas capitais. O prazo começa após o pagamento.',
  },
  {
    id: 'devolucao',
    title: 'Devolução',
    text: 'Você pode devolver o produto em até 7 dias após o recebimento, pelo Código de Defesa do Consumidor.',
  },
  {
    id: 'pix',
    title: 'Pix',
    text: 'No Pix o pedido é aprovado na hora e você ganha 5% de desconto.',
  },
  {
    id: 'boleto',
    title: 'Boleto bancário',
    text: 'O boleto vence em 3 dias e a compensação leva até 2 dias úteis.',
  },
  {
    id: 'reembolso',
    title: 'Reembolso',
    text: 'O reembolso no cartão de crédito aparece em até duas faturas.',
  },
];
const index = buildIndex(passages);
const top = (q: string, idx: LexicalIndex = index) => search(idx, q, 3)[0]?.id;

describe('lexical search', () => {
  test('plurals, accents and case match', () => {
    assert.equal(top('ENTREGAS'), 'entrega');
    assert.equal(top('quais os prazos?'), 'entrega');
    assert.equal(top('devolucao'), 'devolucao');
    assert.equal(top('DEVOLUÇÕES'), 'devolucao');
    assert.equal(top('posso pagar no pix?'), 'pix');
  });

  test('results are best first, at most k, and only matching passages', () => {
    const hits = search(index, 'boleto dias úteis', 10);
    assert.equal(hits[0]!.id, 'boleto');
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
    assert.ok(!hits.some((h) => h.id === 'pix'));
    assert.equal(search(index, 'boleto dias úteis', 1).length, 1);
    assert.deepEqual(search(index, 'xyzzy', 5), []);
    assert.deepEqual(search(index, 'o de a', 5), [], 'stop words alone match nothing');
    assert.deepEqual(search(buildIndex([]), 'entrega', 5), []);
  });

  test('rarer terms weigh more (idf) and repeated terms saturate (tf)', () => {
    const idx = buildIndex([
      { id: 'a', text: 'entrega entrega entrega entrega entrega entrega' },
      { id: 'b', text: 'entrega garantia' },
      { id: 'c', text: 'entrega troca' },
    ]);
    assert.equal(search(idx, 'entrega garantia', 3)[0]!.id, 'b');
    const scores = search(idx, 'entrega', 3).map((h) => h.score);
    assert.ok(scores[0]! < 2 * scores[1]!, 'six occurrences are worth far less than six times one');
  });

  test('a title match outranks the same word in body text', () => {
    const idx = buildIndex([
      { id: 'body', title: 'Pagamento', text: 'Aceitamos cartão. A garantia é de 90 dias.' },
      { id: 'title', title: 'Garantia', text: 'Todos os produtos têm cobertura de 90 dias.' },
    ]);
    assert.equal(search(idx, 'garantia', 2)[0]!.id, 'title');
  });

  test('bigrams favour the passage with the phrase', () => {
    const idx = buildIndex([
      { id: 'phrase', text: 'A nota fiscal é enviada por e-mail. Valor total.' },
      { id: 'apart', text: 'Anote o número. O fiscal confere o valor da nota.' },
    ]);
    assert.equal(search(idx, 'nota fiscal', 2)[0]!.id, 'phrase');
  });

  test('light synonyms and typos reach the passage', () => {
    assert.equal(top('quando cai o estorno?'), 'reembolso');
    assert.equal(top('emtregas'), 'entrega');
    const terms = queryTerms(index, 'grana');
    const w = (word: string) => terms.get(stem(normalize(word))) ?? 0;
    assert.equal(w('grana'), 1);
    assert.ok(w('dinheiro') > 0 && w('dinheiro') < 1, 'a synonym weighs less than the word itself');
  });

  test('serialise → parse → search gives the same result', () => {
    const parsed = JSON.parse(JSON.stringify(index)) as LexicalIndex;
    for (const q of ['entregas', 'pix desconto', 'estorno cartao', 'boleto', 'devolver em 7 dias']) {
      assert.deepEqual(search(parsed, q, 5), search(index, q, 5));
    }
  });

  test('terms named like Object.prototype members are plain terms', () => {
    const idx = JSON.parse(
      JSON.stringify(buildIndex([{ id: 'x', text: 'constructor toString' }])),
    ) as LexicalIndex;
    assert.equal(search(idx, 'constructor', 1)[0]?.id, 'x');
    assert.deepEqual(search(buildIndex(passages), 'constructor hasOwnProperty __proto__', 3), []);
  });

  // Speed is measured by `npm run bench` (retrieval), not asserted here.
  test('10,000 passages index and the right one is found', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../fixtures/faq-pt/passages.json', import.meta.url), 'utf8'),
    ) as Passage[];
    const many: Passage[] = [];
    for (let i = 0; many.length < 10_000; i++)
      for (const p of fixture) many.push({ id: `${p.id}-${i}`, title: p.title, text: `${p.text} lote ${i}` });
    const big = buildIndex(many.slice(0, 10_000));
    assert.equal(big.ids.length, 10_000);
    assert.equal(search(big, 'lote 7 pix', 1)[0]!.id, 'pix-7');
  });

  test('chunked markdown documents are searchable by heading and body', () => {
    const md = [
      '# Ajuda',
      '## Trocas',
      'Trocas por tamanho ou cor em até 30 dias.',
      '## Nota fiscal',
      'A NF-e é enviada por e-mail quando o pedido é despachado.',
      '## Pagamento',
      'Aceitamos Pix, boleto e cartão em até 10 vezes.',
    ].join('\n\n');
    const chunks = chunkDocument(md, { title: 'Central de ajuda', targetChars: 60 });
    const idx = buildIndex(chunksToPassages('faq', chunks));
    const titleOf = (q: string) => chunks[Number(search(idx, q, 1)[0]!.id.split('#')[1])]!.title;
    assert.equal(titleOf('preciso da nf'), 'Central de ajuda › Ajuda › Nota fiscal');
    assert.equal(titleOf('posso pagar em 10x?'), 'Central de ajuda › Ajuda › Pagamento');
  });
});

describe('queryCoverage', () => {
  test("the share of the query's stems a text has, stop words left out", () => {
    const p = 'Prazo de entrega\nEntregamos em todo o Brasil em 3 a 7 dias úteis.';
    assert.equal(queryCoverage('qual o prazo de entrega para o Brasil?', p), 1);
    assert.equal(queryCoverage('vocês vendem bicicletas?', p), 0);
    const half = queryCoverage('prazo de troca', p);
    assert.ok(half > 0.3 && half < 0.7, String(half));
    assert.equal(queryCoverage('de o a', p), 0, 'only stop words: nothing to cover');
  });
});
