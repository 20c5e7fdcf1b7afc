import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { seedDemo, DEMO_ADMIN_EMAIL, DEMO_AGENT_EMAIL, DEMO_PASSWORD } from '#shared/store/seed.ts';
import { findNumberByPhoneNumberId, listNumbers } from '#shared/store/numbers.ts';
import { createApiKit, T0, type ApiKit } from './api-test-kit.ts';

describe('demo seed', () => {
  let kit: ApiKit;
  const number = {
    phoneNumberId: '100200300',
    displayPhone: '+55 11 4000-1000',
    wabaId: 'waba-demo',
  };

  beforeAll(async () => {
    kit = await createApiKit();
  });

  test("creates the demo account once; a second run finds it and updates the number's Meta ids", async () => {
    const { ddb, tableName } = kit.deps;

    const first = await seedDemo({ ddb, tableName, number, now: T0 });
    const second = await seedDemo({
      ddb,
      tableName,
      number: { ...number, wabaId: 'waba-demo-2' },
      now: T0 + 1000,
    });

    assert.equal(first.created, true);
    assert.deepEqual(second, {
      accountId: first.accountId,
      email: DEMO_ADMIN_EMAIL,
      password: DEMO_PASSWORD,
      created: false,
    });
    const numbers = await listNumbers(ddb, tableName, first.accountId);
    assert.equal(numbers.length, 1);
    assert.equal(numbers[0]!.name, 'Demo');
    assert.match(numbers[0]!.color, /^#[0-9A-F]{6}$/i);
    const byPnid = await findNumberByPhoneNumberId(ddb, tableName, '100200300');
    assert.equal(byPnid?.accountId, first.accountId);
    assert.equal(byPnid?.wabaId, 'waba-demo-2');
    // The demo numbers use the deployment's token: none of their own, none in the table.
    assert.equal(byPnid?.hasAccessToken, undefined);
  });

  test('the demo admin and agent can log in with the demo password', async () => {
    const admin = await kit.call('POST', '/api/auth/login', {
      body: { email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD },
    });
    const agent = await kit.call('POST', '/api/auth/login', {
      body: { email: DEMO_AGENT_EMAIL, password: DEMO_PASSWORD },
    });
    const me = await kit.call('GET', '/api/me', { token: admin.body.accessToken });

    assert.equal(admin.status, 200);
    assert.equal(admin.body.user.role, 'admin');
    assert.equal(agent.body.user.role, 'agent');
    assert.equal(agent.body.user.accountId, admin.body.user.accountId);
    assert.equal(me.body.account.name, 'Atende Demo');
  });
  test('with a media bucket, the demo assistant gets the FAQ knowledge base (offline mode works out of the box)', async () => {
    const own = await createApiKit();
    const { ddb, tableName, s3, mediaBucket } = own.deps;
    await seedDemo({ ddb, tableName, number, knowledge: { s3, mediaBucket: mediaBucket! }, now: T0 });
    const login = await own.call('POST', '/api/auth/login', {
      body: { email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD },
    });
    const token = login.body.accessToken;
    const kbs = (await own.call('GET', '/api/knowledge-bases', { token })).body.items;
    assert.equal(kbs.length, 1);
    assert.ok(kbs[0].passages > 0);
    const assistants = (await own.call('GET', '/api/assistants', { token })).body.items;
    assert.deepEqual(assistants[0].knowledgeBaseIds, [kbs[0].id]);
    assert.equal((await own.call('GET', '/api/ai/settings', { token })).body.mode, 'offline');
    const hits = await own.call('GET', `/api/knowledge-bases/${kbs[0].id}/search`, {
      token,
      query: { q: 'quanto tempo demora pra chegar no interior?' },
    });
    assert.match(hits.body.items[0].text, /interior, em 4 a 9 dias úteis/);
  });
});
