import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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

const HOUR = 3600 * 1000;

describe('inbox API', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let token: string;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit);
    token = (await loginAs(kit, tenant)).accessToken;
  });

  test('conversations list newest last message first, in pages that chain with nextCursor', async () => {
    const own = await seedTenant(kit);
    const ownToken = (await loginAs(kit, own)).accessToken;
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await putConversation(kit, own, { lastMessageAt: T0 - i * HOUR }));
    const older = await putConversation(kit, own, { lastMessageAt: T0 - 10 * HOUR });
    // The newest conversation got a new message: it moves to the top.
    await putConversation(kit, own, { ...older, lastMessageAt: T0 + HOUR });

    const first = await kit.call('GET', '/api/conversations?limit=4', { token: ownToken });
    const second = await kit.call('GET', '/api/conversations', {
      token: ownToken,
      query: { limit: '4', cursor: first.body.nextCursor },
    });

    assert.equal(first.status, 200);
    const ids = [...first.body.items, ...second.body.items].map((c: { id: string }) => c.id);
    assert.deepEqual(ids, [older.id, ...created.map((c) => c.id)]);
    assert.equal(second.body.nextCursor, undefined);
    assert.equal(first.body.items[0].contactName, 'João Cliente');
    assert.equal(first.body.items[0].pk, undefined);
    assert.equal(first.body.items[0].gsi2pk, undefined);
  });

  test('a tampered cursor is a 400, not a crash', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ pk: 'ACC#x', sk: 'CONV#y', gsi2pk: 'ACC#x#INBOX', gsi2sk: '1' }),
    ).toString('base64url');

    const res = await kit.call('GET', '/api/conversations', { token, query: { cursor } });
    const junk = await kit.call('GET', '/api/conversations', { token, query: { cursor: '%%%' } });

    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'INVALID_CURSOR');
    assert.equal(junk.status, 400);
  });

  test('messages come oldest first: the latest page, then older pages, then newer than an id', async () => {
    const conv = await putConversation(kit, tenant);
    const msgs = [];
    for (let i = 0; i < 7; i++) msgs.push(await putMessage(kit, conv, { text: `m${i}` }));
    const texts = (body: { items: { text: string }[] }) => body.items.map((m) => m.text);

    const latest = await kit.call('GET', `/api/conversations/${conv.id}/messages?limit=3`, { token });
    const older = await kit.call('GET', `/api/conversations/${conv.id}/messages`, {
      token,
      query: { limit: '3', cursor: latest.body.nextCursor },
    });
    const oldest = await kit.call('GET', `/api/conversations/${conv.id}/messages`, {
      token,
      query: { limit: '3', cursor: older.body.nextCursor },
    });
    const after = await kit.call('GET', `/api/conversations/${conv.id}/messages`, {
      token,
      query: { after: msgs[2]!.id, limit: '2' },
    });
    const afterRest = await kit.call('GET', `/api/conversations/${conv.id}/messages`, {
      token,
      query: { cursor: after.body.nextCursor, limit: '10' },
    });

    assert.deepEqual(texts(latest.body), ['m4', 'm5', 'm6']);
    assert.deepEqual(texts(older.body), ['m1', 'm2', 'm3']);
    assert.deepEqual(texts(oldest.body), ['m0']);
    assert.equal(oldest.body.nextCursor, undefined);
    assert.deepEqual(texts(after.body), ['m3', 'm4']);
    assert.deepEqual(texts(afterRest.body), ['m5', 'm6']);
  });

  test('media messages carry a presigned URL that downloads the file; raw payloads are not sent', async () => {
    const conv = await putConversation(kit, tenant);
    const key = `acc/${tenant.accountId}/media/photo.jpg`;
    await kit.deps.s3.send(
      new PutObjectCommand({
        Bucket: kit.deps.mediaBucket,
        Key: key,
        Body: 'JPEGDATA',
        ContentType: 'image/jpeg',
      }),
    );
    await putMessage(kit, conv, {
      type: 'image',
      text: undefined,
      media: { key, mimeType: 'image/jpeg', status: 'stored', caption: 'foto' },
      raw: '{"secret":"payload"}',
    });

    const res = await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token });
    const media = res.body.items[0].media;
    const download = await fetch(media.url);

    assert.equal(res.body.items[0].raw, undefined);
    assert.equal(media.caption, 'foto');
    assert.equal(download.status, 200);
    assert.equal(await download.text(), 'JPEGDATA');
  });

  test('sending outside the 24 h window is a 409 WINDOW_CLOSED in Portuguese and queues nothing', async () => {
    const conv = await putConversation(kit, tenant, { windowExpiresAt: T0 - 1 });
    await kit.receiveOutbound();

    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { text: 'Oi' },
    });

    assert.equal(res.status, 409);
    assert.deepEqual(res.body, {
      error: {
        code: 'WINDOW_CLOSED',
        message: 'A janela de 24 horas está fechada: só é possível enviar modelos (templates).',
      },
    });
    const list = await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token });
    assert.deepEqual(list.body.items, []);
    assert.deepEqual(await kit.receiveOutbound(), []);
  });

  test('sending inside the window stores a pending message and queues it for outbound', async () => {
    const conv = await putConversation(kit, tenant);
    await kit.receiveOutbound();

    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { text: 'Bom dia! Como posso ajudar?', clientId: 'c-1' },
    });

    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.direction, 'out');
    assert.equal(res.body.text, 'Bom dia! Como posso ajudar?');
    assert.equal(res.body.clientId, 'c-1');
    assert.deepEqual(res.body.sender, { type: 'agent', id: tenant.user.id, name: tenant.user.name });
    const list = await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token });
    assert.deepEqual(
      list.body.items.map((m: { id: string; event?: unknown }) => m.event ?? m.id),
      // Answering an unassigned chat makes it the agent's (INB-2), logged before the message
      // ("X entrou na conversa", then X's reply: issue 15).
      [{ kind: 'joined', agentId: tenant.user.id }, res.body.id],
    );
    assert.deepEqual(await kit.receiveOutbound(), [
      { kind: 'send', accountId: tenant.accountId, conversationId: conv.id, messageId: res.body.id },
    ]);
  });

  test('a send with neither text nor attachment is a 400', async () => {
    const conv = await putConversation(kit, tenant);

    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, { token, body: {} });

    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
  });

  test('an upload URL accepts the file under the account prefix, and the file can then be sent', async () => {
    const conv = await putConversation(kit, tenant);

    const up = await kit.call('POST', '/api/uploads', {
      token,
      body: { filename: 'boleto.pdf', mimeType: 'application/pdf', size: 8 },
    });
    const put = await fetch(up.body.uploadUrl, { method: 'PUT', headers: up.body.headers, body: '%PDF-1.4' });
    const stored = await kit.deps.s3.send(
      new GetObjectCommand({
        Bucket: kit.deps.mediaBucket,
        Key: `acc/${tenant.accountId}/uploads/${up.body.uploadId}`,
      }),
    );
    const sent = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: {
        attachment: { uploadId: up.body.uploadId, filename: 'boleto.pdf', mimeType: 'application/pdf' },
      },
    });

    assert.equal(up.status, 201);
    assert.equal(put.status, 200);
    assert.equal(await stored.Body!.transformToString(), '%PDF-1.4');
    assert.equal(sent.status, 202);
    assert.equal(sent.body.type, 'document');
    assert.equal(sent.body.media.filename, 'boleto.pdf');
  });

  test('media by link: an https URL is sent as it is and shown with that URL; anything else is a 400', async () => {
    const conv = await putConversation(kit, tenant);
    await kit.receiveOutbound();
    const link = 'https://cdn.example.com.br/catalogo/tenis-azul.jpg';

    const sent = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { attachment: { link, mimeType: 'image/jpeg', caption: 'Nosso modelo azul' } },
    });
    const plain = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { attachment: { link: 'http://10.0.0.1/x.jpg', mimeType: 'image/jpeg' } },
    });

    assert.equal(sent.status, 202);
    assert.equal(sent.body.type, 'image');
    assert.equal(sent.body.media.url, link);
    assert.equal(sent.body.media.caption, 'Nosso modelo azul');
    assert.equal((await kit.receiveOutbound()).length, 1);
    assert.equal(plain.status, 400);
    assert.equal(plain.body.error.code, 'VALIDATION_ERROR');
  });

  test('uploads of unsupported types or over WhatsApp limits are refused in Portuguese', async () => {
    const exe = await kit.call('POST', '/api/uploads', {
      token,
      body: { filename: 'x.exe', mimeType: 'application/x-msdownload', size: 10 },
    });
    const big = await kit.call('POST', '/api/uploads', {
      token,
      body: { filename: 'foto.jpg', mimeType: 'image/jpeg', size: 6 * 1024 * 1024 },
    });

    assert.equal(exe.status, 400);
    assert.equal(exe.body.error.code, 'UNSUPPORTED_FILE_TYPE');
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'FILE_TOO_LARGE');
    assert.match(big.body.error.message, /limite do WhatsApp/);
  });

  test('marking read zeroes unread and asks WhatsApp to mark the last customer message read', async () => {
    const conv = await putConversation(kit, tenant, { unread: 3 });
    await putMessage(kit, conv, { text: 'primeira' });
    const last = await putMessage(kit, conv, { text: 'última' });
    await putMessage(kit, conv, {
      direction: 'out',
      status: 'sent',
      text: 'resposta',
      sender: { type: 'agent' },
    });
    await kit.receiveOutbound();

    const res = await kit.call('POST', `/api/conversations/${conv.id}/read`, { token });
    const again = await kit.call('POST', `/api/conversations/${conv.id}/read`, { token });
    const after = await kit.call('GET', `/api/conversations/${conv.id}`, { token });

    assert.equal(res.status, 200);
    assert.equal(res.body.unread, 0);
    assert.equal(again.status, 200);
    assert.equal(after.body.unread, 0);
    assert.deepEqual(await kit.receiveOutbound(), [
      { kind: 'markRead', accountId: tenant.accountId, numberId: tenant.number.id, wamid: last.wamid },
    ]);
  });

  test('with read receipts turned off (account setting, on by default), opening a chat sends no blue ticks', async () => {
    const own = await seedTenant(kit, { role: 'admin' });
    const token = (await loginAs(kit, own)).accessToken;
    const settings = await kit.call('GET', '/api/settings', { token });
    assert.equal(settings.body.readReceipts, true);
    const off = await kit.call('PATCH', '/api/settings', { token, body: { readReceipts: false } });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.readReceipts, false);
    try {
      const conv = await putConversation(kit, own, { unread: 2 });
      await putMessage(kit, conv, { text: 'oi' });
      await kit.receiveOutbound();
      const res = await kit.call('POST', `/api/conversations/${conv.id}/read`, { token });
      assert.equal(res.status, 200);
      assert.equal(res.body.unread, 0);
      assert.deepEqual(await kit.receiveOutbound(), []);
    } finally {
      const on = await kit.call('PATCH', '/api/settings', { token, body: { readReceipts: true } });
      assert.equal(on.body.readReceipts, true);
    }
  });

  test('an unknown conversation is a 404 NOT_FOUND', async () => {
    const res = await kit.call('GET', '/api/conversations/01NOPE', { token });

    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  });
});
