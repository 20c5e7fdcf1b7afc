import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  checkCnpj,
  checkCpf,
  checkDate,
  checkEmail,
  checkPhone,
  checkVariable,
} from '#shared/domain/validators.ts';
import { costOf, defaultPrices } from '#shared/domain/pricing.ts';

describe('data the assistant collects (AI-5)', () => {
  test('CPF: check digits, formatting, repeated digits refused', () => {
    assert.deepEqual(checkCpf('529.982.247-25'), { ok: true, value: '529.982.247-25' });
    assert.deepEqual(checkCpf('52998224725'), { ok: true, value: '529.982.247-25' });
    assert.equal(checkCpf('529.982.247-24').ok, false);
    assert.equal(checkCpf('111.111.111-11').ok, false);
    assert.equal(checkCpf('123').ok, false);
  });

  test('CNPJ: check digits and formatting', () => {
    assert.deepEqual(checkCnpj('11222333000181'), { ok: true, value: '11.222.333/0001-81' });
    assert.equal(checkCnpj('11.222.333/0001-80').ok, false);
    assert.equal(checkCnpj('00000000000000').ok, false);
  });

  test('e-mail, phone (Brazil by default) and date (dd/mm/aaaa)', () => {
    assert.deepEqual(checkEmail(' Ana@Exemplo.com.br '), { ok: true, value: 'ana@exemplo.com.br' });
    assert.equal(checkEmail('ana@exemplo').ok, false);
    assert.deepEqual(checkPhone('(11) 98765-4321'), { ok: true, value: '5511987654321' });
    assert.equal(checkPhone('1234').ok, false);
    assert.deepEqual(checkDate('05/03/2027'), { ok: true, value: '2027-03-05' });
    assert.deepEqual(checkDate('2027-03-05'), { ok: true, value: '2027-03-05' });
    assert.equal(checkDate('31/02/2027').ok, false);
    assert.equal(checkDate('amanhã').ok, false);
    const refused = checkVariable('cpf', '000');
    assert.ok(!refused.ok && /CPF/.test(refused.reason));
  });
});

describe('costs (AI-6)', () => {
  test('tokens times the price table; cached prompt tokens at their own price', () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 500_000, cachedTokens: 400_000 };
    // 600k fresh × 0.15 + 400k cached × 0.075 + 500k × 0.6 = 0.09 + 0.03 + 0.3
    assert.equal(costOf(usage, 'gpt-4o-mini', defaultPrices), 0.42);
    assert.equal(costOf(usage, 'unknown-model', defaultPrices), undefined);
    assert.equal(
      costOf({ promptTokens: 10, completionTokens: 0, cachedTokens: 0 }, 'm', { m: { input: 1, output: 2 } }),
      0.00001,
    );
  });
});
