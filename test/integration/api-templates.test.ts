/**
 * Templates through the API against the Graph simulator (MSG-5, WIN-1, INB-12): create
 * (settings permission) → PENDING; sync now → Meta's state (approved after the review,
 * rejected with its reason); list by number and status; a template sent in a chat whose
 * window is closed (free text is refused there); a new chat with a typed phone, and the
 * "Conversa já existente" conflict.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { freePort } from '#infra/local/ports.ts';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import { createNumber } from '#shared/store/numbers.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import type { WhatsAppNumber } from '#shared/store/types.ts';
import { DEMO_TEMPLATES } from '#shared/store/demo/templates.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

const digits = () => String(100_000_000_000 + randomBytes(4).readUInt32BE(0));

describe('templates API', () => {
  let kit: ApiKit;
  let sim: Simulator;
  let a: SeededTenant;
  let admin: string;
  let agent: string;
  let number: WhatsAppNumber;
  const simToken = `sim-${randomBytes(4).toString('hex')}`;
  const waba = digits();
  const pnid = digits();

  beforeAll(async () => {
    kit = await createApiKit();
    sim = await startSimulator({
      port: await freePort(),
      webhookUrl: 'http://127.0.0.1:9/unused',
      appSecret: 'unused',
      accessToken: simToken,
      phoneNumbers: [{ phoneNumberId: pnid, displayPhone: '5511900000003', wabaId: waba, name: 'Loja' }],
      templates: DEMO_TEMPLATES.map((t) => ({ ...t, wabaId: waba })),
      templateReviewMs: 100,
    });
    kit.deps.whatsapp = {
      graph: createGraphClient({ baseUrl: sim.url, version: 'v23.0' }),
      defaultToken: async () => simToken,
    };
    a = await seedTenant(kit, { role: 'admin', name: 'Loja A' });
    number = await createNumber(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: a.accountId,
      name: 'Loja',
      phoneNumberId: pnid,
      wabaId: waba,
      displayPhone: '5511900000003',
      color: '#128C7E',
    });
    admin = (await loginAs(kit, a)).accessToken;
    const created = await kit.call('POST', '/api/users', {
      token: admin,
      body: {
        name: 'Beto',
        email: `beto-${digits()}@example.com`,
        password: 'senha-do-beto-123',
        role: 'agent',
      },
    });
    expect(created.status).toBe(201);
    agent = (
      await kit.call('POST', '/api/auth/login', {
        body: { email: created.body.email, password: 'senha-do-beto-123' },
      })
    ).body.accessToken;
  });
  afterAll(() => sim.stop());

  const body = {
    name: 'lembrete_retorno',
    language: 'pt_BR',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Olá {{1}}, podemos retomar?', example: { body_text: [['Ana']] } }],
  };

  test('sync now brings Meta’s templates; list filters by number and status', async () => {
    const res = await kit.call('POST', '/api/templates/sync', {
      token: agent,
      body: { numberId: number.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { name: string }) => t.name).sort()).toEqual(
      DEMO_TEMPLATES.map((t) => t.name).sort(),
    );
    const list = await kit.call('GET', '/api/templates', {
      token: agent,
      query: { numberId: number.id, status: 'APPROVED' },
    });
    const named = list.body.items.find((t: { name: string }) => t.name === 'pedido_enviado');
    expect(named).toMatchObject({ category: 'UTILITY', parameterFormat: 'NAMED', status: 'APPROVED' });
    expect(named.parameters.map((p: { key: string }) => p.key)).toEqual(['nome', 'pedido', '0']);
  });

  test('create: an agent without the settings permission is refused; an admin’s goes to Meta as PENDING, then sync shows APPROVED', async () => {
    expect(
      (await kit.call('POST', '/api/templates', { token: agent, body: { ...body, numberId: number.id } }))
        .status,
    ).toBe(403);
    const bad = await kit.call('POST', '/api/templates', {
      token: admin,
      body: { ...body, name: 'Nome Ruim', numberId: number.id },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'TEMPLATE_NAME_INVALID']);
    const res = await kit.call('POST', '/api/templates', {
      token: admin,
      body: { ...body, numberId: number.id },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'lembrete_retorno', status: 'PENDING', wabaId: waba });
    // Meta's duplicate refusal reaches the admin as Meta's words.
    const dup = await kit.call('POST', '/api/templates', {
      token: admin,
      body: { ...body, numberId: number.id },
    });
    expect([dup.status, dup.body.error.code]).toEqual([400, 'TEMPLATE_REFUSED_BY_META']);
    await new Promise((r) => setTimeout(r, 400));
    // Every number: the seeded one Meta does not know is listed as failed, the others sync.
    const all = await kit.call('POST', '/api/templates/sync', { token: admin, body: {} });
    expect(all.status).toBe(200);
    expect(all.body.failed.map((f: { numberId: string }) => f.numberId)).toEqual([a.number.id]);
    expect(all.body.items.find((t: { id: string }) => t.id === res.body.id)?.status).toBe('APPROVED');
    const synced = await kit.call('POST', '/api/templates/sync', {
      token: admin,
      body: { numberId: number.id },
    });
    expect(synced.body.items.find((t: { id: string }) => t.id === res.body.id)?.status).toBe('APPROVED');
  });

  test("a rejected template shows Meta's reason after a sync", async () => {
    const res = await kit.call('POST', '/api/templates', {
      token: admin,
      body: { ...body, name: 'oferta_especial', category: 'MARKETING', numberId: number.id },
    });
    await fetch(`${sim.url}/sim/templates/${res.body.id}/reject`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'INVALID_FORMAT' }),
    });
    await kit.call('POST', '/api/templates/sync', { token: admin, body: { numberId: number.id } });
    const list = await kit.call('GET', '/api/templates', { token: admin, query: { status: 'REJECTED' } });
    expect(list.body.items.map((t: { name: string; reason: string }) => [t.name, t.reason])).toEqual([
      ['oferta_especial', 'INVALID_FORMAT'],
    ]);
  });

  test('with the window closed free text is refused and a template goes, shown as its text', async () => {
    const conv = await putConversation(kit, a, {
      numberId: number.id,
      windowExpiresAt: kit.clock.now - 1000,
      lastCustomerMessageAt: kit.clock.now - 25 * 3600_000,
    });
    await kit.receiveOutbound();
    const text = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token: admin,
      body: { text: 'oi' },
    });
    expect([text.status, text.body.error.code]).toEqual([409, 'WINDOW_CLOSED']);
    const missing = await kit.call('POST', `/api/conversations/${conv.id}/template`, {
      token: admin,
      body: { templateId: '900000000000001' },
    });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'TEMPLATE_PARAMS_MISSING']);
    const sent = await kit.call('POST', `/api/conversations/${conv.id}/template`, {
      token: admin,
      body: { templateId: '900000000000001', values: { body: { '1': 'João' } } },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      type: 'template',
      status: 'pending',
      text: 'Olá João, aqui é da Loja Demo. Podemos continuar o seu atendimento por aqui?\n\n[Sim, vamos continuar]',
      template: {
        name: 'retomar_atendimento',
        send: {
          name: 'retomar_atendimento',
          language: { code: 'pt_BR' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'João' }] }],
        },
      },
    });
    expect(await kit.receiveOutbound()).toMatchObject([{ kind: 'send', messageId: sent.body.id }]);
  });

  test('a template to a closed conversation opens a new attendance, started by the business (WIN-1)', async () => {
    const conv = await putConversation(kit, a, {
      numberId: number.id,
      status: 'closed',
      protocol: '20261101-000001',
      windowExpiresAt: kit.clock.now - 3600_000,
    });
    const sent = await kit.call('POST', `/api/conversations/${conv.id}/template`, {
      token: admin,
      body: { templateId: '900000000000001', values: { body: { '1': 'João' } } },
    });
    expect(sent.status).toBe(202);
    const after = await getConversationById(kit.deps.ddb, kit.deps.tableName, a.accountId, conv.id);
    expect(after).toMatchObject({ status: 'open', startedBy: 'business', agentId: a.user.id });
    expect(after?.protocol).not.toBe('20261101-000001');
    expect(sent.body.attendanceId).toBe(after?.attendanceId);
  });

  test('new chat: typed phone, business-started; the same contact again is "Conversa já existente" with its id', async () => {
    const start = (over: Record<string, unknown> = {}) =>
      kit.call('POST', '/api/conversations/start', {
        token: admin,
        body: {
          numberId: number.id,
          phone: '(21) 98765-4321',
          name: 'Carla Nova',
          templateId: '900000000000003',
          values: { body: { '1': 'Carla' }, buttons: { '0': 'CARLA10' } },
          openAttendance: true,
          ...over,
        },
      });
    const res = await start();
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ type: 'template', status: 'pending' });
    const conv = await getConversationById(
      kit.deps.ddb,
      kit.deps.tableName,
      a.accountId,
      res.body.conversationId,
    );
    expect(conv).toMatchObject({
      status: 'open',
      startedBy: 'business',
      contactName: 'Carla Nova',
      contactPhone: '5521987654321',
      agentId: a.user.id,
    });
    const again = await start({ phone: '+55 21 8765-4321' });
    expect([again.status, again.body.error.code, again.body.error.message]).toEqual([
      409,
      'CONVERSATION_EXISTS',
      'Conversa já existente.',
    ]);
    expect(again.body.error.issues).toEqual([{ path: 'conversationId', message: res.body.conversationId }]);
    const bad = await start({ phone: 'tel 12345' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_PHONE']);
    const pending = await start({ phone: '+1 415 555 0100', templateId: '123456' });
    expect(pending.status).toBe(404);
    // A foreign number, without opening an attendance: created, then closed at once.
    const foreign = await start({ phone: '+1 (415) 555-0100', openAttendance: false });
    expect(foreign.status).toBe(201);
    const closed = await getConversationById(
      kit.deps.ddb,
      kit.deps.tableName,
      a.accountId,
      foreign.body.conversationId,
    );
    expect(closed).toMatchObject({ status: 'closed', contactPhone: '14155550100' });
  });
});
