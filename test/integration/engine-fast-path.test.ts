/**
 * Customer messages as fn inbound receives them from the FIFO queue: with the record's
 * first-receive time and sequence number, which give the message its id
 * (shared/domain/inbound-id.ts). In an open conversation the engine then writes the
 * conversation and the message only — no claim, no read — and must still store every
 * message once, in order, whatever is redelivered, duplicated, closed or raced meanwhile.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { touchConversation } from '#shared/store/conversations.ts';
import { keys } from '#shared/store/keys.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
beforeAll(async () => {
  kit = await engineKit();
});
afterAll(async () => kit.stop());

let sequence = 1000;
/** One queue record: a new sequence number, first received now. */
const record = (): Pick<EngineDeps, 'delivery'> => ({
  delivery: { firstReceivedAt: kit.clock.now, sequenceNumber: String(++sequence).padStart(20, '0') },
});
const receive = (item: InboundQueueItem, rec = record(), extra: Partial<EngineDeps> = {}) =>
  processInboundItem(item, { ...kit.deps, ...rec, ...extra });

const conversationOf = async (phone: string) =>
  (await kit.conversations()).find((c) => c.contactPhone === phone)!;

const claimOf = async (wamid: string) =>
  (
    await kit.deps.ddb.send(
      new GetCommand({ TableName: kit.deps.tableName, Key: keys.wamid(kit.number.accountId, wamid) }),
    )
  ).Item;

test('in an open conversation a text message costs the conversation update and the message put', async ({
  annotate,
}) => {
  await receive(kit.text('5521911110000', 'abre a conversa'));
  kit.clock.now += 1000;

  kit.meter.start();
  await receive(kit.text('5521911110000', 'Oi, tudo bem? Queria saber do meu pedido.', 'wamid.fast-1'));
  const uses = kit.meter.stop();

  const total = uses.reduce((n, u) => n + u.total, 0);
  await annotate(`write units per inbound text message: ${total} — ${JSON.stringify(uses)}`);
  // No claim item: the queue deduplicates the wamid, the record's id makes a redelivery a
  // no-op. On AWS the moved gsi2 entry is billed 2 (delete + put): 1 + 2 + 1 = 4.
  assert.deepEqual(
    uses.map((u) => [u.command, Object.keys(u.indexes)]),
    [
      ['UpdateItemCommand', ['gsi2']],
      ['PutItemCommand', []],
    ],
  );
  assert.ok(total <= 4, `${total} write units`);
  assert.equal(await claimOf('wamid.fast-1'), undefined);
  const conv = await conversationOf('5521911110000');
  assert.equal(conv.unread, 2);
  assert.equal(conv.lastMessage?.text, 'Oi, tudo bem? Queria saber do meu pedido.');
});

test('a redelivered record, and a crash after either write, store the message once', async () => {
  const from = '5521911112222';
  await receive(kit.text(from, 'primeira'));
  for (const step of ['conversation', 'message'] as const) {
    kit.clock.now += 1000;
    const item = kit.text(from, `queda depois de ${step}`);
    const rec = record();
    let crashed = false;
    await assert.rejects(
      receive(item, rec, {
        afterStep: (s) => {
          if (s === step && !crashed) {
            crashed = true;
            throw new Error('crash');
          }
        },
      }),
    );
    await receive(item, rec);
    await receive(item, rec); // and once more, as SQS may
  }
  const conv = await conversationOf(from);
  const texts = (await kit.messages(conv.id)).map((m) => m.text);
  assert.deepEqual(texts, ['primeira', 'queda depois de conversation', 'queda depois de message']);
  assert.equal(conv.unread, 3);
  assert.equal(conv.lastMessage?.text, 'queda depois de message');
});

test('messages of one batch (same first receive) keep the queue order', async () => {
  const from = '5521911113333';
  await receive(kit.text(from, 'um'));
  const at = kit.clock.now + 500;
  for (const [i, body] of ['dois', 'três', 'quatro'].entries())
    await receive(kit.text(from, body), {
      delivery: { firstReceivedAt: at, sequenceNumber: String(900_000 + i).padStart(20, '0') },
    });
  const conv = await conversationOf(from);
  assert.deepEqual(
    (await kit.messages(conv.id)).map((m) => m.text),
    ['um', 'dois', 'três', 'quatro'],
  );
  assert.equal(conv.lastMessage?.text, 'quatro');
});

test('a copy Meta sends after the queue’s deduplication window is recognised and not stored again', async () => {
  const from = '5521911114444';
  await receive(kit.text(from, 'oi'));
  kit.clock.now += 1000;
  const item = kit.text(from, 'meu pedido não chegou', 'wamid.late-copy');
  await receive(item);
  // The same message again, 20 minutes later: a new queue record that the queue no longer
  // deduplicates, received long after Meta's timestamp.
  kit.clock.now += 20 * 60_000;
  await receive({ ...item, receivedAt: kit.clock.now });

  const conv = await conversationOf(from);
  assert.deepEqual(
    (await kit.messages(conv.id)).map((m) => m.text),
    ['oi', 'meu pedido não chegou'],
  );
  assert.equal(conv.unread, 2);
});

test('a late message is claimed, so its own late copies are recognised too', async () => {
  const from = '5521911115555';
  await receive(kit.text(from, 'oi'));
  const item = kit.text(from, 'mandei ontem sem sinal', 'wamid.offline');
  kit.clock.now += 30 * 60_000; // the phone was offline: received 30 min after it was sent
  await receive({ ...item, receivedAt: kit.clock.now });
  assert.ok((await claimOf('wamid.offline'))?.messageId);
  kit.clock.now += 10 * 60_000;
  await receive({ ...item, receivedAt: kit.clock.now });

  const conv = await conversationOf(from);
  assert.equal((await kit.messages(conv.id)).length, 2);
  assert.equal(conv.unread, 2);
});

test('a conversation closed elsewhere meanwhile opens a new attendance for the next message', async () => {
  const from = '5521911116666';
  await receive(kit.text(from, 'primeiro atendimento'));
  const first = await conversationOf(from);
  // An agent (fn api) or the clock (fn timers) closes it: this process does not know.
  assert.ok(await kit.close(first));
  kit.clock.now += 1000;
  await receive(kit.text(from, 'voltei'));

  const again = await conversationOf(from);
  assert.equal(again.status, 'open');
  assert.notEqual(again.attendanceId, first.attendanceId);
  const [, m2] = await kit.messages(again.id);
  assert.equal(m2!.text, 'voltei');
  assert.equal(m2!.attendanceId, again.attendanceId);
});

test('an agent’s reply stored while the customer’s message waited in the queue: the message still counts', async () => {
  const from = '5521911117777';
  await receive(kit.text(from, 'oi'));
  const conv = await conversationOf(from);
  // The customer's next message is received now, but waits; the agent answers meanwhile.
  const waiting = record();
  const item = kit.text(from, 'obrigada');
  const sentAt = kit.clock.now;
  kit.clock.now += 2000;
  await touchConversation(kit.deps.ddb, kit.deps.tableName, conv, {
    messageId: kit.deps.newId(),
    at: kit.clock.now,
    preview: { text: 'Olá! Já vejo seu pedido.', type: 'text', direction: 'out' },
  });
  kit.clock.now += 1000;
  await receive(item, waiting);

  const after = await conversationOf(from);
  assert.equal(after.unread, 2);
  assert.equal(after.lastCustomerMessageAt, sentAt);
  assert.equal(after.windowExpiresAt, after.lastCustomerMessageAt! + 24 * 3600_000);
  // The list keeps the newest message: the agent's reply.
  assert.equal(after.lastMessage?.text, 'Olá! Já vejo seu pedido.');
  assert.equal((await kit.messages(conv.id)).length, 2);
});

test('a customer quoting their own message (no claim) still points at it', async () => {
  const from = '5521911118888';
  await receive(kit.text(from, 'pergunta', 'wamid.own-q'));
  kit.clock.now += 1000;
  const base = kit.text(from, 'sobre isso aqui');
  await receive({ ...base, message: { ...base.message!, context: { from, id: 'wamid.own-q' } } });
  const conv = await conversationOf(from);
  const [q, r] = await kit.messages(conv.id);
  assert.deepEqual(r!.replyTo, { wamid: 'wamid.own-q', messageId: q!.id });
});
