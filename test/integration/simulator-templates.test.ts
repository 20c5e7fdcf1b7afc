/**
 * The Graph simulator's templates (MSG-5): GET/POST /{waba-id}/message_templates (paging,
 * Meta's create checks), the review delay ending in a signed WABA-level status webhook
 * (APPROVED; REJECTED for `rejeitar_…` names or POST /sim/templates/{id}/reject), and the
 * send checks of a template message (132001 not approved or unknown, 132000 parameters).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { freePort } from '#infra/local/ports.ts';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { verifySignature } from '#shared/whatsapp/signature.ts';
import { DEMO_TEMPLATES } from '#shared/store/demo/templates.ts';

const token = `tok-${randomBytes(4).toString('hex')}`;
const appSecret = `secret-${randomBytes(4).toString('hex')}`;
const waba = '300000000000001';
const pnid = '310000000000001';
type Hook = {
  signed: boolean;
  body: { entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[] };
};

describe('simulator: message templates', () => {
  let sim: Simulator;
  let hookServer: Server;
  const hooks: Hook[] = [];
  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.url}/v23.0/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  const create = (name: string, over: Record<string, unknown> = {}) =>
    graph(`${waba}/message_templates`, {
      method: 'POST',
      body: JSON.stringify({
        name,
        language: 'pt_BR',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Olá {{1}}, tudo certo?', example: { body_text: [['Ana']] } }],
        ...over,
      }),
    });
  const statusHook = async (id: string, event?: string) => {
    for (let i = 0; i < 100; i++) {
      const h = hooks.find(
        (x) =>
          String(x.body.entry[0]!.changes[0]!.value.message_template_id) === id &&
          (!event || x.body.entry[0]!.changes[0]!.value.event === event),
      );
      if (h) return h;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no status webhook for ${id}`);
  };
  const send = (template: Record<string, unknown>) =>
    graph(`${pnid}/messages`, {
      method: 'POST',
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '5511988887777',
        type: 'template',
        template,
      }),
    });

  beforeAll(async () => {
    const port = await freePort();
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        hooks.push({
          signed: verifySignature(raw, String(req.headers['x-hub-signature-256']), appSecret),
          body: JSON.parse(raw.toString('utf8')) as Hook['body'],
        });
        res.end('OK');
      });
    });
    await new Promise<void>((r) => hookServer.listen(port, '127.0.0.1', () => r()));
    sim = await startSimulator({
      port: await freePort(),
      webhookUrl: `http://127.0.0.1:${port}/`,
      appSecret,
      accessToken: token,
      phoneNumbers: [{ phoneNumberId: pnid, displayPhone: '5511900000009', wabaId: waba, name: 'T' }],
      templates: DEMO_TEMPLATES,
      templateReviewMs: 150,
    });
  });
  afterAll(async () => {
    await sim.stop();
    await new Promise<void>((r) => hookServer.close(() => r()));
  });

  test('a created template is PENDING, then APPROVED after the review delay by a signed WABA-level webhook', async () => {
    const res = await create('lembrete_visita');
    expect(res.status).toBe(200);
    const { id, status } = (await res.json()) as { id: string; status: string };
    expect(status).toBe('PENDING');
    const hook = await statusHook(id);
    expect(hook.signed).toBe(true);
    expect(hook.body.entry[0]!.id).toBe(waba);
    expect(hook.body.entry[0]!.changes[0]!.field).toBe('message_template_status_update');
    expect(hook.body.entry[0]!.changes[0]!.value).toMatchObject({
      event: 'APPROVED',
      message_template_name: 'lembrete_visita',
      message_template_language: 'pt_BR',
      reason: 'NONE',
    });
    expect(sim.templates().find((t) => t.id === id)?.status).toBe('APPROVED');
  });

  test('rejection: by the rejeitar_ name convention, and on demand with a reason', async () => {
    const byName = (await (await create('rejeitar_este')).json()) as { id: string };
    expect((await statusHook(byName.id)).body.entry[0]!.changes[0]!.value).toMatchObject({
      event: 'REJECTED',
      reason: 'INVALID_FORMAT',
    });
    const pending = (await (await create('outro_modelo')).json()) as { id: string };
    const r = await fetch(`${sim.url}/sim/templates/${pending.id}/reject`, {
      method: 'POST',
      body: JSON.stringify({
        reason: 'TAG_CONTENT_MISMATCH',
        detail: 'Conteúdo de marketing em modelo de utilidade.',
      }),
    });
    expect(r.status).toBe(200);
    const hook = await statusHook(pending.id, 'REJECTED');
    expect(hook.body.entry[0]!.changes[0]!.value).toMatchObject({
      event: 'REJECTED',
      reason: 'TAG_CONTENT_MISMATCH',
      rejection_info: { reason: 'Conteúdo de marketing em modelo de utilidade.' },
    });
    // The review timer was cancelled: no later APPROVED for it.
    await new Promise((r2) => setTimeout(r2, 300));
    expect(sim.templates().find((t) => t.id === pending.id)?.status).toBe('REJECTED');
  });

  test("Meta's create checks and duplicates; unknown WABA", async () => {
    const bad = await create('Nome Ruim');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(100);
    expect((await create('lembrete_visita')).status).toBe(400);
    const unknown = await graph('399999999999999/message_templates');
    expect(unknown.status).toBe(400);
  });

  test('GET pages with limit and after', async () => {
    const first = (await (await graph(`${waba}/message_templates?limit=2`)).json()) as {
      data: { name: string }[];
      paging: { cursors: { after: string }; next?: string };
    };
    expect(first.data).toHaveLength(2);
    expect(first.paging.next).toBeDefined();
    const names = [...first.data.map((t) => t.name)];
    let after: string | undefined = first.paging.cursors.after;
    for (let i = 0; after && i < 10; i++) {
      const page = (await (
        await graph(`${waba}/message_templates?limit=2&after=${after}`)
      ).json()) as typeof first;
      names.push(...page.data.map((t) => t.name));
      after = page.paging.next ? page.paging.cursors.after : undefined;
    }
    expect(names.slice(0, 3)).toEqual(DEMO_TEMPLATES.map((t) => t.name));
    expect(new Set(names).size).toBe(sim.templates().length);
  });

  test('sending a template: unknown or not approved is 132001, a parameter count mismatch 132000', async () => {
    const err = async (r: Response) => ((await r.json()) as { error: { code: number } }).error.code;
    expect(await err(await send({ name: 'nao_existe', language: { code: 'pt_BR' } }))).toBe(132001);
    expect(await err(await send({ name: 'rejeitar_este', language: { code: 'pt_BR' } }))).toBe(132001);
    expect(await err(await send({ name: 'retomar_atendimento', language: { code: 'en_US' } }))).toBe(132001);
    expect(await err(await send({ name: 'retomar_atendimento', language: { code: 'pt_BR' } }))).toBe(132000);
    const ok = await send({
      name: 'retomar_atendimento',
      language: { code: 'pt_BR' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
    });
    expect(ok.status).toBe(200);
    // The phone shows the template's text with the values sent.
    expect(sim.outbox('5511988887777').at(-1)?.shown).toBe(
      'Olá Ana, aqui é da Loja Demo. Podemos continuar o seu atendimento por aqui?\n\n[Sim, vamos continuar]',
    );
  });
});
