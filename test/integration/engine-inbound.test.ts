import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import WebSocket from 'ws';
import { processInboundItem } from '#shared/engine/process-inbound.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { putConnection } from '#shared/store/connections.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/store/keys.ts';
import { startWsGateway } from '#infra/local/ws-gateway.ts';
import { freePort } from '#infra/local/ports.ts';
import type { InboundQueueItem } from '#shared/whatsapp/split.ts';
import { engineKit, wsClient, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
before(async () => {
  kit = await engineKit();
});
after(async () => kit.stop());

describe('customer messages', () => {
  test('a first message opens a conversation with a protocol and a 24 h window', async () => {
    await processInboundItem(kit.text('5521988776655', 'Olá, bom dia!'), kit.deps);
    const [conv] = (await kit.conversations()).filter((c) => c.contactPhone === '5521988776655');
    assert.ok(conv);
    assert.equal(conv.status, 'open');
    assert.match(conv.protocol!, /^\d{8}-\d{6}$/);
    assert.equal(conv.windowExpiresAt, kit.clock.now + 24 * 3600_000);
    assert.equal(conv.unread, 1);
    assert.equal(conv.lastMessage?.text, 'Olá, bom dia!');
    const [m] = await kit.messages(conv.id);
    assert.equal(m!.text, 'Olá, bom dia!');
    assert.equal(m!.direction, 'in');
  });

  test('a message Meta delivers twice is stored once', async () => {
    const item = kit.text('5521977776666', 'duplicado', 'wamid.twice');
    await processInboundItem(item, kit.deps);
    await processInboundItem(item, kit.deps);
    const conv = (await kit.conversations()).find((c) => c.contactPhone === '5521977776666')!;
    assert.equal((await kit.messages(conv.id)).length, 1);
    assert.equal(conv.unread, 1);
  });

  test('a crash between two writes, then the redelivery, finishes once', async () => {
    for (const step of ['claim', 'message', 'conversation'] as const) {
      const from = `552196666${['claim', 'message', 'conversation'].indexOf(step)}000`;
      const item = kit.text(from, `queda depois de ${step}`);
      let crashed = false;
      await assert.rejects(
        processInboundItem(item, {
          ...kit.deps,
          afterStep: (s) => {
            if (s === step && !crashed) {
              crashed = true;
              throw new Error('crash');
            }
          },
        }),
      );
      await processInboundItem(item, kit.deps);
      const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
      assert.equal((await kit.messages(conv.id)).length, 1, step);
      assert.equal(conv.unread, 1, step);
      assert.equal(conv.lastMessage?.text, `queda depois de ${step}`);
    }
  });

  test('the Brazilian 9th digit: with and without it is one contact and one conversation', async () => {
    await processInboundItem(kit.text('5511987654321', 'com nove'), kit.deps);
    await processInboundItem(kit.text('551187654321', 'sem nove'), kit.deps);
    const convs = (await kit.conversations()).filter((c) => c.contactPhone === '5511987654321');
    assert.equal(convs.length, 1);
    assert.deepEqual(
      (await kit.messages(convs[0]!.id)).map((m) => m.text),
      ['com nove', 'sem nove'],
    );
  });

  test('a payload that fits no schema becomes a visible unsupported message', async () => {
    const item: InboundQueueItem = {
      kind: 'unparsed',
      phoneNumberId: kit.number.phoneNumberId,
      contact: { waId: '5521955554444', name: 'Zé' },
      raw: '{"type":"poll","id":"x"}',
      receivedAt: kit.clock.now,
    };
    await processInboundItem(item, kit.deps);
    const conv = (await kit.conversations()).find((c) => c.contactPhone === '5521955554444')!;
    const [m] = await kit.messages(conv.id);
    assert.equal(m!.type, 'unsupported');
    assert.equal(m!.raw, item.raw);
  });

  test('a message for an unknown number is acknowledged, not retried', async () => {
    await processInboundItem({ ...kit.text('5521911112222', 'oi'), phoneNumberId: 'nobody' }, kit.deps);
  });

  test('an image whose download fails twice is retried and then stored and served', async () => {
    kit.graph.media.set('media-1', { bytes: Buffer.from('PNGDATA'), mime: 'image/png' });
    kit.graph.failNext('download', 2, 500, 131000);
    const item: InboundQueueItem = {
      kind: 'message',
      phoneNumberId: kit.number.phoneNumberId,
      contact: { waId: '5521933332222', name: 'Ana' },
      message: {
        from: '5521933332222',
        id: 'wamid.img1',
        timestamp: String(kit.clock.now / 1000),
        type: 'image',
        image: { id: 'media-1', mime_type: 'image/png', caption: 'foto' },
      },
      receivedAt: kit.clock.now,
    };
    await assert.rejects(processInboundItem(item, { ...kit.deps, receiveCount: 1 }));
    await assert.rejects(processInboundItem(item, { ...kit.deps, receiveCount: 2 }));
    await processInboundItem(item, { ...kit.deps, receiveCount: 3 });
    const conv = (await kit.conversations()).find((c) => c.contactPhone === '5521933332222')!;
    const msgs = await kit.messages(conv.id);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.media?.status, 'stored');
    const url = await getSignedUrl(
      kit.deps.s3,
      new GetObjectCommand({ Bucket: kit.deps.mediaBucket!, Key: msgs[0]!.media!.key! }),
      { expiresIn: 60 },
    );
    assert.equal(await (await fetch(url)).text(), 'PNGDATA');
  });
});

describe('agent replies and their statuses', () => {
  async function agentMessage(from: string, text: string) {
    await processInboundItem(kit.text(from, 'preciso de ajuda'), kit.deps);
    const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
    const id = kit.deps.newId();
    await kit.deps.ddb.send(
      new PutCommand({
        TableName: kit.deps.tableName,
        Item: {
          ...keys.message(conv.accountId, conv.id, id),
          id,
          accountId: conv.accountId,
          conversationId: conv.id,
          direction: 'out',
          type: 'text',
          text,
          status: 'pending',
          sender: { type: 'agent', id: 'u1' },
          createdAt: kit.clock.now,
        },
      }),
    );
    return { conv, id };
  }
  const statusItem = (
    wamid: string,
    status: string,
    extra: Record<string, unknown> = {},
  ): InboundQueueItem => ({
    kind: 'status',
    phoneNumberId: kit.number.phoneNumberId,
    status: { id: wamid, status, timestamp: '1', recipient_id: 'x', ...extra },
    receivedAt: kit.clock.now,
  });

  test('sent, then read before delivered: the message ends read', async () => {
    const { conv, id } = await agentMessage('5521944443333', 'Claro!');
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: id },
      kit.deps,
    );
    const out = (await kit.messages(conv.id)).find((m) => m.id === id)!;
    assert.equal(out.status, 'sent');
    assert.equal((kit.graph.sent.at(-1) as { text: { body: string } }).text.body, 'Claro!');
    await processInboundItem(statusItem(out.wamid!, 'read'), kit.deps);
    await processInboundItem(statusItem(out.wamid!, 'delivered'), kit.deps);
    assert.equal((await kit.messages(conv.id)).find((m) => m.id === id)!.status, 'read');
  });

  test('a status that arrives before the send recorded its wamid is applied then', async () => {
    const { conv, id } = await agentMessage('5521944442222', 'Já vai');
    // Meta's "delivered" races ahead of the send's own bookkeeping.
    await processInboundItem(statusItem('wamid.early', 'delivered'), kit.deps);
    kit.graph.nextWamids.push('wamid.early');
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: id },
      kit.deps,
    );
    assert.equal((await kit.messages(conv.id)).find((m) => m.id === id)!.status, 'delivered');
  });

  test('a permanent error (131047) is recorded with Meta’s text; 429 is retried, then sent', async () => {
    const { conv, id } = await agentMessage('5521922221111', 'fora da janela');
    kit.graph.failNext('send', 1, 400, 131047, 'Re-engagement message');
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: id },
      kit.deps,
    );
    const failed = (await kit.messages(conv.id)).find((m) => m.id === id)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 131047);
    assert.equal(failed.error?.message, 'Re-engagement message');

    const retry = await agentMessage('5521922220000', 'tente de novo');
    kit.graph.failNext('send', 1, 429, 130429, 'Rate limit hit');
    await assert.rejects(
      processOutboundJob(
        { kind: 'send', accountId: retry.conv.accountId, conversationId: retry.conv.id, messageId: retry.id },
        kit.deps,
      ),
    );
    assert.equal((await kit.messages(retry.conv.id)).find((m) => m.id === retry.id)!.status, 'pending');
    await processOutboundJob(
      { kind: 'send', accountId: retry.conv.accountId, conversationId: retry.conv.id, messageId: retry.id },
      kit.deps,
    );
    assert.equal((await kit.messages(retry.conv.id)).find((m) => m.id === retry.id)!.status, 'sent');
  });

  test('a bad token (190) fails the message with Meta’s reason', async () => {
    const { conv, id } = await agentMessage('5521922229999', 'token ruim');
    kit.graph.failNext('send', 1, 401, 190, 'Error validating access token');
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: id },
      kit.deps,
    );
    const m = (await kit.messages(conv.id)).find((x) => x.id === id)!;
    assert.equal(m.status, 'failed');
    assert.equal(m.error?.code, 190);
  });
});

test('a customer message reaches the agents connected over WebSocket', async () => {
  const port = await freePort();
  const gateway = await startWsGateway({ port, handler: () => async () => ({ statusCode: 200 }) });
  try {
    const agent = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((r) => agent.once('open', r));
    const [connectionId] = gateway.connections();
    await putConnection(
      kit.deps.ddb,
      kit.deps.tableName,
      { connectionId: connectionId!, accountId: kit.number.accountId, userId: 'u1' },
      Date.now(),
    );
    const events: { type: string; message?: { text?: string } }[] = [];
    agent.on('message', (d) => events.push(JSON.parse(d.toString())));
    await processInboundItem(kit.text('5521900001111', 'ao vivo'), {
      ...kit.deps,
      ws: wsClient(gateway.managementEndpoint),
    });
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(events.find((e) => e.type === 'message.created')?.message?.text, 'ao vivo');
    assert.ok(events.some((e) => e.type === 'conversation.updated'));
    agent.close();
  } finally {
    await gateway.stop();
  }
});
