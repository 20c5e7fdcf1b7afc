import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { analyze, isStopWord, normalize, stem, tokenize } from '#shared/knowledge/text.ts';

/** Stem of a raw word, as the index sees it. */
const s = (word: string) => stem(normalize(word));

describe('normalize and tokenize', () => {
  test('folds accents, cedilla and case', () => {
    assert.equal(normalize('DEVOLUÇÃO Não Já Você'), 'devolucao nao ja voce');
    assert.equal(normalize('plain ascii'), 'plain ascii');
  });

  test('splits on punctuation, keeps numbers, joins e-mail', () => {
    assert.deepEqual(tokenize('Frete grátis acima de R$ 299,00! Meu e-mail: ana@x.com.br'), [
      'frete',
      'gratis',
      'acima',
      'de',
      'r',
      '299',
      '00',
      'meu',
      'email',
      'ana',
      'x',
      'com',
      'br',
    ]);
    assert.deepEqual(tokenize('guarda-roupa'), ['guarda', 'roupa']);
    assert.deepEqual(tokenize('  '), []);
  });

  test('stop words are accent-insensitive after normalisation', () => {
    assert.ok(isStopWord(normalize('não')));
    assert.ok(isStopWord('voces'));
    assert.ok(!isStopWord('entrega'));
  });
});

describe('stem', () => {
  const same = (words: string[]) => {
    const stems = new Set(words.map(s));
    assert.equal(stems.size, 1, `${words.join(', ')} → ${[...stems].join(', ')}`);
  };

  test('plurals and inflections meet', () => {
    same(['entrega', 'entregas', 'entregar', 'entregamos', 'entregue']);
    same(['prazo', 'prazos']);
    same(['cartão', 'cartões', 'cartao', 'cartoes']);
    same(['opção', 'opções', 'opcao', 'opcoes']);
    same(['item', 'itens']);
    same(['mensagem', 'mensagens']);
    same(['nacional', 'nacionais']);
    same(['disponível', 'disponíveis', 'disponivel']);
    same(['troca', 'trocas', 'trocar']);
    same(['cupom', 'cupons']);
  });

  test('accented and unaccented spellings meet', () => {
    same(['devolução', 'devolucao', 'devoluções', 'devolucoes']);
    same(['informação', 'informacao', 'informações', 'informar']);
    same(['horário', 'horario', 'horários']);
    same(['código', 'codigo']);
  });

  test('derivations meet where retrieval needs them', () => {
    same(['pagamento', 'pagamentos', 'pagar']);
    same(['parcelamento', 'parcelar', 'parcela', 'parcelas']);
    same(['cancelamento', 'cancelar']);
    same(['montagem', 'montar', 'montam']);
  });

  test('distinct words stay distinct', () => {
    assert.notEqual(s('boleto'), s('bolsa'));
    assert.notEqual(s('troca'), s('tropa'));
    assert.notEqual(s('pix'), s('pixel'));
  });

  test('short and non-letter tokens are left alone', () => {
    assert.equal(s('mg'), 'mg');
    assert.equal(s('12x'), '12x');
    assert.equal(s('299'), '299');
  });
});

describe('analyze', () => {
  test('drops stop words and chat fillers, expands chat abbreviations', () => {
    assert.deepEqual(analyze('Oi, vcs entregam no interior de MG?'), ['entreg', 'interior', 'mg']);
    assert.deepEqual(analyze('manda no zap'), analyze('manda no WhatsApp'));
    assert.deepEqual(analyze('preciso da nf'), analyze('preciso da nota fiscal'));
    assert.deepEqual(analyze('em 10x sem juros'), analyze('em 10 vezes sem juros'));
  });

  test('the same question with and without accents analyses the same', () => {
    assert.deepEqual(analyze('Qual o prazo de devolução?'), analyze('qual o prazo de devolucao'));
  });
});
