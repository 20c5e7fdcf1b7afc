/**
 * Issue 12, finding 4: every socket of an account received every department's messages.
 * Through the real WebSocket function behind the local gateway and the real API: each
 * socket gets what its user may see over REST, and nothing of the rest — every chat of the
 * account with "Setores isolados" off (the default, issue 15), only their departments'
 * and those without one with it on; never anything of another account.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Context } from 'aws-lambda';
import { WebSocket } from 'ws';
import { buildWsHandler } from '#functions/ws/build.ts';
import { freePort } from '#infra/local/ports.ts';
import { startWsGateway, type WsGateway } from '#infra/local/ws-gateway.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { disconnectUser, forgetConnections, publicMessage, pushToAccount } from '#shared/push/push.ts';
import { keys } from '#shared/store/keys.ts';
import { listConnections } from '#shared/store/connections.ts';
import type { Conversation, KbDocument } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  putMessage,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';
import { wsClient } from './engine-kit.ts';

type Frame = Record<string, unknown>;

/** A socket that keeps every event it receives (batches unwrapped). */
interface Socket {
  ws: WebSocket;
  events: Frame[];
  /** Resolves once an event satisfying `p` has arrived (at once if it already has). */
  until(p: (e: Frame) => boolean): Promise<void>;
}

let kit: ApiKit;
let gateway: WsGateway;
let tenant: SeededTenant;
let other: SeededTenant;
let adminToken: string;
const password = 'senha-forte-do-teste-123';
const ids = { suporte: '', vendas: '', suporteAgent: '', vendasAgent: '' };
const tokens = { suporte: '', vendas: '', other: '' };
const sockets: Record<'admin' | 'suporte' | 'vendas' | 'other', Socket> = {} as never;

function open(token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${gateway.url}?token=${encodeURIComponent(token)}`);
    const events: Frame[] = [];
    const waiters: { p: (e: Frame) => boolean; done: () => void }[] = [];
    ws.on('message', (d) => {
      const frame = JSON.parse(d.toString()) as Frame & { events?: Frame[] };
      for (const e of frame.type === 'batch' ? frame.events! : [frame]) {
        events.push(e);
        for (const w of [...waiters])
          if (w.p(e)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done();
          }
      }
    });
    ws.once('open', () =>
      resolve({
        ws,
        events,
        until: (p) =>
          events.some(p) ? Promise.resolve() : new Promise<void>((done) => waiters.push({ p, done })),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
    ws.once('error', reject);
  });
}

let marks = 0;
/**
 * Everything pushed so far has reached every socket: a knowledge event (which every user
 * receives) is pushed to both accounts after it, and each socket waits for it. Posts to a
 * connection arrive in order, so whatever a socket has not got by then, it never gets.
 */
async function flush(): Promise<void> {
  const mark = `mark-${++marks}`;
  const event = {
    type: 'knowledge.updated' as const,
    knowledgeBaseId: mark,
    document: { id: mark } as KbDocument,
  };
  await pushToAccount(tenant.accountId, [event], kit.deps);
  await pushToAccount(other.accountId, [event], kit.deps);
  await Promise.all(Object.values(sockets).map((s) => s.until((e) => e.knowledgeBaseId === mark)));
}

/** What a socket received about a conversation since event number `from`. */
const about = (s: Socket, conversationId: string, from = 0) =>
  s.events
    .slice(from)
    .filter((e) => e.conversationId === conversationId || JSON.stringify(e).includes(conversationId));

const texts = (s: Socket, from = 0) =>
  s.events
    .slice(from)
    .map((e) => (e.message as { text?: string } | undefined)?.text)
    .filter(Boolean);

async function login(email: string): Promise<string> {
  const res = await kit.call('POST', '/api/auth/login', { body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.accessToken as string;
}

beforeAll(async () => {
  kit = await createApiKit();
  // Connection items expire 2 h after the (kit's) connect time; push reads them at the real time.
  kit.clock.now = Date.now();
  const port = await freePort();
  const handler = buildWsHandler(() => ({
    ddb: kit.deps.ddb,
    tableName: kit.deps.tableName,
    getJwtKey: kit.deps.getJwtKey,
    now: kit.deps.now,
  }));
  gateway = await startWsGateway({ port, handler: () => (event, ctx) => handler(event, ctx as Context) });
  kit.deps.ws = wsClient(gateway.managementEndpoint);

  tenant = await seedTenant(kit, { role: 'admin', name: 'Loja A' });
  other = await seedTenant(kit, { name: 'Loja B' });
  adminToken = (await loginAs(kit, tenant)).accessToken;
  tokens.other = (await loginAs(kit, other)).accessToken;
  for (const name of ['Suporte', 'Vendas'] as const) {
    const res = await kit.call('POST', '/api/departments', { token: adminToken, body: { name } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids[name === 'Suporte' ? 'suporte' : 'vendas'] = res.body.id;
  }
  for (const who of ['suporte', 'vendas'] as const) {
    const email = `${who}-${tenant.accountId.toLowerCase()}@example.com`;
    const res = await kit.call('POST', '/api/users', {
      token: adminToken,
      body: { name: who, email, password, role: 'agent', departmentIds: [ids[who]] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids[`${who}Agent`] = res.body.id;
    tokens[who] = await login(email);
  }
  sockets.admin = await open(adminToken);
  sockets.suporte = await open(tokens.suporte);
  sockets.vendas = await open(tokens.vendas);
  sockets.other = await open(tokens.other);
});

afterAll(async () => {
  for (const s of Object.values(sockets)) s.ws.close();
  await gateway.stop();
});

let chat: Conversation;

/** The account's "Setores isolados" (PATCH /api/settings, as its admin). */
async function isolate(on: boolean): Promise<void> {
  const res = await kit.call('PATCH', '/api/settings', {
    token: adminToken,
    body: { isolatedDepartments: on },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

test('"Setores isolados" off: a Vendas chat reaches every user of the account, Suporte too, and nothing of it the other account; nor does the other account\'s reach it', async () => {
  const from = { suporte: sockets.suporte.events.length, other: sockets.other.events.length };
  const open = await putConversation(kit, tenant, {
    departmentId: ids.vendas,
    contactName: 'Cliente Aberto',
  });
  const inbound = await putMessage(kit, open, { text: 'alguém do Suporte vê isto' });
  await pushToAccount(
    tenant.accountId,
    [
      { type: 'message.created', conversationId: open.id, message: publicMessage(inbound) },
      { type: 'conversation.updated', conversationId: open.id, conversation: open },
    ],
    kit.deps,
  );
  // Account B's chat of a department with the same name: nothing of it reaches A.
  const theirs = await putConversation(kit, other, { contactName: 'Cliente da Loja B' });
  const theirMessage = await putMessage(kit, theirs, { text: 'segredo da loja B' });
  await pushToAccount(
    other.accountId,
    [{ type: 'message.created', conversationId: theirs.id, message: publicMessage(theirMessage) }],
    kit.deps,
  );
  const rest = await kit.call('GET', `/api/conversations/${open.id}`, { token: tokens.suporte });
  assert.equal(rest.status, 200);
  await flush();

  for (const who of ['vendas', 'admin', 'suporte'] as const) {
    assert.ok(texts(sockets[who]).includes('alguém do Suporte vê isto'), who);
    assert.deepEqual(about(sockets[who], theirs.id), [], who);
    assert.ok(!texts(sockets[who]).includes('segredo da loja B'), who);
  }
  assert.deepEqual(about(sockets.other, open.id, from.other), []);
  assert.deepEqual(texts(sockets.other, from.other), ['segredo da loja B']);
  // B's own message is not A's business: the last test counts only the flush marks there.
  sockets.other.events.splice(
    sockets.other.events.findIndex((e) => e.conversationId === theirs.id),
    1,
  );
});

test('with "Setores isolados" on, a Vendas chat\'s customer message and internal note reach Vendas and the admin, not Suporte nor another account', async () => {
  await isolate(true);
  // What the sockets got before (the test above) is not this test's.
  const from = {
    vendas: sockets.vendas.events.length,
    admin: sockets.admin.events.length,
    suporte: sockets.suporte.events.length,
  };
  chat = await putConversation(kit, tenant, { departmentId: ids.vendas, contactName: 'Cliente Vendas' });
  // The customer's message, pushed as the engine pushes it (the message and its conversation).
  const inbound = await putMessage(kit, chat, { text: 'quero comprar 10 caixas' });
  await pushToAccount(
    tenant.accountId,
    [
      { type: 'message.created', conversationId: chat.id, message: publicMessage(inbound) },
      { type: 'conversation.updated', conversationId: chat.id, conversation: chat },
    ],
    kit.deps,
  );
  const note = await kit.call('POST', `/api/conversations/${chat.id}/messages`, {
    token: tokens.vendas,
    body: { text: '/interna cliente VIP, desconto de 15%' },
  });
  assert.equal(note.status, 202, JSON.stringify(note.body));
  // Over REST the Suporte agent cannot see the chat at all.
  const rest = await kit.call('GET', `/api/conversations/${chat.id}`, { token: tokens.suporte });
  assert.equal(rest.status, 404);

  await flush();

  for (const who of ['vendas', 'admin'] as const)
    assert.deepEqual(
      texts(sockets[who], from[who]),
      ['quero comprar 10 caixas', 'cliente VIP, desconto de 15%'],
      who,
    );
  assert.deepEqual(about(sockets.suporte, chat.id), []);
  assert.deepEqual(texts(sockets.suporte, from.suporte), []);
  assert.deepEqual(about(sockets.other, chat.id), []);
});

test('once the Suporte agent is added to Vendas (users API), the next note reaches them', async () => {
  const from = sockets.suporte.events.length;
  const patch = await kit.call('PATCH', `/api/users/${ids.suporteAgent}`, {
    token: adminToken,
    body: { departmentIds: [ids.suporte, ids.vendas] },
  });
  assert.equal(patch.status, 200, JSON.stringify(patch.body));

  const note = await kit.call('POST', `/api/conversations/${chat.id}/messages`, {
    token: tokens.vendas,
    body: { text: '/interna agora o Suporte também vê' },
  });
  assert.equal(note.status, 202);
  await flush();

  assert.deepEqual(texts(sockets.suporte, from), ['agora o Suporte também vê']);
  assert.equal(sockets.suporte.ws.readyState, WebSocket.OPEN, 'a department change keeps the socket');

  // Back to Suporte only, for the next test.
  const undo = await kit.call('PATCH', `/api/users/${ids.suporteAgent}`, {
    token: adminToken,
    body: { departmentIds: [ids.suporte] },
  });
  assert.equal(undo.status, 200);
});

test('a chat transferred from Vendas to Suporte reaches the Vendas agent only as its removal', async () => {
  const from = { vendas: sockets.vendas.events.length, suporte: sockets.suporte.events.length };
  const moved = await kit.call('POST', `/api/conversations/${chat.id}/assign`, {
    token: tokens.vendas,
    body: { departmentId: ids.suporte },
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const note = await kit.call('POST', `/api/conversations/${chat.id}/messages`, {
    token: tokens.suporte,
    body: { text: '/interna assumido pelo Suporte' },
  });
  assert.equal(note.status, 202, JSON.stringify(note.body));
  await flush();

  assert.deepEqual(
    about(sockets.vendas, chat.id, from.vendas).map(({ at: _at, ...e }) => e),
    [{ type: 'conversation.removed', conversationId: chat.id, accountId: tenant.accountId }],
  );
  const suporte = about(sockets.suporte, chat.id, from.suporte);
  assert.ok(suporte.some((e) => e.type === 'conversation.updated'));
  // Suporte gets the chat, the transfer line and what follows.
  assert.deepEqual(texts(sockets.suporte, from.suporte), [
    'Conversa encaminhada a um setor.',
    'assumido pelo Suporte',
  ]);
  assert.ok(texts(sockets.admin).includes('assumido pelo Suporte'));
  // The other account never heard of any of it.
  assert.deepEqual(
    sockets.other.events.map((e) => e.type),
    Array.from({ length: marks }, () => 'knowledge.updated'),
  );
});

test('disconnectUser closes every socket of the user and forgets them', async () => {
  const second = await open(tokens.vendas);
  const closed = Promise.all(
    [sockets.vendas, second].map((s) => new Promise<void>((r) => s.ws.once('close', () => r()))),
  );

  const n = await disconnectUser(tenant.accountId, ids.vendasAgent, kit.deps);

  await closed;
  assert.equal(n, 2);
  const left = await listConnections(kit.deps.ddb, kit.deps.tableName, tenant.accountId, kit.clock.now);
  assert.ok(left.every((c) => c.userId !== ids.vendasAgent));
  assert.ok(
    left.some((c) => c.userId === ids.suporteAgent),
    'other users stay connected',
  );
  delete (sockets as Partial<typeof sockets>).vendas;
});

test('a connection stored without its user (written before the filter) gets nothing and is closed', async () => {
  const before = new Set(gateway.connections());
  const old = await open(tokens.suporte);
  const closed = new Promise<void>((r) => old.ws.once('close', () => r()));
  const id = gateway.connections().find((c) => !before.has(c))!;
  const [stored] = (
    await listConnections(kit.deps.ddb, kit.deps.tableName, tenant.accountId, Date.now())
  ).filter((c) => c.connectionId === id);
  // Its account item as the code before the filter wrote it: no viewer.
  const { viewer: _viewer, ...legacy } = stored!;
  await kit.deps.ddb.send(
    new PutCommand({
      TableName: kit.deps.tableName,
      Item: { ...keys.connection(tenant.accountId, id), ...legacy },
    }),
  );
  forgetConnections(kit.deps.tableName, tenant.accountId); // as a second later, or another process

  const note = await kit.call('POST', `/api/conversations/${chat.id}/messages`, {
    token: tokens.suporte,
    body: { text: '/interna nada sem filtro' },
  });
  assert.equal(note.status, 202);

  await closed;
  assert.deepEqual(old.events, []);
});
