import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { renderVariables, variablesIn, variableValues } from '#shared/domain/variables.ts';

const full = {
  contactName: 'Maria da Silva',
  protocol: '20260512-000042',
  agentName: 'Renata',
  departmentName: 'Financeiro',
};

describe('message variables (MSG-2)', () => {
  test('each variable renders from the conversation, contact, agent and department', () => {
    assert.equal(
      renderVariables(
        'Olá, {primeiro_nome}! {nome}, sou {atendente} do {setor}. Protocolo {protocolo}.',
        full,
      ),
      'Olá, Maria! Maria da Silva, sou Renata do Financeiro. Protocolo 20260512-000042.',
    );
  });

  test('a variable used twice renders twice; text without variables is untouched', () => {
    assert.equal(renderVariables('{primeiro_nome} {primeiro_nome}', full), 'Maria Maria');
    const plain = '  Bom dia!\n\nTudo bem?  ';
    assert.equal(renderVariables(plain, {}), plain);
  });

  test('unknown variables, other spellings and stray braces stay exactly as typed', () => {
    for (const text of ['{foo}', '{ nome }', '{NOME}', '{nome', 'nome}', '{}', '{{nome}}x', '{cpf}'])
      assert.equal(
        renderVariables(text, full),
        text === '{{nome}}x' ? '{Maria da Silva}x' : text,
        `"${text}"`,
      );
  });

  test('the first name is the first word with a letter; names are trimmed and spaces collapsed', () => {
    assert.equal(variableValues({ contactName: '  João   Pedro  ' }).primeiro_nome, 'João');
    assert.equal(variableValues({ contactName: '  João   Pedro  ' }).nome, 'João Pedro');
    assert.equal(variableValues({ contactName: '🌸 Ana Luíza' }).primeiro_nome, 'Ana');
  });

  test('a contact name without a letter (the +55… placeholder) is no name', () => {
    const v = variableValues({ contactName: '+5511987654321' });
    assert.equal(v.nome, undefined);
    assert.equal(v.primeiro_nome, undefined);
  });

  test('a missing value renders empty and the text around it is tidied', () => {
    const none = {};
    const cases: [string, string][] = [
      ['Olá, {primeiro_nome}!', 'Olá!'],
      ['Olá {nome}, tudo bem?', 'Olá, tudo bem?'],
      ['Olá {nome}', 'Olá'],
      ['{primeiro_nome}, tudo bem?', 'tudo bem?'],
      ['Seu atendimento com {atendente} hoje', 'Seu atendimento com hoje'],
      ['Protocolo: {protocolo}', 'Protocolo:'],
      ['Oi {primeiro_nome} {nome}!\nSetor: {setor}\nAté logo', 'Oi!\nSetor:\nAté logo'],
    ];
    for (const [text, want] of cases) assert.equal(renderVariables(text, none), want, text);
    // The placeholder name counts as missing too.
    assert.equal(renderVariables('Olá, {primeiro_nome}!', { contactName: '+5511987654321' }), 'Olá!');
    // Only the missing one goes; the others render.
    assert.equal(
      renderVariables('Olá, {primeiro_nome}! Sou {atendente}.', { agentName: 'Renata' }),
      'Olá! Sou Renata.',
    );
  });

  test('variablesIn names the known variables a text uses, once each', () => {
    assert.deepEqual([...variablesIn('{setor} {foo} {nome} {setor} {primeiro_nome}')].sort(), [
      'nome',
      'primeiro_nome',
      'setor',
    ]);
    assert.equal(variablesIn('sem variáveis').size, 0);
  });
});
