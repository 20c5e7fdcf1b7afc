/**
 * RT-5 end to end (INB-12, WIN-1): an agent starts a chat from the API with a template
 * (POST /api/conversations/start), fn outbound sends it to the Graph simulator (which
 * checks the template is approved and its parameters), the customer answers from the
 * simulated phone, the signed webhook reaches the engine, and the reply is routed by the
 * number's active routing to its department — while a chat the customer starts on the
 * same number follows the default routing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { freePort } from '#infra/local/ports.ts';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import { verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook } from '#shared/whatsapp/split.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { outboundJob } from '#shared/contracts/outbound-queue.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { createNumber } from '#shared/store/numbers.ts';
import { findContactByPhone } from '#shared/store/contacts.ts';
import { findConversation, getConversationById } from '#shared/store/conversations.ts';
import type { Conversation, WhatsAppNumber } from '#shared/store/types.ts';
import { DEMO_TEMPLATES } from '#shared/store/demo/templates.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

const digits = () => String(100_000_000_000 + randomBytes(4).readUInt32BE(0));

describe('a business-started chat routes the reply by active routing (RT-5)', () => {
  let kit: ApiKit;
  let sim: Simulator;
  let webhook: Server;
  let a: SeededTenant;
  let admin: string;
  let number: WhatsAppNumber;
  let engine: EngineDeps;
  let departmentId: string;
  const appSecret = `secret-${randomBytes(4).toString('hex')}`;
  const simToken = `sim-${randomBytes(4).toString('hex')}`;
  const pnid = digits();
  const waba = digits();
  const ids = monotonicFactory();

  beforeAll(async () => {
    kit = await createApiKit();
    kit.clock.now = Date.now();
    const port = await freePort();
    // fn webhook + the inbound queue, reduced to what the engine sees: verified, split items.
    webhook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (!verifySignature(raw, req.headers['x-hub-signature-256'] as string | undefined, appSecret)) {
          res.writeHead(401).end();
          return;
        }
        void (async () => {
          for (const { item } of splitWebhook(raw.toString('utf8'), Date.now()))
            await processInboundItem(item, engine).catch(() => {});
          res.writeHead(200).end();
        })();
      });
    });
    await new Promise<void>((r) => webhook.listen(port, '127.0.0.1', () => r()));
    sim = await startSimulator({
      port: await freePort(),
      webhookUrl: `http://127.0.0.1:${port}/`,
      appSecret,
      accessToken: simToken,
      phoneNumbers: [{ phoneNumberId: pnid, displayPhone: '5511900000004', wabaId: waba, name: 'Loja' }],
      templates: DEMO_TEMPLATES.map((t) => ({ ...t, wabaId: waba })),
    });
    const graph = createGraphClient({ baseUrl: sim.url, version: 'v23.0' });
    kit.deps.whatsapp = { graph, defaultToken: async () => simToken };
    engine = {
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      s3: kit.deps.s3,
      mediaBucket: kit.deps.mediaBucket,
      graph,
      defaultToken: async () => simToken,
      accountSecrets: kit.deps.accountSecrets,
      newId: () => ids(),
      now: () => Date.now(),
      log: () => {},
    } as EngineDeps;
    a = await seedTenant(kit, { role: 'admin', name: 'Loja A' });
    admin = (await loginAs(kit, a)).accessToken;
    number = await createNumber(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: a.accountId,
      name: 'Loja',
      phoneNumberId: pnid,
      wabaId: waba,
      displayPhone: '5511900000004',
      color: '#128C7E',
    });
    const dept = await kit.call('POST', '/api/departments', { token: admin, body: { name: 'Cobrança' } });
    expect(dept.status).toBe(201);
    departmentId = dept.body.id;
    const patched = await kit.call('PATCH', `/api/numbers/${number.id}`, {
      token: admin,
      body: { activeRouting: { enabled: true, departmentId } },
    });
    expect(patched.status).toBe(200);
    expect(
      (await kit.call('POST', '/api/templates/sync', { token: admin, body: { numberId: number.id } })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await sim.stop();
    webhook.closeAllConnections();
    await new Promise<void>((r) => webhook.close(() => r()));
  });

  const eventually = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await read();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never happened: ${what}`);
  };
  const customerSays = (from: string, text: string) =>
    fetch(`${sim.url}/sim/customer/send`, {
      method: 'POST',
      body: JSON.stringify({ phoneNumberId: pnid, from, name: 'Cliente', text }),
    });

  test('start → the template reaches the phone → the reply goes to the active-routing department', async () => {
    const started = await kit.call('POST', '/api/conversations/start', {
      token: admin,
      body: {
        numberId: number.id,
        phone: '11 97777-6666',
        name: 'Dona Rosa',
        templateId: '900000000000001',
        values: { body: { '1': 'Rosa' } },
        openAttendance: true,
      },
    });
    expect(started.status).toBe(201);
    // fn outbound sends what the API queued.
    for (const job of await kit.receiveOutbound()) await processOutboundJob(outboundJob.parse(job), engine);
    const onPhone = sim.outbox('5511977776666');
    expect(onPhone.map((m) => [m.type, (m.payload.template as { name: string }).name])).toEqual([
      ['template', 'retomar_atendimento'],
    ]);
    const before = await getConversationById(
      kit.deps.ddb,
      kit.deps.tableName,
      a.accountId,
      started.body.conversationId,
    );
    expect(before).toMatchObject({ startedBy: 'business', routingStage: 'new', status: 'open' });
    expect(before?.agentId).toBeUndefined();

    await customerSays('5511977776666', 'Sim, pode falar');
    const routed = await eventually<Conversation>(async () => {
      const c = await getConversationById(
        kit.deps.ddb,
        kit.deps.tableName,
        a.accountId,
        started.body.conversationId,
      );
      return c?.departmentId ? c : undefined;
    }, 'the reply routed');
    expect(routed).toMatchObject({ departmentId, routingStage: 'people', startedBy: 'business' });
    expect(routed.windowExpiresAt).toBeGreaterThan(Date.now());
  });

  test('a chat the customer starts on the same number is not routed by active routing', async () => {
    await customerSays('5511955554444', 'Oi, quero comprar');
    const conv = await eventually<Conversation>(async () => {
      const contact = await findContactByPhone(
        kit.deps.ddb,
        kit.deps.tableName,
        a.accountId,
        '5511955554444',
      );
      const c =
        contact &&
        (await findConversation(kit.deps.ddb, kit.deps.tableName, a.accountId, number.id, contact.id));
      return c?.routingStage && c.routingStage !== 'new' ? c : undefined;
    }, 'customer chat routed');
    expect(conv.startedBy).toBe('customer');
    expect(conv.departmentId).toBeUndefined();
  });
});
