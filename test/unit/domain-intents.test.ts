import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { wantsHuman } from '#shared/domain/intents.ts';

describe('wantsHuman (a customer asks for a person)', () => {
  test('asks, in the ways customers write it', () => {
    for (const t of [
      'quero falar com um atendente',
      'Quero falar com um atendente!',
      'QUERO FALAR COM ATENDENTE',
      'atendente',
      'Atendente, por favor',
      'um humano',
      'quero falar com uma pessoa',
      'gostaria de falar com um atendente por favor',
      'preciso falar com alguém',
      'me passa para um atendente',
      'pode me transferir para um humano?',
      'falar com atendente',
      'queria conversar com uma pessoa de verdade',
      'atendimento humano',
      'cadê o atendente?',
      'Oi, boa tarde. Quero falar com um atendente.',
      'chama um atendente',
      'falar com operador',
    ])
      assert.equal(wantsHuman(t), true, t);
  });

  test('does not ask', () => {
    for (const t of [
      undefined,
      '',
      'qual o horário de atendimento?',
      'o atendente de ontem foi ótimo',
      'não quero falar com atendente',
      'nao preciso de atendente, obrigado',
      'qual o prazo de entrega?',
      'Dúvidas',
      'quero comprar uma pessoa jurídica? não, quero abrir uma conta PJ',
      'vocês atendem aos sábados?',
      'humanidade',
    ])
      assert.equal(wantsHuman(t), false, String(t));
  });
});
