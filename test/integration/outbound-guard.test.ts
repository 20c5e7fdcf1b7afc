/**
 * Issue 12, findings 2, 3 and 5, performed as an attacker would: server-side fetches of
 * URLs that a tenant, a customer or Meta supplied never reach this machine's services.
 * A "secrets stand-in" records every request (and its Authorization header) and must see
 * none. Save time answers 400 URL_NOT_ALLOWED through the real API; call time refuses in
 * the assistant's HTTP tool, the LLM base URL, embeddings, web push and media downloads.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import webpush from 'web-push';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import { accountEmbedder } from '#shared/assistant/embeddings.ts';
import { runTool } from '#shared/assistant/tools.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import { notifyCustomerMessage, saveSubscription } from '#shared/push/web-push.ts';
import { putAiSettings } from '#shared/store/ai.ts';
import { assistantSchema, type Conversation } from '#shared/store/types.ts';
import { createGraphClient, GraphApiError } from '#shared/whatsapp/graph-client.ts';
import { inboundMessage } from '#shared/whatsapp/webhook-schema.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';
import { startScriptedLlm, type ScriptedLlm } from './llm-server.ts';

/** What the secrets stand-in saw: `METHOD path authorization`. */
const saw: string[] = [];
let secrets: Server;
let secretsUrl: string;
let secretsPort: string;
/** An origin the operator allowed; it redirects wherever `?u=` says, and plays Graph for media. */
let hop: Server;
let hopUrl: string;
let hopMediaUrl = '';

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  secrets = createServer((req, res) => {
    saw.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jwtSigningKey: 'SEGREDO', url: 'x', mime_type: 'image/png' }));
  });
  secretsUrl = await listen(secrets);
  secretsPort = new URL(secretsUrl).port;
  hop = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname.startsWith('/to')) {
      res.writeHead(302, { location: u.searchParams.get('u')! }).end();
      return;
    }
    if (u.pathname === '/v23.0/555') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: hopMediaUrl, mime_type: 'image/png', id: '555' }));
      return;
    }
    if (u.pathname === '/media/555') {
      res.writeHead(200, { 'content-type': 'image/png' }).end('PNG');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  hopUrl = await listen(hop);
});
afterAll(() => {
  for (const s of [secrets, hop]) {
    s.closeAllConnections();
    s.close();
  }
});

/** The addresses an attacker tries, with the secrets stand-in's port where one fits. */
const attacks = () => [
  `${secretsUrl}/secrets/auth`,
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'https://10.0.0.1/',
  `https://localhost:${secretsPort}/`,
  'https://0.0.0.0/',
  `https://2130706433:${secretsPort}/`,
  `https://[::ffff:127.0.0.1]:${secretsPort}/`,
  `https://0x7f.1:${secretsPort}/`,
  'https://[fd00:ec2::254]/',
];

describe('finding 2: media ids and media URLs never carry the token elsewhere', () => {
  const token = 'EAAG-token-of-the-number';
  const graph = () =>
    createGraphClient({ baseUrl: hopUrl, version: 'v23.0', mediaHosts: [new URL(hopUrl).origin] });

  test('a media id that is a URL is refused before any request; the webhook does not parse it', async () => {
    saw.length = 0;
    for (const id of [`${secretsUrl}/steal`, 'https://evil.example/x', '../../me', '123?x=1']) {
      await assert.rejects(graph().getMediaUrl(id, token), (e: GraphApiError) => !e.retryable, id);
      const parsed = inboundMessage.safeParse({
        from: '5511999990000',
        id: 'wamid.x',
        timestamp: '1',
        type: 'image',
        image: { id, mime_type: 'image/png' },
      });
      assert.equal(parsed.success, false, id);
    }
    assert.deepEqual(saw, [], 'the secrets stand-in saw no request, so no token');
    assert.equal(
      inboundMessage.safeParse({
        from: '5511999990000',
        id: 'wamid.y',
        timestamp: '1',
        type: 'image',
        image: { id: '1234567890', mime_type: 'image/png' },
      }).success,
      true,
    );
  });

  test('a download URL Graph returns on a host not allowed is refused; on the allowed one it works', async () => {
    saw.length = 0;
    for (const url of [
      `${secretsUrl}/media/555`,
      'https://evil.example/media',
      'https://169.254.169.254/',
      'http://lookaside.fbsbx.com/x',
    ]) {
      hopMediaUrl = url;
      const info = await graph().getMediaUrl('555', token);
      await assert.rejects(graph().downloadMedia(info.url, token), (e: GraphApiError) => !e.retryable, url);
    }
    // Allowed host, but a redirect to the stand-in: refused too.
    await assert.rejects(
      graph().downloadMedia(`${hopUrl}/to?u=${encodeURIComponent(`${secretsUrl}/x`)}`, token),
      GraphApiError,
    );
    assert.deepEqual(saw, []);
    hopMediaUrl = `${hopUrl}/media/555`;
    const ok = await graph().downloadMedia((await graph().getMediaUrl('555', token)).url, token);
    assert.equal(ok.bytes.toString(), 'PNG');
    // Meta's own CDN by default (host rules need https).
    const meta = createGraphClient({ baseUrl: hopUrl, version: 'v23.0' });
    await assert.rejects(meta.downloadMedia(`${hopUrl}/media/555`, token), GraphApiError);
  });

  describe('through the engine', () => {
    let kit: EngineKit;
    beforeAll(async () => {
      kit = await engineKit();
    });
    afterAll(() => kit.stop());

    test("a customer's image whose id is a URL is marked failed with its reason, and nothing is fetched", async () => {
      saw.length = 0;
      const from = '5521911112222';
      const item: InboundQueueItem = {
        kind: 'message',
        phoneNumberId: kit.number.phoneNumberId,
        contact: { waId: from, name: 'Eva' },
        message: {
          from,
          id: 'wamid.evil-media',
          timestamp: String(Math.floor(kit.clock.now / 1000)),
          type: 'image',
          image: { id: `${secretsUrl}/steal`, mime_type: 'image/png' },
        },
        receivedAt: kit.clock.now,
      };
      await processInboundItem(item, kit.deps);
      const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
      const [m] = await kit.messages(conv.id);
      assert.equal(m!.media?.status, 'failed');
      assert.match(m!.media?.error ?? '', /mídia inválido/);
      assert.deepEqual(saw, []);
    });
  });
});

describe('findings 3 and 5 through the real API (save time)', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let admin: string;
  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    admin = (await loginAs(kit, tenant)).accessToken;
  });

  test('the AI base URL: internal addresses answer 400 URL_NOT_ALLOWED in Portuguese', async () => {
    for (const baseUrl of attacks()) {
      const res = await kit.call('PATCH', '/api/ai/settings', { token: admin, body: { baseUrl } });
      assert.equal(res.status, 400, baseUrl);
      assert.equal(res.body.error.code, 'URL_NOT_ALLOWED', baseUrl);
      assert.match(res.body.error.message, /URL não permitida/);
    }
    const settings = await kit.call('GET', '/api/ai/settings', { token: admin });
    assert.equal(settings.body.baseUrl, undefined, 'nothing was saved');
    const ok = await kit.call('PATCH', '/api/ai/settings', {
      token: admin,
      body: { baseUrl: 'https://llm.provedor.example/v1' },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test("an assistant's HTTP endpoint on an internal address: 400 URL_NOT_ALLOWED, created or changed", async () => {
    const tool = (url: string) => ({
      name: 'consulta',
      description: 'Consulta',
      method: 'GET',
      url,
      parameters: { type: 'object', properties: {} },
      timeoutMs: 2000,
    });
    for (const url of attacks()) {
      const res = await kit.call('POST', '/api/assistants', {
        token: admin,
        body: { name: 'Lia', tools: ['http_request'], httpTools: [tool(url)] },
      });
      assert.equal(res.status, 400, url);
      assert.equal(res.body.error.code, 'URL_NOT_ALLOWED', `${url} ${JSON.stringify(res.body)}`);
    }
    const created = await kit.call('POST', '/api/assistants', {
      token: admin,
      body: { name: 'Lia', tools: ['http_request'], httpTools: [tool('https://api.loja.example/pedidos')] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const patched = await kit.call('PATCH', `/api/assistants/${created.body.id}`, {
      token: admin,
      body: { httpTools: [tool(`${secretsUrl}/secrets/auth`)] },
    });
    assert.equal(patched.status, 400);
    assert.equal(patched.body.error.code, 'URL_NOT_ALLOWED');
  });

  test('a push subscription on an internal address is refused', async () => {
    const keys = { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) };
    for (const endpoint of [`${secretsUrl}/push`, `http://localhost:${secretsPort}/push`, ...attacks()]) {
      const res = await kit.call('POST', '/api/push/subscriptions', {
        token: admin,
        body: { endpoint, keys },
      });
      assert.equal(res.status, 400, endpoint);
    }
    const ok = await kit.call('POST', '/api/push/subscriptions', {
      token: admin,
      body: { endpoint: 'https://push.servico.example/abc', keys },
    });
    assert.equal(ok.status, 204);
  });

  test('call time: an LLM base URL and an HTTP tool saved before the rule are refused when used', async () => {
    saw.length = 0;
    const accountId = tenant.accountId;
    // Written straight to the table, as a row from before the rule would be.
    await putAiSettings(kit.deps.ddb, kit.deps.tableName, {
      accountId,
      baseUrl: `${secretsUrl}/v1`,
      embeddingModel: 'text-embedding-3-small',
    });
    const embed = accountEmbedder({ ddb: kit.deps.ddb, tableName: kit.deps.tableName });
    await assert.rejects(embed(accountId, ['olá']));
    const a = await kit.call('POST', '/api/assistants', { token: admin, body: { name: 'Bia' } });
    const port = createAiPort({
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => kit.clock.now,
      searchKnowledge: async () => [],
      backoffMs: [1],
    });
    const answer = await port.answer({
      conversation: { id: kit.ids(), accountId, contactName: 'Eva', contactPhone: '5511' } as Conversation,
      assistantId: a.body.id,
      pending: [],
    });
    assert.equal(answer.kind, 'handover');
    assert.match(answer.kind === 'handover' ? answer.note : '', /URL não permitida/);
    assert.deepEqual(saw, [], 'neither the model nor the embeddings call reached the stand-in');
  });
});

describe('the HTTP tool at call time', () => {
  let llm: ScriptedLlm;
  let kit: ApiKit;
  beforeAll(async () => {
    llm = await startScriptedLlm();
    kit = await createApiKit();
  });
  afterAll(() => llm.stop());

  const ctx = (url: string, outbound = outboundPolicy([hopUrl])) => ({
    assistant: assistantSchema.parse({
      id: 'a1',
      accountId: 'acc',
      name: 'Lia',
      tools: ['http_request'],
      httpTools: [{ name: 'consulta', description: 'Consulta', method: 'GET', url, timeoutMs: 2000 }],
    }),
    conversation: {} as Conversation,
    departments: [],
    timeZone: 'America/Sao_Paulo',
    now: 0,
    callKey: 'k',
    searchKnowledge: async () => [],
    setVariable: async () => {},
    bookAppointment: async () => {},
    outbound,
  });

  test('an internal address, or a redirect to one from an allowed host, is refused and never reached', async () => {
    saw.length = 0;
    for (const url of attacks()) {
      const out = await runTool('consulta', '{}', ctx(url));
      assert.equal('error' in out && out.error, true, url);
      assert.match(out.result, /^Endereço recusado: URL não permitida/, url);
    }
    for (const next of [
      `${secretsUrl}/secrets/auth`,
      'https://169.254.169.254/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      const out = await runTool('consulta', '{}', ctx(`${hopUrl}/to?u=${encodeURIComponent(next)}`));
      assert.match(out.result, /^Endereço recusado/, next);
    }
    assert.deepEqual(saw, []);
    // The operator's allowed origin answers.
    const ok = await runTool('consulta', '{}', ctx(`${hopUrl}/pedido`));
    assert.equal(ok.result, '{"ok":true}');
  });

  test('through the assistant: the model calls the tool, the call record says refused', async () => {
    saw.length = 0;
    const accountId = kit.ids();
    await putAiSettings(kit.deps.ddb, kit.deps.tableName, { accountId, baseUrl: llm.baseUrl });
    const { putAssistant } = await import('#shared/store/catalog.ts');
    const a = await putAssistant(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId,
      name: 'Lia',
      tools: ['http_request'],
      httpTools: [
        {
          name: 'segredo',
          description: 'Lê o segredo',
          method: 'GET',
          url: `${secretsUrl}/secrets/auth`,
          headers: {},
          parameters: { type: 'object', properties: {} },
          timeoutMs: 2000,
        },
      ],
    });
    llm.script.push({ toolCalls: [['segredo', {}]] }, { content: 'Não consegui.' });
    const port = createAiPort({
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => kit.clock.now,
      searchKnowledge: async () => [],
      backoffMs: [1],
      // The operator allows the scripted model, not the stand-in.
      outbound: outboundPolicy([llm.baseUrl]),
    });
    const answer = await port.answer({
      conversation: { id: kit.ids(), accountId, contactName: 'Eva', contactPhone: '5511' } as Conversation,
      assistantId: a.id,
      pending: [],
    });
    assert.equal(answer.kind, 'reply');
    assert.match(answer.trace?.[0]?.result ?? '', /^Endereço recusado/);
    assert.deepEqual(saw, []);
  });
});

describe('finding 5: the push sender never posts to an internal endpoint', () => {
  test('a subscription stored before the rule is skipped at send time', async () => {
    const kit = await engineKit();
    try {
      saw.length = 0;
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const keys = {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      };
      const accountId = kit.number.accountId;
      // Saved while the operator allowed the stand-in's origin (as a row from before the rule).
      await saveSubscription({ ...kit.deps, outbound: outboundPolicy([secretsUrl]) }, accountId, 'u1', {
        endpoint: `${secretsUrl}/push/u1`,
        keys,
      });
      const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:teste@atende.local' };
      const sent = await notifyCustomerMessage(
        { accountId, id: 'c1', contactName: 'Eva', status: 'open', agentId: 'u1' } as Conversation,
        { text: 'oi', type: 'text' },
        ['u1'],
        {
          ddb: kit.deps.ddb,
          tableName: kit.deps.tableName,
          now: () => kit.clock.now,
          vapid: async () => vapid,
        },
      );
      assert.equal(sent, 0);
      assert.deepEqual(saw, []);
      await assert.rejects(
        saveSubscription(kit.deps, accountId, 'u1', { endpoint: `${secretsUrl}/push/u2`, keys }),
        (e: Error & { code?: string }) => e.code === 'URL_NOT_ALLOWED',
      );
    } finally {
      await kit.stop();
    }
  });
});
