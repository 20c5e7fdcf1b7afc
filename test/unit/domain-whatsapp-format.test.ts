import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { markdownToWhatsApp } from '#shared/domain/whatsapp-format.ts';

describe('markdownToWhatsApp', () => {
  test('bold, italic and strikethrough as WhatsApp writes them', () => {
    assert.equal(markdownToWhatsApp('Isto é **importante**.'), 'Isto é *importante*.');
    assert.equal(markdownToWhatsApp('Isto é __importante__.'), 'Isto é *importante*.');
    assert.equal(markdownToWhatsApp('Um *detalhe* aqui'), 'Um _detalhe_ aqui');
    assert.equal(markdownToWhatsApp('Um _detalhe_ aqui'), 'Um _detalhe_ aqui');
    assert.equal(markdownToWhatsApp('***muito***'), '*_muito_*');
    assert.equal(markdownToWhatsApp('~~antigo~~ novo'), '~antigo~ novo');
    assert.equal(markdownToWhatsApp('**Prazo:** 3 a *7* dias'), '*Prazo:* 3 a _7_ dias');
  });

  test('headings in bold, lists with •, numbered lists kept', () => {
    assert.equal(
      markdownToWhatsApp('# Trocas\n\nVocê pode:\n- trocar\n* devolver\n+ pedir **reembolso**'),
      '*Trocas*\n\nVocê pode:\n• trocar\n• devolver\n• pedir *reembolso*',
    );
    assert.equal(markdownToWhatsApp('## **Já em negrito**'), '*Já em negrito*');
    assert.equal(markdownToWhatsApp('1. primeiro\n2) segundo'), '1. primeiro\n2. segundo');
    assert.equal(markdownToWhatsApp('- item\n  - sub'), '• item\n  • sub');
  });

  test('links, images, tables, rules and code', () => {
    assert.equal(
      markdownToWhatsApp('Veja [o site](https://loja.exemplo) ou <https://x.exemplo>.'),
      'Veja o site (https://loja.exemplo) ou https://x.exemplo.',
    );
    assert.equal(markdownToWhatsApp('![Logo da loja](https://x/logo.png)'), 'Logo da loja');
    assert.equal(
      markdownToWhatsApp('| Plano | Preço |\n|---|---:|\n| Básico | R$ 10 |'),
      'Plano — Preço\nBásico — R$ 10',
    );
    assert.equal(markdownToWhatsApp('antes\n\n---\n\ndepois'), 'antes\n\ndepois');
    assert.equal(markdownToWhatsApp('use `**nada**` assim'), 'use `**nada**` assim');
    assert.equal(markdownToWhatsApp('```js\nconst a = **b**;\n```'), '```\nconst a = **b**;\n```');
    assert.equal(markdownToWhatsApp('> citação **forte**'), '> citação *forte*');
  });

  test('plain text and odd asterisks stay as they are', () => {
    assert.equal(markdownToWhatsApp('Entregamos em 3 a 7 dias úteis.'), 'Entregamos em 3 a 7 dias úteis.');
    assert.equal(markdownToWhatsApp('2 * 3 = 6 e snake_case_name'), '2 * 3 = 6 e snake_case_name');
    assert.equal(markdownToWhatsApp('a\n\n\n\nb'), 'a\n\nb');
  });
});
