/**
 * Claiming a WhatsApp number or an e-mail across tenants (issue 12, finding 12): a
 * phone-number id is checked with Meta (`GET /{phone-number-id}` with the token that will
 * use it; here the local simulator) before it is accepted, and an id or e-mail another
 * account holds answers a neutral "unavailable" that names nobody.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort } from '#infra/local/ports.ts';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

const digits = () => String(100_000_000 + randomBytes(3).readUIntBE(0, 3));

describe('claiming numbers and e-mails across accounts', () => {
  let kit: ApiKit;
  let sim: Simulator;
  let a: SeededTenant;
  let b: SeededTenant;
  let aToken: string;
  let bToken: string;
  const simToken = `sim-token-${randomBytes(6).toString('hex')}`;
  const shared = { phoneNumberId: digits(), displayPhone: '5511940000001', wabaId: '1000001', name: 'Loja' };

  beforeAll(async () => {
    kit = await createApiKit();
    sim = await startSimulator({
      port: await freePort(),
      webhookUrl: 'http://127.0.0.1:9/unused',
      appSecret: 'unused',
      accessToken: simToken,
      phoneNumbers: [shared],
    });
    kit.deps.whatsapp = {
      graph: createGraphClient({ baseUrl: sim.url, version: 'v23.0' }),
      defaultToken: async () => undefined,
    };
    a = await seedTenant(kit, { role: 'admin', name: 'Loja A de Alice' });
    b = await seedTenant(kit, { role: 'admin', name: 'Loja B' });
    aToken = (await loginAs(kit, a)).accessToken;
    bToken = (await loginAs(kit, b)).accessToken;
  });
  afterAll(() => sim.stop());

  const add = (token: string, over: Record<string, unknown> = {}) =>
    kit.call('POST', '/api/numbers', {
      token,
      body: {
        name: 'Novo',
        phoneNumberId: shared.phoneNumberId,
        wabaId: shared.wabaId,
        displayPhone: shared.displayPhone,
        accessToken: simToken,
        ...over,
      },
    });

  test('a phone-number id Meta does not know with this token is refused, and nothing is claimed', async () => {
    const unknown = await add(bToken, { phoneNumberId: digits() });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'PHONE_NUMBER_NOT_FOUND');
    assert.match(unknown.body.error.message, /Meta não encontrou/);
    const badToken = await add(bToken, { accessToken: 'EAAG-not-the-right-token' });
    assert.equal(badToken.status, 400);
    assert.equal(badToken.body.error.code, 'WHATSAPP_TOKEN_INVALID');
    // Neither attempt claimed the id: its owner can still add it.
    const list = await kit.call('GET', '/api/numbers', { token: bToken });
    assert.equal(list.body.items.length, 1);
  });

  test("another account's phone-number id answers a neutral 'unavailable' naming nobody", async () => {
    assert.equal((await add(aToken)).status, 201);
    const taken = await add(bToken);
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'PHONE_NUMBER_UNAVAILABLE');
    const text = JSON.stringify(taken.body);
    for (const leak of [a.accountId, 'Loja A', a.user.email, 'cadastrado'])
      assert.ok(!text.includes(leak), `the answer names ${leak}`);
  });

  test('a new token for a number is checked with Meta before it is saved', async () => {
    const res = await kit.call('PATCH', `/api/numbers/${b.number.id}`, {
      token: bToken,
      body: { accessToken: 'EAAG-some-other-token' },
    });
    // B's seeded number is not one the simulator knows: refused, nothing saved.
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'PHONE_NUMBER_NOT_FOUND');
  });

  test("another account's e-mail: the new user's e-mail 'cannot be used', naming nobody", async () => {
    const res = await kit.call('POST', '/api/users', {
      token: bToken,
      body: { name: 'Cópia', email: a.user.email, password: 'uma-senha-boa', role: 'agent' },
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'EMAIL_UNAVAILABLE');
    const text = JSON.stringify(res.body);
    for (const leak of [a.accountId, 'Loja A', 'Já existe']) assert.ok(!text.includes(leak));
  });
});
