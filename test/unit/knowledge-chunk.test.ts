import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { chunkDocument, chunksToPassages, parseSections, splitSentences } from '#shared/knowledge/chunk.ts';

/** A sentence of about `n` characters, ending with a period. */
const sentence = (n: number, word = 'palavra') => {
  let out = 'Texto';
  while (out.length < n - 1) out += ` ${word}`;
  return `${out}.`;
};

describe('splitSentences', () => {
  test('splits on . ! ? … followed by a capital or digit', () => {
    assert.deepEqual(splitSentences('Enviamos hoje. Chega amanhã! Tudo certo? Sim… 2 dias.'), [
      'Enviamos hoje.',
      'Chega amanhã!',
      'Tudo certo?',
      'Sim…',
      '2 dias.',
    ]);
  });

  test('does not split after abbreviations, initials, numbers or before lower case', () => {
    assert.deepEqual(
      splitSentences('O Sr. Silva mora na Av. Brasil. J. Souza pagou R$ 1.000,00 etc. e tal.'),
      ['O Sr. Silva mora na Av. Brasil.', 'J. Souza pagou R$ 1.000,00 etc. e tal.'],
    );
  });
});

describe('parseSections', () => {
  test('markdown headings build heading paths; a deeper level nests, a shallower one pops', () => {
    const sections = parseSections(
      'Intro.\n\n# Trocas\n\nA.\n\n## Prazo\n\nB.\n\n### Exceções\n\nC.\n\n## Custos ##\n\nD.\n\nOutras\n======\n\nE.\n\nSub\n---\n\nF.',
    );
    assert.deepEqual(
      sections.map((s) => [s.headings.join(' › '), s.blocks.join('|')]),
      [
        ['', 'Intro.'],
        ['Trocas', 'A.'],
        ['Trocas › Prazo', 'B.'],
        ['Trocas › Prazo › Exceções', 'C.'],
        ['Trocas › Custos', 'D.'],
        ['Outras', 'E.'],
        ['Outras › Sub', 'F.'],
      ],
    );
  });

  test('re-flows wrapped prose and PDF hyphenation, keeps lists and code', () => {
    const [section] = parseSections(
      'O prazo começa após a confirma-\nção do pagamento e varia\nconforme o CEP.\n\n- Pix\n- Boleto\n\n```\n# not a heading\n```',
    );
    assert.deepEqual(section!.blocks, [
      'O prazo começa após a confirmação do pagamento e varia conforme o CEP.',
      '- Pix\n- Boleto',
      '```\n# not a heading\n```',
    ]);
  });

  test('plain-text headings (short lone lines before a paragraph) without markdown', () => {
    const sections = parseSections(
      'POLÍTICA DE ENTREGA\n\nEntregamos em todo o Brasil.\n\nFRETE\n\nGrátis acima de R$ 299.',
    );
    assert.deepEqual(
      sections.map((s) => s.headings),
      [['POLÍTICA DE ENTREGA'], ['FRETE']],
    );
  });
});

describe('chunkDocument', () => {
  test('a short document is one chunk with the document title', () => {
    const chunks = chunkDocument('Entregamos em todo o Brasil.', { title: 'FAQ' });
    assert.deepEqual(chunks, [
      { index: 0, headings: [], title: 'FAQ', text: 'Entregamos em todo o Brasil.' },
    ]);
  });

  test('a long section is split between sentences into balanced chunks within max', () => {
    const body = Array.from({ length: 20 }, () => sentence(100)).join(' ');
    const chunks = chunkDocument(`# Entregas\n\n${body}`);
    assert.equal(chunks.length, 3);
    for (const c of chunks) {
      assert.ok(c.text.length <= 900, `${c.text.length}`);
      assert.ok(c.text.length >= 600, `${c.text.length}`);
      assert.ok(c.text.endsWith('.'), 'ends on a sentence boundary');
      assert.deepEqual(c.headings, ['Entregas']);
    }
    assert.equal(chunks.map((c) => c.text).join(' '), body);
  });

  test('paragraphs are kept whole when they fit', () => {
    const p1 = sentence(500);
    const p2 = sentence(500);
    const chunks = chunkDocument(`${p1}\n\n${p2}`);
    assert.deepEqual(
      chunks.map((c) => c.text),
      [p1, p2],
    );
  });

  test('a sentence longer than max is split between words', () => {
    const long = sentence(2000);
    const chunks = chunkDocument(long, { maxChars: 900 });
    assert.ok(chunks.length >= 3);
    for (const c of chunks) assert.ok(c.text.length <= 900);
    assert.equal(chunks.map((c) => c.text).join(' '), long);
  });

  test('small sibling sections merge under their common heading, keeping sub-headings in the text', () => {
    const md =
      '# Trocas\n\nRegras gerais.\n\n## Prazo\n\n30 dias.\n\n## Custo\n\nGrátis.\n\n# Pagamento\n\nPix e cartão.';
    const chunks = chunkDocument(md, { title: 'Ajuda' });
    assert.equal(chunks[0]!.title, 'Ajuda › Trocas');
    assert.deepEqual(chunks[0]!.headings, ['Trocas']);
    assert.equal(chunks[0]!.text, 'Regras gerais.\n\nPrazo\n30 dias.\n\nCusto\nGrátis.');
    // "Pagamento" would need the path to shrink to the root, two levels above "Trocas › Prazo".
    assert.deepEqual(
      chunks.slice(1).map((c) => [c.title, c.text]),
      [['Ajuda › Pagamento', 'Pix e cartão.']],
    );
  });

  test('sections do not merge past targetChars, and each keeps its heading path', () => {
    const a = sentence(500);
    const b = sentence(500);
    const chunks = chunkDocument(`# Trocas\n\n## Prazo\n\n${a}\n\n## Custo\n\n${b}`);
    assert.deepEqual(
      chunks.map((c) => [c.title, c.text]),
      [
        ['Trocas › Prazo', a],
        ['Trocas › Custo', b],
      ],
    );
  });

  test('small top-level sections merge, each heading staying with its paragraph', () => {
    const chunks = chunkDocument('# Entrega\n\nTodo o Brasil.\n\n# Frete\n\nGrátis acima de R$ 299.');
    assert.deepEqual(chunks, [
      {
        index: 0,
        headings: [],
        title: '',
        text: 'Entrega\nTodo o Brasil.\n\nFrete\nGrátis acima de R$ 299.',
      },
    ]);
  });

  test('a split section is not merged with its neighbours', () => {
    const body = Array.from({ length: 12 }, () => sentence(100)).join(' ');
    const chunks = chunkDocument(`# A\n\n${body}\n\n# B\n\nCurto.`);
    assert.deepEqual(
      chunks.map((c) => c.title),
      ['A', 'A', 'B'],
    );
  });

  test('empty input gives no chunks', () => {
    assert.deepEqual(chunkDocument(''), []);
    assert.deepEqual(chunkDocument('# Só título\n\n'), []);
  });

  test('chunksToPassages numbers chunk ids by document', () => {
    const passages = chunksToPassages('doc-1', chunkDocument('# A\n\nx.', { title: 'T' }));
    assert.deepEqual(passages, [{ id: 'doc-1#0', title: 'T › A', text: 'x.' }]);
  });
});
