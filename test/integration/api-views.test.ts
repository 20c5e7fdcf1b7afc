/**
 * The inbox views through the real API handler on DynamoDB Local: views and visibility per
 * user, assignment rules with their log lines, close, postpone, unread/answered, internal
 * notes, filters, sorts, search, counts and permissions.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { hashPassword } from '#shared/auth/password.ts';
import { putDepartment } from '#shared/store/catalog.ts';
import { createUser } from '#shared/store/users.ts';
import type { Conversation, Role } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  putMessage,
  seedTenant,
  T0,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

const HOUR = 3600_000;

describe('inbox views, assignment and permissions', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let admin: string;
  let vendas: string;
  let suporte: string;
  const users: Record<string, { id: string; token: string; email?: string; password?: string }> = {};

  async function addUser(name: string, role: Role, departmentIds: string[], permissions?: string[]) {
    const password = `pw-${name}-123456`;
    const user = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: tenant.accountId,
      name,
      email: `${name}-${kit.ids()}@example.com`.toLowerCase(),
      role,
      passwordHash: await hashPassword(password),
      departmentIds,
      ...(permissions ? { permissions: permissions as never } : {}),
    });
    const login = await kit.call('POST', '/api/auth/login', { body: { email: user.email, password } });
    users[name] = { id: user.id, token: login.body.accessToken, email: user.email, password };
  }

  const list = async (who: string, query: Record<string, string> = {}) => {
    const res = await kit.call('GET', '/api/conversations', { token: users[who]!.token, query });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items as Conversation[];
  };
  const ids = (items: Conversation[]) => items.map((c) => c.id);
  /** The account's "Setores isolados" (PATCH /api/settings, as an admin). */
  const isolate = async (on: boolean) => {
    const res = await kit.call('PATCH', '/api/settings', { token: admin, body: { isolatedDepartments: on } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.isolatedDepartments, on);
  };

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    admin = (await loginAs(kit, tenant)).accessToken;
    users.admin = { id: tenant.user.id, token: admin };
    vendas = (
      await putDepartment(kit.deps.ddb, kit.deps.tableName, {
        id: kit.ids(),
        accountId: tenant.accountId,
        name: 'Vendas',
      })
    ).id;
    suporte = (
      await putDepartment(kit.deps.ddb, kit.deps.tableName, {
        id: kit.ids(),
        accountId: tenant.accountId,
        name: 'Suporte',
      })
    ).id;
    await addUser('ana', 'agent', [vendas]);
    await addUser('carla', 'agent', [vendas]);
    await addUser('davi', 'agent', [suporte]);
    await addUser('eva', 'agent', [suporte], ['seeAllChats']);
  });

  test('each view lists what the reference says, for each user', async () => {
    const noOne = await putConversation(kit, tenant, {
      contactName: 'Sem Ninguém',
      lastMessageAt: T0 - 1 * HOUR,
    });
    const dept = await putConversation(kit, tenant, {
      contactName: 'Do Setor',
      departmentId: vendas,
      lastMessageAt: T0 - 2 * HOUR,
    });
    const mine = await putConversation(kit, tenant, {
      contactName: 'Da Ana',
      agentId: users.ana!.id,
      departmentId: vendas,
      lastMessageAt: T0 - 3 * HOUR,
    });
    const bot = await putConversation(kit, tenant, {
      contactName: 'No Menu',
      routingStage: 'menu',
      lastMessageAt: T0 - 4 * HOUR,
    });
    const closed = await putConversation(kit, tenant, {
      contactName: 'Encerrada',
      status: 'closed',
      lastMessageAt: T0 - 5 * HOUR,
    });
    // The Chatbot switched off (people hold it): Todos and Abertos.
    const botOff = await putConversation(kit, tenant, {
      contactName: 'Robô Desligado',
      routingStage: 'people',
      lastMessageAt: T0 - 6 * HOUR,
    });
    const mineIds = new Set([noOne.id, dept.id, mine.id, bot.id, closed.id, botOff.id]);
    const only = (items: Conversation[]) => ids(items).filter((id) => mineIds.has(id));

    const every = [noOne.id, dept.id, mine.id, bot.id, closed.id, botOff.id];
    assert.deepEqual(only(await list('ana', { view: 'all' })), every);
    assert.deepEqual(only(await list('ana', { view: 'open' })), [noOne.id, dept.id, botOff.id]);
    assert.deepEqual(only(await list('ana', { view: 'mine' })), [mine.id]);
    assert.deepEqual(only(await list('ana', { view: 'service' })), [mine.id]);
    assert.deepEqual(only(await list('carla', { view: 'mine' })), []);
    assert.deepEqual(only(await list('carla', { view: 'service' })), [mine.id]);
    // "Setores isolados" off (the default): Todos and Em atendimento are the whole account's
    // for Davi (Suporte) too; Abertos is his departments' and those with none. Eva (Suporte,
    // "see all chats") has every department's in Abertos.
    assert.deepEqual(only(await list('davi', { view: 'all' })), every);
    assert.deepEqual(only(await list('davi', { view: 'open' })), [noOne.id, botOff.id]);
    assert.deepEqual(only(await list('davi', { view: 'service' })), [mine.id]);
    assert.deepEqual(only(await list('eva', { view: 'open' })), [noOne.id, dept.id, botOff.id]);
    assert.deepEqual(only(await list('eva', { view: 'service' })), [mine.id]);
    // And he may open it by its address.
    const seen = await kit.call('GET', `/api/conversations/${dept.id}`, { token: users.davi!.token });
    assert.equal(seen.status, 200);

    // "Setores isolados" on: Davi sees nothing of Vendas in any view, nor by its address;
    // Eva still does.
    await isolate(true);
    try {
      assert.deepEqual(only(await list('davi', { view: 'all' })), [noOne.id, bot.id, closed.id, botOff.id]);
      assert.deepEqual(only(await list('davi', { view: 'open' })), [noOne.id, botOff.id]);
      assert.deepEqual(only(await list('davi', { view: 'service' })), []);
      assert.deepEqual(only(await list('eva', { view: 'all' })), every);
      assert.deepEqual(only(await list('eva', { view: 'service' })), [mine.id]);
      assert.deepEqual(only(await list('ana', { view: 'all' })), every);
      const res = await kit.call('GET', `/api/conversations/${dept.id}`, { token: users.davi!.token });
      assert.equal(res.status, 404);
      const msgs = await kit.call('GET', `/api/conversations/${dept.id}/messages`, {
        token: users.davi!.token,
      });
      assert.equal(msgs.status, 404);
      const davis = await kit.call('GET', '/api/conversations/counts', { token: users.davi!.token });
      assert.equal(davis.body.service, 0, JSON.stringify(davis.body));
    } finally {
      await isolate(false);
    }

    const counts = await kit.call('GET', '/api/conversations/counts', { token: users.ana!.token });
    assert.equal(counts.status, 200);
    assert.ok(
      counts.body.open >= 2 && counts.body.mine === 1 && counts.body.service >= 1,
      JSON.stringify(counts.body),
    );
  });

  test('assignment: to an agent, replacing needs confirmation, to a department; each logged with who did it', async () => {
    const conv = await putConversation(kit, tenant, { departmentId: vendas });
    const toAna = await kit.call('POST', `/api/conversations/${conv.id}/assign`, {
      token: admin,
      body: { agentId: users.ana!.id },
    });
    assert.equal(toAna.status, 200, JSON.stringify(toAna.body));
    assert.equal(toAna.body.agentId, users.ana!.id);
    assert.equal(toAna.body.departmentId, undefined);
    assert.ok(ids(await list('ana', { view: 'mine' })).includes(conv.id));
    assert.ok(!ids(await list('ana', { view: 'open' })).includes(conv.id));

    const replace = await kit.call('POST', `/api/conversations/${conv.id}/assign`, {
      token: admin,
      body: { agentId: users.carla!.id },
    });
    assert.equal(replace.status, 409);
    assert.equal(replace.body.error.code, 'CONFIRM_REPLACE');
    const confirmed = await kit.call('POST', `/api/conversations/${conv.id}/assign`, {
      token: admin,
      body: { agentId: users.carla!.id, confirmReplace: true },
    });
    assert.equal(confirmed.body.agentId, users.carla!.id);
    assert.ok(!ids(await list('ana', { view: 'mine' })).includes(conv.id));

    const toSuporte = await kit.call('POST', `/api/conversations/${conv.id}/assign`, {
      token: admin,
      body: { departmentId: suporte },
    });
    assert.equal(toSuporte.body.departmentId, suporte);
    assert.equal(toSuporte.body.agentId, undefined);
    assert.ok(ids(await list('davi', { view: 'open' })).includes(conv.id));
    // Out of Carla's Abertos; in her Todos ("Setores isolados" off), not with it on.
    assert.ok(!ids(await list('carla', { view: 'open' })).includes(conv.id));
    assert.ok(ids(await list('carla', { view: 'all' })).includes(conv.id));
    await isolate(true);
    try {
      assert.ok(!ids(await list('carla', { view: 'all' })).includes(conv.id));
    } finally {
      await isolate(false);
    }

    const history = await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token: admin });
    const events = history.body.items
      .filter((m: { event?: unknown }) => m.event)
      .map((m: { event: unknown }) => m.event);
    assert.deepEqual(events, [
      { kind: 'agent', by: tenant.user.id, agentId: users.ana!.id },
      { kind: 'agent', by: tenant.user.id, agentId: users.carla!.id },
      { kind: 'department', by: tenant.user.id, departmentId: suporte },
    ]);
    assert.ok(
      history.body.items.every(
        (m: { direction: string; event?: unknown }) => !m.event || m.direction === 'internal',
      ),
    );
  });

  test('answering: an unassigned chat becomes the answerer’s; a department chat keeps its department; a second agent does not replace the first', async () => {
    const free = await putConversation(kit, tenant);
    const dept = await putConversation(kit, tenant, { departmentId: vendas });
    const send = (who: string, id: string) =>
      kit.call('POST', `/api/conversations/${id}/messages`, {
        token: users[who]!.token,
        body: { text: 'Olá!' },
      });

    assert.equal((await send('davi', free.id)).status, 202);
    assert.equal((await send('ana', dept.id)).status, 202);
    assert.equal((await send('carla', dept.id)).status, 202);

    const a = (await kit.call('GET', `/api/conversations/${free.id}`, { token: admin })).body;
    const b = (await kit.call('GET', `/api/conversations/${dept.id}`, { token: admin })).body;
    assert.equal(a.agentId, users.davi!.id);
    assert.equal(a.answered, true);
    assert.equal(b.agentId, users.ana!.id);
    assert.equal(b.departmentId, vendas);
    assert.ok(ids(await list('ana', { view: 'mine' })).includes(dept.id));
    assert.ok(!ids(await list('carla', { view: 'mine' })).includes(dept.id));

    // "Davi entrou na conversa" is logged before Davi's first reply, not after it.
    const thread = await kit.call('GET', `/api/conversations/${free.id}/messages`, { token: admin });
    const kinds = (thread.body.items as { type: string; text?: string; event?: { kind: string } }[]).map(
      (m) => (m.type === 'system' ? `log:${m.event?.kind}` : m.text),
    );
    assert.deepEqual(kinds, ['log:joined', 'Olá!']);
  });

  test('the Chatbot switch: off, a chat in a flow leaves it for Todos and Abertos; "Reativar automação" turns it back on', async () => {
    const conv = await putConversation(kit, tenant, { contactName: 'No Fluxo', routingStage: 'menu' });
    assert.ok(!ids(await list('ana', { view: 'open' })).includes(conv.id));
    assert.ok(ids(await list('ana', { view: 'all' })).includes(conv.id));
    const off = await kit.call('DELETE', `/api/conversations/${conv.id}/bot`, { token: users.ana!.token });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.routingStage, 'people');
    for (const who of ['ana', 'davi'])
      for (const view of ['all', 'open'])
        assert.ok(ids(await list(who, { view })).includes(conv.id), `${who} ${view}`);
    // Off already: unchanged.
    const again = await kit.call('DELETE', `/api/conversations/${conv.id}/bot`, { token: users.ana!.token });
    assert.equal(again.body.routingStage, 'people');
    // Back on: the number's routing takes the next customer message.
    const on = await kit.call('POST', `/api/conversations/${conv.id}/bot`, { token: users.ana!.token });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.routingStage, 'new');
    // A chat not yet routed is switched off too: people hold it, the next message is not routed.
    const off2 = await kit.call('DELETE', `/api/conversations/${conv.id}/bot`, { token: users.ana!.token });
    assert.equal(off2.body.routingStage, 'people');
    const closed = await putConversation(kit, tenant, { status: 'closed' });
    const refused = await kit.call('DELETE', `/api/conversations/${closed.id}/bot`, { token: admin });
    assert.equal(refused.status, 409);
  });

  test('"Setores isolados" is off by default (GET /api/settings); nothing of another account in any view, count or search, isolated or not', async () => {
    const settings = await kit.call('GET', '/api/settings', { token: admin });
    assert.equal(settings.status, 200);
    assert.equal(settings.body.isolatedDepartments, false);
    const before = await kit.call('GET', '/api/conversations/counts', { token: users.eva!.token });
    const other = await seedTenant(kit, { name: 'Loja B' });
    const theirs = await putConversation(kit, other, { contactName: 'Cliente Exclusivo Loja B' });
    for (const on of [false, true]) {
      await isolate(on);
      try {
        for (const who of ['admin', 'ana', 'davi', 'eva'])
          for (const view of ['all', 'open', 'mine', 'service']) {
            assert.ok(!ids(await list(who, { view })).includes(theirs.id), `${who} ${view}`);
            assert.deepEqual(ids(await list(who, { view, q: 'Exclusivo' })), [], `${who} ${view} search`);
          }
        const forbidden = await kit.call('GET', `/api/conversations/${theirs.id}`, { token: admin });
        assert.equal(forbidden.status, 404);
      } finally {
        await isolate(false);
      }
    }
    // B's open chat changed no count of A's.
    const after = await kit.call('GET', '/api/conversations/counts', { token: users.eva!.token });
    assert.deepEqual(after.body, before.body);
  });

  test('close now removes agent and department and ends the attendance; only All lists it', async () => {
    const conv = await putConversation(kit, tenant, {
      agentId: users.ana!.id,
      departmentId: vendas,
      attendanceId: kit.ids(),
      protocol: '202611220001',
    });
    const res = await kit.call('POST', `/api/conversations/${conv.id}/close`, { token: users.ana!.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'closed');
    assert.equal(res.body.agentId, undefined);
    assert.equal(res.body.departmentId, undefined);
    assert.ok(ids(await list('ana', { view: 'all' })).includes(conv.id));
    for (const view of ['open', 'mine', 'service'])
      assert.ok(!ids(await list('ana', { view })).includes(conv.id), view);
    const again = await kit.call('POST', `/api/conversations/${conv.id}/close`, { token: users.ana!.token });
    assert.equal(again.status, 409);
  });

  test('postpone: out of Open until then, with a warning past the 24 h window; a customer message is not needed to come back in the list at that time', async () => {
    const conv = await putConversation(kit, tenant, {
      attendanceId: kit.ids(),
      windowExpiresAt: kit.clock.now + 2 * HOUR,
    });
    const soon = await kit.call('POST', `/api/conversations/${conv.id}/postpone`, {
      token: users.ana!.token,
      body: { until: kit.clock.now + HOUR },
    });
    assert.equal(soon.status, 200, JSON.stringify(soon.body));
    assert.equal(soon.body.warnWindow, false);
    assert.ok(!ids(await list('ana', { view: 'open' })).includes(conv.id));
    assert.ok(ids(await list('ana', { view: 'all' })).includes(conv.id));

    const late = await kit.call('POST', `/api/conversations/${conv.id}/postpone`, {
      token: users.ana!.token,
      body: { until: kit.clock.now + 5 * HOUR },
    });
    assert.equal(late.body.warnWindow, true);
    const past = await kit.call('POST', `/api/conversations/${conv.id}/postpone`, {
      token: users.ana!.token,
      body: { until: kit.clock.now - 1 },
    });
    assert.equal(past.status, 400);
    assert.equal(past.body.error.code, 'INVALID_POSTPONE');
  });

  test('unread and answered marks; filters (unread, department, agent, tag) and sorts by opening', async () => {
    const a = await putConversation(kit, tenant, {
      contactName: 'Filtro Um',
      openedAt: T0 - 3 * HOUR,
      lastMessageAt: T0 - 1 * HOUR,
      departmentId: suporte,
    });
    const b = await putConversation(kit, tenant, {
      contactName: 'Filtro Dois',
      openedAt: T0 - 1 * HOUR,
      lastMessageAt: T0 - 2 * HOUR,
      departmentId: suporte,
      windowExpiresAt: kit.clock.now + 10 * 60_000,
    });
    const c = await putConversation(kit, tenant, {
      contactName: 'Filtro Tres',
      openedAt: T0 - 2 * HOUR,
      lastMessageAt: T0 - 3 * HOUR,
      departmentId: suporte,
      windowExpiresAt: kit.clock.now - 1,
    });
    const set = new Set([a.id, b.id, c.id]);
    const only = (items: Conversation[]) => ids(items).filter((id) => set.has(id));

    const unread = await kit.call('POST', `/api/conversations/${b.id}/unread`, { token: users.davi!.token });
    assert.equal(unread.body.markedUnread, true);
    assert.deepEqual(only(await list('davi', { view: 'open', unread: 'true' })), [b.id]);
    await kit.call('POST', `/api/conversations/${b.id}/read`, { token: users.davi!.token });
    assert.deepEqual(only(await list('davi', { view: 'open', unread: 'true' })), []);
    const answered = await kit.call('POST', `/api/conversations/${a.id}/answered`, {
      token: users.davi!.token,
      body: { answered: true },
    });
    assert.equal(answered.body.answered, true);

    assert.deepEqual(only(await list('eva', { departmentId: suporte })), [a.id, b.id, c.id]);
    assert.deepEqual(only(await list('eva', { departmentId: vendas })), []);
    assert.deepEqual(only(await list('eva', { tag: 'expiring' })), [b.id]);
    assert.deepEqual(only(await list('eva', { tag: 'expired' })), [c.id]);
    assert.deepEqual(only(await list('eva', { sort: 'oldest' })), [c.id, b.id, a.id]);
    assert.deepEqual(only(await list('eva', { sort: 'oldestOpening' })), [a.id, c.id, b.id]);
    assert.deepEqual(only(await list('eva', { sort: 'newestOpening' })), [b.id, c.id, a.id]);
    const fromAd = await putConversation(kit, tenant, {
      contactName: 'Do Anúncio',
      campaign: { id: 'ad-9', name: 'Natal' },
    });
    assert.deepEqual(ids(await list('eva', { campaignId: 'ad-9' })), [fromAd.id]);
    const agentFilter = await list('eva', { agentId: users.ana!.id });
    assert.ok(agentFilter.every((conv) => conv.agentId === users.ana!.id));
  });

  test('search by name (accents and case ignored), phone with or without the country code or by its last 4+ digits, protocol', async () => {
    const conv = await putConversation(kit, tenant, {
      contactName: 'Joana Conceição Brandão',
      contactPhone: '5531977776666',
      protocol: '20261122-000777',
      attendanceId: kit.ids(),
    });
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { keys } = await import('#shared/store/keys.ts');
    await kit.deps.ddb.send(
      new PutCommand({
        TableName: kit.deps.tableName,
        Item: {
          ...keys.attendance(tenant.accountId, conv.id, conv.attendanceId!),
          ...keys.conversationByProtocol(tenant.accountId, conv.protocol!),
          conversationId: conv.id,
        },
      }),
    );
    for (const q of [
      'conceicao',
      'JOANA bran',
      '31977776666',
      '5531977776666',
      // The phone's ending: the last 4+ digits, without country code or DDD, formatted or not.
      '97777-6666',
      '977776666',
      '77776666',
      '6666',
      '(31) 97777-6666',
      '20261122-000777',
      '20261122000777',
    ])
      assert.deepEqual(ids(await list('admin', { q })), [conv.id], q);
    assert.deepEqual(ids(await list('admin', { q: 'Joana Silva' })), []);
    // Digits in the middle of the phone are neither its beginning nor its ending.
    assert.deepEqual(ids(await list('admin', { q: '7777' })), []);
    // Visibility applies to search too: every user finds it ("Setores isolados" off); with
    // it on, not outside its department without the permission.
    const hidden = await putConversation(kit, tenant, { contactName: 'Oculto Vendas', departmentId: vendas });
    assert.deepEqual(ids(await list('davi', { q: 'oculto' })), [hidden.id]);
    assert.deepEqual(ids(await list('davi', { q: 'oculto', view: 'open' })), []);
    await isolate(true);
    try {
      assert.deepEqual(ids(await list('davi', { q: 'oculto' })), []);
      assert.deepEqual(ids(await list('eva', { q: 'oculto' })), [hidden.id]);
    } finally {
      await isolate(false);
    }
  });

  test('internal notes: by switch or /interna, never queued to WhatsApp, allowed with the window closed', async () => {
    const conv = await putConversation(kit, tenant, { windowExpiresAt: kit.clock.now - HOUR });
    await kit.receiveOutbound();
    const blocked = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token: admin,
      body: { text: 'oi' },
    });
    assert.equal(blocked.status, 409);
    const a = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token: admin,
      body: { text: 'cliente ligou', internal: true },
    });
    const b = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token: admin,
      body: { text: '/interna retornar amanhã' },
    });
    assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.equal(a.body.direction, 'internal');
    assert.equal(b.body.direction, 'internal');
    assert.equal(b.body.text, 'retornar amanhã');
    assert.deepEqual(await kit.receiveOutbound(), []);
  });

  test('search inside a conversation finds the message, accents ignored', async () => {
    const conv = await putConversation(kit, tenant);
    await putMessage(kit, conv, { text: 'Qual o prazo de entrega?' });
    const hit = await putMessage(kit, conv, { text: 'Meu pedido não chegou' });
    await putMessage(kit, conv, { text: 'Obrigado' });
    const res = await kit.call('GET', `/api/conversations/${conv.id}/search`, {
      token: admin,
      query: { q: 'nao CHEGOU' },
    });
    assert.deepEqual(
      res.body.items.map((m: { id: string }) => m.id),
      [hit.id],
    );
  });

  test('permissions: agents cannot change settings or the team; an admin can grant "settings"', async () => {
    const s = await kit.call('PATCH', '/api/settings', {
      token: users.ana!.token,
      body: { inactivityHours: 5 },
    });
    assert.equal(s.status, 403);
    const u = await kit.call('POST', '/api/users', {
      token: users.ana!.token,
      body: { name: 'X', email: 'x@example.com', password: '12345678', role: 'agent' },
    });
    assert.equal(u.status, 403);
    const grant = await kit.call('PATCH', `/api/users/${users.ana!.id}`, {
      token: admin,
      body: { permissions: ['settings'] },
    });
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    assert.equal(grant.body.passwordHash, undefined);
    // A permission change ends the user's sessions: the old token is refused, a new login carries the grant.
    const stale = await kit.call('GET', '/api/me', { token: users.ana!.token });
    assert.equal(stale.status, 401);
    const relogin = await kit.call('POST', '/api/auth/login', {
      body: { email: users.ana!.email, password: users.ana!.password },
    });
    assert.equal(relogin.status, 200);
    users.ana!.token = relogin.body.accessToken;
    const s2 = await kit.call('PATCH', '/api/settings', {
      token: users.ana!.token,
      body: { inactivityHours: 5 },
    });
    assert.equal(s2.status, 200);
    const me = await kit.call('GET', '/api/me', { token: users.ana!.token });
    assert.deepEqual(me.body.permissions, ['settings']);

    const created = await kit.call('POST', '/api/users', {
      token: admin,
      body: {
        name: 'Fábio',
        email: `fabio-${kit.ids()}@example.com`,
        password: '12345678',
        role: 'agent',
        departmentIds: [suporte],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const team = await kit.call('GET', '/api/users', { token: users.davi!.token });
    assert.ok(team.body.items.some((x: { name: string }) => x.name === 'Fábio'));
    assert.ok(team.body.items.every((x: { passwordHash?: string }) => x.passwordHash === undefined));
  });
  test('paging a view across buckets is exact: small pages chain to the same order as one big page', async () => {
    const own = await seedTenant(kit, { role: 'admin' });
    const token = (await loginAs(kit, own)).accessToken;
    const states: Partial<Conversation>[] = [
      {},
      { status: 'closed' },
      { routingStage: 'menu' },
      { agentId: own.user.id },
    ];
    for (let i = 0; i < 14; i++)
      await putConversation(kit, own, {
        ...states[i % states.length],
        lastMessageAt: T0 - ((i * 7) % 14) * HOUR,
        openedAt: T0 - ((i * 5) % 14) * HOUR - 30 * HOUR,
        unread: i % 3 === 0 ? 1 : 0,
      });
    const queries: Record<string, string>[] = [
      { sort: 'latest' },
      { sort: 'oldestOpening' },
      { sort: 'oldest', unread: 'true' },
    ];
    for (const query of queries) {
      const whole = await kit.call('GET', '/api/conversations', { token, query: { ...query, limit: '100' } });
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 30; guard++) {
        const page = await kit.call('GET', '/api/conversations', {
          token,
          query: { ...query, limit: '3', ...(cursor ? { cursor } : {}) },
        });
        paged.push(...page.body.items.map((c: Conversation) => c.id));
        cursor = page.body.nextCursor;
        if (!cursor) break;
      }
      assert.equal(whole.body.nextCursor, undefined);
      assert.deepEqual(paged, ids(whole.body.items), JSON.stringify(query));
      assert.equal(new Set(paged).size, paged.length);
    }
  });
});
