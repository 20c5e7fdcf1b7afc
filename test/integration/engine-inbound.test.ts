import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { mediaUrl } from '#shared/media/media.ts';
import { putConnection } from '#shared/store/connections.ts';
import { findContactByPhone } from '#shared/store/contacts.ts';
import { findConversationByProtocol } from '#shared/store/conversations.ts';
import { keys } from '#shared/store/keys.ts';
import { startWsGateway } from '#infra/local/ws-gateway.ts';
import { freePort } from '#infra/local/ports.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { engineKit, wsClient, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
beforeAll(async () => {
  kit = await engineKit();
});
afterAll(async () => kit.stop());

const conversationOf = async (phone: string) =>
  (await kit.conversations()).find((c) => c.contactPhone === phone);

const protocolCounter = async () =>
  Number(
    (
      await kit.deps.ddb.send(
        new GetCommand({
          TableName: kit.deps.tableName,
          Key: keys.counter(kit.number.accountId, 'protocol'),
        }),
      )
    ).Item?.value ?? 0,
  );
const itemsStartingWith = async (prefix: string) =>
  ((
    await kit.deps.ddb.send(
      new QueryCommand({
        TableName: kit.deps.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': keys.account(kit.number.accountId).pk, ':s': prefix },
      }),
    )
  ).Items ?? []) as Record<string, unknown>[];
const contactsWithPhone = async (phone: string) =>
  (await itemsStartingWith('CONTACT#')).filter((c) => c.phone === phone) as { id: string }[];
const attendancesOf = (conversationId: string) => itemsStartingWith(`CONV#${conversationId}#ATT#`);

const imageItem = (from: string, wamid: string, mediaId: string): InboundQueueItem => ({
  kind: 'message',
  phoneNumberId: kit.number.phoneNumberId,
  contact: { waId: from, name: 'Ana' },
  message: {
    from,
    id: wamid,
    timestamp: String(Math.floor(kit.clock.now / 1000)),
    type: 'image',
    image: { id: mediaId, mime_type: 'image/png', caption: 'foto' },
  },
  receivedAt: kit.clock.now,
});

describe('customer messages', () => {
  test('a first message opens a conversation with a protocol and a 24 h window', async () => {
    await processInboundItem(kit.text('5521988776655', 'Olá, bom dia!'), kit.deps);

    const conv = await conversationOf('5521988776655');
    assert.ok(conv);
    assert.equal(conv.status, 'open');
    assert.match(conv.protocol!, /^\d{8}-\d{6}$/);
    assert.equal(conv.windowExpiresAt, kit.clock.now + 24 * 3600_000);
    assert.equal(conv.unread, 1);
    assert.equal(conv.lastMessage?.text, 'Olá, bom dia!');
    const [m] = await kit.messages(conv.id);
    assert.equal(m!.text, 'Olá, bom dia!');
    assert.equal(m!.direction, 'in');
    assert.equal(m!.attendanceId, conv.attendanceId);
    assert.equal(
      (await findConversationByProtocol(kit.deps.ddb, kit.deps.tableName, conv.accountId, conv.protocol!))
        ?.id,
      conv.id,
    );
  });

  test('a message from a click-to-WhatsApp ad gives the chat its campaign (INB-4)', async () => {
    const item = kit.text('5511966660001', 'Vi o anúncio, quero saber mais');
    const withAd = {
      ...item,
      message: {
        ...item.message,
        referral: {
          source_id: 'AD-123',
          source_type: 'ad',
          headline: 'Promoção de Natal',
          source_url: 'https://fb.me/x',
        },
      },
    } as InboundQueueItem;
    await processInboundItem(withAd, kit.deps);
    const conv = (await kit.conversations()).find((c) => c.contactPhone === '5511966660001')!;
    assert.deepEqual(conv.campaign, { id: 'AD-123', name: 'Promoção de Natal' });
    const msg = (await kit.messages(conv.id))[0]!;
    assert.deepEqual(msg.referral, {
      sourceId: 'AD-123',
      headline: 'Promoção de Natal',
      sourceType: 'ad',
      sourceUrl: 'https://fb.me/x',
    });
    const { listCampaigns } = await import('#shared/store/inbox.ts');
    assert.deepEqual(await listCampaigns(kit.deps, kit.number.accountId), [
      { id: 'AD-123', name: 'Promoção de Natal', sourceType: 'ad' },
    ]);
  });

  test('the window runs 24 h from the customer’s latest message', async () => {
    await processInboundItem(kit.text('5521988770000', 'primeira'), kit.deps);
    kit.clock.now += 5 * 3600_000;
    await processInboundItem(kit.text('5521988770000', 'cinco horas depois'), kit.deps);

    const conv = (await conversationOf('5521988770000'))!;
    assert.equal(conv.windowExpiresAt, kit.clock.now + 24 * 3600_000);
    assert.equal(conv.unread, 2);
    assert.equal(conv.lastMessage?.text, 'cinco horas depois');
  });

  test('a message Meta delivers twice is stored once', async () => {
    const item = kit.text('5521977776666', 'duplicado', 'wamid.twice');
    await processInboundItem(item, kit.deps);
    await processInboundItem(item, kit.deps);

    const conv = (await conversationOf('5521977776666'))!;
    assert.equal((await kit.messages(conv.id)).length, 1);
    assert.equal(conv.unread, 1);
  });

  test('a crash between two writes, then the redelivery, finishes once', async () => {
    const steps = ['claim', 'open', 'message', 'conversation'] as const;
    for (const [i, step] of steps.entries()) {
      const from = `55219666${i}0000`;
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

      const conv = (await conversationOf(from))!;
      assert.equal((await kit.messages(conv.id)).length, 1, step);
      assert.equal(conv.unread, 1, step);
      assert.equal(conv.lastMessage?.text, `queda depois de ${step}`, step);
      assert.match(conv.protocol ?? '', /^\d{8}-\d{6}$/, step);
    }
  });

  test('a new person’s first message with its queue record: a crash after its one transaction, then the redelivery, finishes once', async () => {
    // The contact, the conversation, the attendance, the message and its routing state are
    // one transaction; the redelivery finds them all and writes none of them again.
    for (const [i, step] of (['open', 'message'] as const).entries()) {
      const from = `55219727200${i}0`;
      const item = kit.text(from, `queda depois da transação (${step})`);
      const delivery = { firstReceivedAt: kit.clock.now, sequenceNumber: `0000000000000000900${i}` };
      const protocols = await protocolCounter();
      let crashed = false;
      await assert.rejects(
        processInboundItem(item, {
          ...kit.deps,
          delivery,
          afterStep: (s) => {
            if (s === step && !crashed) {
              crashed = true;
              throw new Error('crash');
            }
          },
        }),
      );
      await processInboundItem(item, { ...kit.deps, delivery });

      const conv = (await conversationOf(from))!;
      const messages = await kit.messages(conv.id);
      assert.equal(messages.length, 1, step);
      assert.equal(conv.unread, 1, step);
      assert.equal(conv.lastCustomerMessageId, messages[0]!.id, step);
      assert.equal(conv.routingStage, 'people', step);
      assert.equal(conv.routedMessageId, messages[0]!.id, step);
      assert.equal(conv.inboxBucket, 'OPEN', step);
      assert.equal(await protocolCounter(), protocols + 1, `${step}: one protocol number`);
      assert.equal((await contactsWithPhone(from)).length, 1, step);
      assert.equal((await attendancesOf(conv.id)).length, 1, step);
    }
  });

  test('two first messages of one new person on two workers at once: one contact, one conversation, both messages', async () => {
    const from = '5521971710001';
    // Both runs read (nobody yet) before either writes: each transaction waits for the other.
    const name = 'hold-transactions';
    let held: (() => void)[] | undefined = [];
    let raced = false;
    const release = () => {
      const all = held ?? [];
      held = undefined;
      all.forEach((r) => r());
    };
    const timeout = setTimeout(release, 10_000);
    (kit.deps.ddb.middlewareStack.add as (mw: unknown, opts: unknown) => void)(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          if (held && /TransactWrite/.test(String(context.commandName)))
            await new Promise<void>((r) => {
              held!.push(r);
              if (held!.length === 2) {
                raced = true;
                release();
              }
            });
          return next(args);
        },
      { step: 'initialize', name },
    );
    try {
      await Promise.all([
        processInboundItem(kit.text(from, 'primeira'), kit.deps),
        processInboundItem(kit.text(from, 'segunda'), kit.deps),
      ]);
    } finally {
      clearTimeout(timeout);
      kit.deps.ddb.middlewareStack.remove(name);
    }
    assert.ok(raced, 'both transactions were sent before either was applied');

    const convs = (await kit.conversations()).filter((c) => c.contactPhone === from);
    assert.equal(convs.length, 1, 'one conversation');
    const conv = convs[0]!;
    const messages = await kit.messages(conv.id);
    assert.deepEqual(messages.map((m) => m.text).sort(), ['primeira', 'segunda']);
    // The newest is the conversation's last (an older one stored after it does not count as
    // unread: touchConversation's rule for customer messages out of order).
    assert.equal(conv.lastCustomerMessageId, messages.map((m) => m.id).sort()[1]);
    const contacts = await contactsWithPhone(from);
    assert.deepEqual(
      contacts.map((c) => c.id),
      [conv.contactId],
      'one contact, the conversation’s',
    );
    assert.equal((await attendancesOf(conv.id)).length, 1, 'one attendance');
    for (const m of messages) assert.equal(m.sender.id, conv.contactId);
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
    const contact = await findContactByPhone(
      kit.deps.ddb,
      kit.deps.tableName,
      kit.number.accountId,
      '+55 11 8765-4321',
    );
    assert.equal(contact?.id, convs[0]!.contactId);
  });

  test('a contact known only by a business-scoped user id, then with a phone, stays one person', async () => {
    const byUser = (body: string, waId?: string): InboundQueueItem => {
      const base = kit.text(waId ?? '', body);
      return {
        ...base,
        contact: { userId: 'BR.1234567890', ...(waId ? { waId } : {}), name: 'Bia' },
        message: {
          ...base.message!,
          from: waId,
          from_user_id: 'BR.1234567890',
        } as InboundQueueItem['message'],
      };
    };
    await processInboundItem(byUser('sem telefone'), kit.deps);
    await processInboundItem(byUser('agora com telefone', '5531999990000'), kit.deps);
    await processInboundItem(kit.text('5531999990000', 'só telefone'), kit.deps);

    const convs = (await kit.conversations()).filter(
      (c) => c.contactName === 'Bia' || c.contactPhone === '5531999990000',
    );
    assert.equal(convs.length, 1);
    assert.deepEqual(
      (await kit.messages(convs[0]!.id)).map((m) => m.text),
      ['sem telefone', 'agora com telefone', 'só telefone'],
    );
  });

  test('a payload that fits no schema becomes a visible unsupported message with its JSON', async () => {
    const item: InboundQueueItem = {
      kind: 'unparsed',
      phoneNumberId: kit.number.phoneNumberId,
      contact: { waId: '5521955554444', name: 'Zé' },
      raw: '{"type":"poll","id":"wamid.poll1","poll":{"q":"?"}}',
      receivedAt: kit.clock.now,
    };
    await processInboundItem(item, kit.deps);
    await processInboundItem(item, kit.deps);

    const conv = (await conversationOf('5521955554444'))!;
    const messages = await kit.messages(conv.id);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.type, 'unsupported');
    assert.equal(messages[0]!.raw, item.raw);
    assert.equal(conv.lastMessage?.text, 'Mensagem não suportada');
  });

  test('Meta’s own "unsupported" message keeps its errors in the raw JSON', async () => {
    const base = kit.text('5521955553333', '');
    await processInboundItem(
      {
        ...base,
        message: { ...base.message!, type: 'unsupported', text: undefined } as InboundQueueItem['message'],
        errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
      },
      kit.deps,
    );
    const conv = (await conversationOf('5521955553333'))!;
    const [m] = await kit.messages(conv.id);
    assert.equal(m!.type, 'unsupported');
    assert.match(m!.raw!, /131051/);
  });

  test('messages for an unknown number and webhook events are acknowledged, not retried', async () => {
    await processInboundItem({ ...kit.text('5521911112222', 'oi'), phoneNumberId: 'nobody' }, kit.deps);
    await processInboundItem(
      {
        kind: 'event',
        field: 'message_template_status_update',
        wabaId: 'waba',
        value: { event: 'APPROVED', message_template_name: 'boas_vindas' },
        receivedAt: kit.clock.now,
      },
      kit.deps,
    );
    assert.equal(await conversationOf('5521911112222'), undefined);
  });

  test('an image whose download fails twice is shown at once, then stored and served by a presigned URL', async () => {
    kit.graph.media.set('1001', { bytes: Buffer.from('PNGDATA'), mime: 'image/png' });
    kit.graph.failNext('download', 2, 500, 131000);
    const item = imageItem('5521933332222', 'wamid.img1', '1001');

    await assert.rejects(processInboundItem(item, { ...kit.deps, receiveCount: 1 }));
    const conv = (await conversationOf('5521933332222'))!;
    const [pending] = await kit.messages(conv.id);
    assert.equal(pending!.media?.status, 'pending');
    assert.equal(conv.lastMessage?.text, 'foto');

    await assert.rejects(processInboundItem(item, { ...kit.deps, receiveCount: 2 }));
    await processInboundItem(item, { ...kit.deps, receiveCount: 3 });

    const msgs = await kit.messages(conv.id);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.media?.status, 'stored');
    assert.equal(msgs[0]!.media?.key, `acc/${kit.number.accountId}/media/${msgs[0]!.id}`);
    assert.equal((await conversationOf('5521933332222'))!.unread, 1);
    const url = await mediaUrl(kit.deps.s3, kit.bucket, msgs[0]!.media!.key!);
    const res = await fetch(url);
    assert.equal(await res.text(), 'PNGDATA');
    assert.match(url, /X-Amz-Expires=300/);
  });

  test('a download that keeps failing is recorded as failed on the last tries, not lost in the DLQ', async () => {
    kit.graph.media.set('1002', { bytes: Buffer.from('x'), mime: 'image/png' });
    kit.graph.failNext('media-url', 10, 500, 131000);
    const item = imageItem('5521933331111', 'wamid.img2', '1002');
    await assert.rejects(processInboundItem(item, { ...kit.deps, receiveCount: 1 }));
    // The retry policy's last attempt (horizon passed): recorded instead of dead-lettered.
    await processInboundItem(item, { ...kit.deps, receiveCount: 40, lastAttempt: true });

    const conv = (await conversationOf('5521933331111'))!;
    const [m] = await kit.messages(conv.id);
    assert.equal(m!.media?.status, 'failed');
    assert.ok(m!.media?.error);
    kit.graph.clearFailures();
  });

  test('a reply quotes the message it answers', async () => {
    await processInboundItem(kit.text('5521944440000', 'pergunta', 'wamid.q1'), kit.deps);
    const base = kit.text('5521944440000', 'resposta');
    await processInboundItem(
      { ...base, message: { ...base.message!, context: { from: '5521944440000', id: 'wamid.q1' } } },
      kit.deps,
    );
    const conv = (await conversationOf('5521944440000'))!;
    const [q, r] = await kit.messages(conv.id);
    assert.deepEqual(r!.replyTo, { wamid: 'wamid.q1', messageId: q!.id });
  });

  test('a closed conversation reopens with a new protocol on the customer’s next message', async () => {
    await processInboundItem(kit.text('5521944441234', 'primeiro atendimento'), kit.deps);
    const first = (await conversationOf('5521944441234'))!;
    assert.ok(await kit.close(first));
    await processInboundItem(kit.text('5521944441234', 'voltei'), kit.deps);

    const again = (await conversationOf('5521944441234'))!;
    assert.equal(again.id, first.id);
    assert.equal(again.status, 'open');
    assert.notEqual(again.protocol, first.protocol);
    const [, m2] = await kit.messages(again.id);
    assert.equal(m2!.attendanceId, again.attendanceId);
  });
});

test('write units of a text message on the full path (no queue record: claim, message, conversation)', async ({
  annotate,
}) => {
  await processInboundItem(kit.text('5521900009999', 'abre a conversa'), kit.deps);
  kit.clock.now += 1000; // a later message: its inbox position moves

  kit.meter.start();
  await processInboundItem(kit.text('5521900009999', 'Oi, tudo bem? Queria saber do meu pedido.'), kit.deps);
  const uses = kit.meter.stop();

  const total = uses.reduce((n, u) => n + u.total, 0);
  await annotate(`write units per inbound text message: ${total} — ${JSON.stringify(uses)}`);
  // Without its FIFO record (a direct call, as here) a message cannot rely on the queue's
  // deduplication: the wamid claim, the message, the conversation and its inbox entry on
  // gsi2 (nothing on gsi1/gsi3). The usual path costs one write less:
  // engine-fast-path.test.ts and docs/data-model.md.
  assert.deepEqual(
    uses.map((u) => [u.command, Object.keys(u.indexes)]),
    [
      ['PutItemCommand', []],
      ['PutItemCommand', []],
      ['UpdateItemCommand', ['gsi2']],
    ],
  );
  assert.ok(total <= 5, `${total} write units`);
});

test('a customer message reaches the agents connected over WebSocket; a gone connection is forgotten', async () => {
  const port = await freePort();
  const gateway = await startWsGateway({ port, handler: () => async () => ({ statusCode: 200 }) });
  try {
    const agent = new WebSocket(`ws://127.0.0.1:${port}`);
    const gone = new WebSocket(`ws://127.0.0.1:${port}`);
    await Promise.all([agent, gone].map((s) => new Promise((r) => s.once('open', r))));
    const ids = gateway.connections();
    for (const connectionId of ids)
      await putConnection(
        kit.deps.ddb,
        kit.deps.tableName,
        {
          connectionId,
          accountId: kit.number.accountId,
          userId: 'u1',
          viewer: { role: 'agent', departmentIds: [] },
        },
        Date.now(),
      );
    const events: { type: string; accountId: string; message?: { text?: string } }[] = [];
    agent.on('message', (d) => {
      const frame = JSON.parse(d.toString()) as (typeof events)[number] & { events?: typeof events };
      events.push(...(frame.type === 'batch' ? frame.events! : [frame]));
    });
    gone.close();
    for (let i = 0; i < 50 && gateway.connections().length > 1; i++)
      await new Promise((r) => setTimeout(r, 20));
    const goneId = ids.find((id) => !gateway.connections().includes(id))!;

    await processInboundItem(kit.text('5521900001111', 'ao vivo'), {
      ...kit.deps,
      ws: wsClient(gateway.managementEndpoint),
    });
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 20));

    const created = events.find((e) => e.type === 'message.created');
    assert.equal(created?.message?.text, 'ao vivo');
    assert.equal(created?.accountId, kit.number.accountId);
    assert.ok(events.some((e) => e.type === 'conversation.updated'));
    const lookup = await kit.deps.ddb.send(
      new GetCommand({ TableName: kit.deps.tableName, Key: keys.connectionById(goneId) }),
    );
    assert.equal(lookup.Item, undefined);
    agent.close();
  } finally {
    await gateway.stop();
  }
});
