/**
 * The integrations API: numbers with their routing, statistics and write-only token;
 * departments and assistants; the account's inactivity period. Admins change, everyone
 * of the account reads, nobody ever reads a token.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { putAssistant, putDepartment } from '#shared/store/catalog.ts';
import { findNumberByPhoneNumberId, setNumberTokenError } from '#shared/store/numbers.ts';
import { putTemplate } from '#shared/store/templates.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

describe('integrations API', () => {
  let kit: ApiKit;
  let admin: SeededTenant;
  let adminToken: string;
  let agentToken: string;
  let vendas: string;
  let assistant: string;

  beforeAll(async () => {
    kit = await createApiKit();
    admin = await seedTenant(kit, { role: 'admin' });
    adminToken = (await loginAs(kit, admin)).accessToken;
    const { createUser } = await import('#shared/store/users.ts');
    const { hashPassword } = await import('#shared/auth/password.ts');
    const agent = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: admin.accountId,
      name: 'Ana',
      email: `ana-${kit.ids().toLowerCase()}@example.com`,
      role: 'agent',
      passwordHash: await hashPassword('senha-da-ana'),
      departmentIds: [],
      permissions: [],
    });
    agentToken = (await loginAs(kit, { ...admin, user: agent, password: 'senha-da-ana' })).accessToken;
    vendas = (
      await putDepartment(kit.deps.ddb, kit.deps.tableName, {
        id: kit.ids(),
        accountId: admin.accountId,
        name: 'Vendas',
      })
    ).id;
    assistant = (
      await putAssistant(kit.deps.ddb, kit.deps.tableName, {
        id: kit.ids(),
        accountId: admin.accountId,
        name: 'Assistente',
        enabled: true,
      })
    ).id;
  });

  const menu = () => ({
    kind: 'menu',
    menu: {
      body: 'Como podemos ajudar?',
      button: 'Ver opções',
      options: [
        { id: 'comprar', title: 'Comprar', target: { kind: 'department', departmentId: vendas } },
        {
          id: 'duvidas',
          title: 'Dúvidas',
          target: { kind: 'assistant', assistantId: assistant, backupDepartmentId: vendas },
        },
      ],
    },
  });

  test('numbers list with their statistics and read-only Meta ids, never the token', async () => {
    const res = await kit.call('GET', '/api/numbers', { token: agentToken });
    assert.equal(res.status, 200);
    const n = res.body.items[0];
    assert.equal(n.phoneNumberId, admin.number.phoneNumberId);
    assert.equal(n.hasToken, true);
    assert.deepEqual(n.stats, { received: 0, sent: 0, conversations: 0, contacts: 0, ignored: 0 });
    assert.ok(!JSON.stringify(res.body).includes('EAAG-secret-number-token'));
  });

  test('an admin saves a triage menu, colour and phone filter; they come back as saved', async () => {
    const res = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { routing: menu(), color: '#7C3AED', allowlist: ['5521998877445'], groupMessagesSeconds: 5 },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.routing.kind, 'menu');
    assert.equal(res.body.routing.menu.options.length, 2);
    assert.equal(res.body.color, '#7C3AED');
    assert.deepEqual(res.body.allowlist, ['5521998877445']);
    assert.equal(res.body.groupMessagesSeconds, 5);
  });

  test('a menu naming a department that does not exist, or breaking Meta’s limits, is refused in Portuguese', async () => {
    const bad = menu();
    bad.menu.options[0]!.target = { kind: 'department', departmentId: 'nao-existe' };
    const unknown = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { routing: bad },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'INVALID_ROUTING');
    assert.match(unknown.body.error.message, /o setor escolhido não existe/);

    const long = menu();
    long.menu.options[0]!.title = 'Um título bem maior que vinte e quatro';
    const tooLong = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { routing: long },
    });
    assert.equal(tooLong.status, 400);
  });

  test('the number must be digits with country and area code', async () => {
    const res = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { displayPhone: '(21) 98877-6655' },
    });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /Use só números, com os códigos do país e da área/);
  });

  test('an invalid token (Meta 190) shows on the number until a new token is saved', async () => {
    await setNumberTokenError(
      kit.deps.ddb,
      kit.deps.tableName,
      admin.number,
      {
        code: 190,
        message: 'Error validating access token: Session has expired',
      },
      kit.clock.now,
    );
    const flagged = await kit.call('GET', `/api/numbers/${admin.number.id}`, { token: agentToken });
    assert.equal(flagged.body.tokenError.code, 190);

    const saved = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { accessToken: 'EAAG-a-brand-new-token' },
    });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.tokenError, undefined);
    assert.ok(!JSON.stringify(saved.body).includes('EAAG-a-brand-new-token'));
  });

  test("a number's own app secret and verify token are write-only", async () => {
    const saved = await kit.call('PATCH', `/api/numbers/${admin.number.id}`, {
      token: adminToken,
      body: { appSecret: 'app-secret-of-this-number', verifyToken: 'verify-token-of-this-number' },
    });
    assert.equal(saved.status, 200);
    const read = await kit.call('GET', `/api/numbers/${admin.number.id}`, { token: agentToken });
    const list = await kit.call('GET', '/api/numbers', { token: adminToken });
    for (const body of [saved.body, read.body, list.body]) {
      assert.ok(!JSON.stringify(body).includes('app-secret-of-this-number'));
      assert.ok(!JSON.stringify(body).includes('verify-token-of-this-number'));
    }
    assert.equal(read.body.hasAppSecret, true);
    assert.equal(read.body.hasVerifyToken, true);
    const stored = await findNumberByPhoneNumberId(
      kit.deps.ddb,
      kit.deps.tableName,
      admin.number.phoneNumberId,
    );
    // In the account's `webhook` secret, not in the table.
    assert.equal(stored?.hasAppSecret, true);
    assert.ok(!JSON.stringify(stored).includes('app-secret-of-this-number'));
    const secret = await kit.deps.accountSecrets!.read(admin.accountId, 'webhook');
    assert.equal(secret.numbers[admin.number.id]?.appSecret, 'app-secret-of-this-number');
  });

  test('agents read but cannot change numbers, departments or settings', async () => {
    for (const [method, path, body] of [
      ['PATCH', `/api/numbers/${admin.number.id}`, { color: '#000000' }],
      ['POST', '/api/departments', { name: 'Financeiro' }],
      ['PATCH', '/api/settings', { inactivityHours: 5 }],
    ] as const) {
      const res = await kit.call(method, path, { token: agentToken, body });
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
    assert.equal((await kit.call('GET', '/api/departments', { token: agentToken })).status, 200);
  });

  test('the inactivity period is 1 to 72 hours', async () => {
    const ok = await kit.call('PATCH', '/api/settings', { token: adminToken, body: { inactivityHours: 8 } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.inactivityHours, 8);
    const bad = await kit.call('PATCH', '/api/settings', {
      token: adminToken,
      body: { inactivityHours: 100 },
    });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /entre 1 e 72 horas/);
  });

  test('the template for messages outside the window: an approved one of the account, or none (issue 15)', async () => {
    const before = await kit.call('GET', '/api/settings', { token: adminToken });
    assert.equal(before.body.outsideWindowTemplate, null);
    const base = {
      accountId: admin.number.accountId,
      wabaId: admin.number.wabaId,
      language: 'pt_BR',
      category: 'UTILITY' as const,
      parameterFormat: 'POSITIONAL' as const,
      components: [{ type: 'BODY' as const, text: 'Olá! {{1}}' }],
      updatedAt: Date.now(),
    };
    await putTemplate(kit.deps.ddb, kit.deps.tableName, {
      ...base,
      id: '9001',
      name: 'retomar',
      status: 'APPROVED',
    });
    await putTemplate(kit.deps.ddb, kit.deps.tableName, {
      ...base,
      id: '9002',
      name: 'pendente',
      status: 'PENDING',
    });
    const chosen = { name: 'retomar', language: 'pt_BR' };
    const ok = await kit.call('PATCH', '/api/settings', {
      token: adminToken,
      body: { outsideWindowTemplate: chosen },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.outsideWindowTemplate, chosen);
    assert.deepEqual(
      (await kit.call('GET', '/api/settings', { token: adminToken })).body.outsideWindowTemplate,
      chosen,
    );
    for (const t of [
      { name: 'pendente', language: 'pt_BR' },
      { name: 'retomar', language: 'en_US' },
    ]) {
      const bad = await kit.call('PATCH', '/api/settings', {
        token: adminToken,
        body: { outsideWindowTemplate: t },
      });
      assert.equal(bad.status, 400, t.name);
      assert.equal(bad.body.error.code, 'TEMPLATE_NOT_APPROVED');
    }
    const cleared = await kit.call('PATCH', '/api/settings', {
      token: adminToken,
      body: { outsideWindowTemplate: null },
    });
    assert.equal(cleared.body.outsideWindowTemplate, null);
  });

  test('departments: an admin creates one and everyone sees it', async () => {
    const created = await kit.call('POST', '/api/departments', {
      token: adminToken,
      body: { name: 'Financeiro' },
    });
    assert.equal(created.status, 201);
    const list = await kit.call('GET', '/api/departments', { token: agentToken });
    assert.ok(list.body.items.some((d: { name: string }) => d.name === 'Financeiro'));
    const assistants = await kit.call('GET', '/api/assistants', { token: agentToken });
    assert.deepEqual(
      assistants.body.items.map((a: { name: string }) => a.name),
      ['Assistente'],
    );
  });
});
