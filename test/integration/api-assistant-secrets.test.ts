/**
 * The assistants' HTTP endpoint headers (API keys) are write-only: no route that returns an
 * assistant shows a value — to the account's agents nor to its admin — and another
 * account cannot reach the assistant at all. A header saved without a value keeps the
 * stored one only while the endpoint stays on the same origin; one left out is removed.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { hashPassword } from '#shared/auth/password.ts';
import { getAssistant } from '#shared/store/catalog.ts';
import { createUser } from '#shared/store/users.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

const API_KEY = 'Bearer sk-live-9f8e7d6c5b4a';
const SECOND_KEY = 'k-segredo-123456';

const endpoint = (over: Record<string, unknown> = {}) => ({
  name: 'consultar_pedido',
  description: 'Consulta um pedido',
  method: 'GET',
  url: 'https://api.loja.example/pedidos/{id}',
  headers: [
    { name: 'Authorization', value: API_KEY },
    { name: 'X-Api-Key', value: SECOND_KEY },
  ],
  parameters: { type: 'object', properties: { id: { type: 'string' } } },
  timeoutMs: 2000,
  ...over,
});

describe('assistant endpoint headers are write-only', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let other: SeededTenant;
  let admin: string;
  let agent: string;
  let otherAdmin: string;
  let assistantId: string;

  const noSecret = (body: unknown, what: string) => {
    const text = JSON.stringify(body);
    assert.ok(!text.includes('sk-live-9f8e7d6c5b4a'), `${what}: the API key never appears`);
    assert.ok(!text.includes(SECOND_KEY), `${what}: the second key never appears`);
  };
  const stored = async () =>
    (await getAssistant(kit.deps.ddb, kit.deps.tableName, tenant.accountId, assistantId))!.httpTools;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    other = await seedTenant(kit, { role: 'admin', name: 'Outra Loja' });
    admin = (await loginAs(kit, tenant)).accessToken;
    otherAdmin = (await loginAs(kit, other)).accessToken;
    const user = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: tenant.accountId,
      name: 'Agente',
      email: `agente-${kit.ids()}@example.com`.toLowerCase(),
      role: 'agent',
      passwordHash: await hashPassword('senha-agente-1'),
      departmentIds: [],
    });
    agent = (await loginAs(kit, { ...tenant, user, password: 'senha-agente-1' })).accessToken;

    const created = await kit.call('POST', '/api/assistants', {
      token: admin,
      body: { name: 'Lia', tools: ['http_request'], httpTools: [endpoint()] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assistantId = created.body.id;
    noSecret(created.body, 'create');
    assert.deepEqual(created.body.httpTools[0].headers, [
      { name: 'Authorization', set: true },
      { name: 'X-Api-Key', set: true },
    ]);
  });

  test('an agent and the admin list assistants: header names and "set", never a value', async () => {
    for (const [who, token] of [
      ['agent', agent],
      ['admin', admin],
    ] as const) {
      const list = await kit.call('GET', '/api/assistants', { token });
      assert.equal(list.status, 200);
      noSecret(list.body, `list as ${who}`);
      const lia = list.body.items.find((a: { id: string }) => a.id === assistantId);
      assert.deepEqual(lia.httpTools[0].headers, [
        { name: 'Authorization', set: true },
        { name: 'X-Api-Key', set: true },
      ]);
    }
    // The values are stored, and used when the endpoint is called.
    assert.deepEqual((await stored())[0]!.headers, { Authorization: API_KEY, 'X-Api-Key': SECOND_KEY });
  });

  test('another account: not in its list, 404 on update, delete and test', async () => {
    const list = await kit.call('GET', '/api/assistants', { token: otherAdmin });
    assert.equal(list.status, 200);
    assert.ok(!list.body.items.some((a: { id: string }) => a.id === assistantId));
    noSecret(list.body, 'other account list');
    const patch = await kit.call('PATCH', `/api/assistants/${assistantId}`, {
      token: otherAdmin,
      body: {
        httpTools: [endpoint({ url: 'https://evil.example/{id}', headers: [{ name: 'Authorization' }] })],
      },
    });
    assert.equal(patch.status, 404);
    noSecret(patch.body, 'other account patch');
    assert.equal(
      (await kit.call('POST', `/api/assistants/${assistantId}/test`, { token: otherAdmin })).status,
      404,
    );
    assert.equal(
      (await kit.call('DELETE', `/api/assistants/${assistantId}`, { token: otherAdmin })).status,
      404,
    );
    assert.deepEqual((await stored())[0]!.headers, { Authorization: API_KEY, 'X-Api-Key': SECOND_KEY });
  });

  test('moving the endpoint to another origin without re-entering the key is refused', async () => {
    const res = await kit.call('PATCH', `/api/assistants/${assistantId}`, {
      token: admin,
      body: {
        httpTools: [endpoint({ url: 'https://coletor.example/{id}', headers: [{ name: 'Authorization' }] })],
      },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'HEADER_VALUE_REQUIRED');
    assert.match(res.body.error.message, /informe de novo o valor do cabeçalho Authorization/);
    assert.equal((await stored())[0]!.url, 'https://api.loja.example/pedidos/{id}');
  });

  test('save without a value keeps it, a left-out header is removed, a new value replaces', async () => {
    const kept = await kit.call('PATCH', `/api/assistants/${assistantId}`, {
      token: admin,
      body: {
        httpTools: [
          endpoint({ description: 'Consulta um pedido pelo número', headers: [{ name: 'Authorization' }] }),
        ],
      },
    });
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
    noSecret(kept.body, 'update');
    assert.deepEqual(kept.body.httpTools[0].headers, [{ name: 'Authorization', set: true }]);
    assert.deepEqual((await stored())[0]!.headers, { Authorization: API_KEY });

    const replaced = await kit.call('PATCH', `/api/assistants/${assistantId}`, {
      token: admin,
      body: { httpTools: [endpoint({ headers: [{ name: 'Authorization', value: 'Bearer novo-valor' }] })] },
    });
    assert.equal(replaced.status, 200);
    assert.ok(!JSON.stringify(replaced.body).includes('novo-valor'));
    assert.deepEqual((await stored())[0]!.headers, { Authorization: 'Bearer novo-valor' });

    // A patch that does not touch the endpoints keeps them as they are.
    const renamed = await kit.call('PATCH', `/api/assistants/${assistantId}`, {
      token: admin,
      body: { name: 'Lia 2' },
    });
    assert.equal(renamed.status, 200);
    assert.deepEqual((await stored())[0]!.headers, { Authorization: 'Bearer novo-valor' });

    const noValueOnCreate = await kit.call('POST', '/api/assistants', {
      token: admin,
      body: { name: 'Sem chave', httpTools: [endpoint({ headers: [{ name: 'Authorization' }] })] },
    });
    assert.equal(noValueOnCreate.status, 400);
    assert.equal(noValueOnCreate.body.error.code, 'HEADER_VALUE_REQUIRED');
  });
});
