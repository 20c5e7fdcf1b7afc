import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { automaticValues, notSentReason } from '#shared/outbound/automatic-message.ts';
import type { Template } from '#shared/domain/templates.ts';

const body = (text: string): Pick<Template, 'components'> => ({ components: [{ type: 'BODY', text }] });

describe('an automation outside the window', () => {
  test('a template without parameters, or with one body parameter that carries the text on one line', () => {
    assert.deepEqual(automaticValues(body('Olá! Podemos continuar?'), 'x'), { values: {} });
    assert.deepEqual(automaticValues(body('Olá! {{1}}'), 'Linha um\n\n• dois'), {
      values: { body: { '1': 'Linha um · • dois' } },
    });
    assert.deepEqual(automaticValues(body('Oi {{1}} e {{2}}'), 'x'), {
      problem: 'o modelo tem parâmetros que uma automação não preenche',
    });
    assert.deepEqual(automaticValues(body('Oi {{1}}'), '  '), { problem: 'mensagem sem texto' });
  });

  test('why nothing was sent, in pt-BR', () => {
    assert.match(notSentReason(undefined, undefined), /nenhum modelo para mensagens fora da janela/);
    const chosen = { name: 'retomar', language: 'pt_BR' };
    assert.match(notSentReason(chosen, undefined), /"retomar" \(pt_BR\) não existe neste número/);
    const t = { ...body('Oi'), status: 'REJECTED' } as Template;
    assert.match(notSentReason(chosen, t), /não está aprovado pela Meta/);
  });
});
