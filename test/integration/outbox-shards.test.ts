/**
 * The outbox's shards (shared/store/outbox.ts, docs/capacity.md): 32 partitions of gsi3,
 * one per character of a ULID's last (random) character, so replies spread evenly; the
 * sweeper's read, on DynamoDB Local, finds the unsettled messages of every shard and of the
 * earlier four-shard layout, the oldest first, at most its limit, and nothing settled or
 * newer than its deadline.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/store/keys.ts';
import { messageItem } from '#shared/store/messages.ts';
import { listUnsettledBefore, OUTBOX_SHARDS, outboxShard } from '#shared/store/outbox.ts';
import { ensureTable } from '#shared/store/table.ts';
import type { Message } from '#shared/store/types.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

const reply = (id: string, createdAt: number, over: Partial<Message> = {}): Message => ({
  id,
  accountId: 'ACCOUTBOX',
  conversationId: 'CONVOUTBOX',
  direction: 'out',
  type: 'text',
  text: 'Olá',
  status: 'pending',
  sender: { type: 'agent', name: 'Ana' },
  createdAt,
  ...over,
});

describe('the outbox shards', () => {
  let ddb: DynamoDBDocumentClient;
  const tableName = `test-outbox-${randomBytes(4).toString('hex')}`;
  const put = (Item: Record<string, unknown>) => ddb.send(new PutCommand({ TableName: tableName, Item }));

  beforeAll(async () => {
    const raw = new DynamoDBClient({});
    await ensureTable(raw, tableName);
    ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  });

  test('a message id’s shard is its last ULID character’s place: each of the 32 shards takes one character', () => {
    assert.equal(OUTBOX_SHARDS, 32);
    const shards = [...CROCKFORD].map((c) => outboxShard(`01JE7Q8M3V4X5Y6Z7A8B9C0D1${c}`));
    assert.deepEqual(
      [...shards].sort((a, b) => a - b),
      Array.from({ length: 32 }, (_, i) => i),
    );
    // Any other id still lands in a shard.
    for (const id of ['abc', 'x-1', 'Ü', ''])
      assert.ok(outboxShard(id) >= 0 && outboxShard(id) < OUTBOX_SHARDS, id);
  });

  test('the sweeper’s read: every shard and the earlier four, the oldest first, at most its limit', async () => {
    // One unsettled reply per shard, written in an order unrelated to their shards.
    const expected: { id: string; at: number }[] = [];
    for (let i = 0; i < 32; i++) {
      const c = CROCKFORD[(i * 7) % 32]!;
      const id = `01JE7Q8M3V4X5Y6Z7A8B9C0D${String(i)
        .padStart(2, '0')
        .replace(/\d/g, (d) => CROCKFORD[Number(d)]!)}${c}`;
      const at = T0 - ((i * 13) % 32) * 60_000;
      await put(messageItem(reply(id, at)));
      expected.push({ id, at });
    }
    // Written under the four-shard layout: `OUTBOX#<char code % 4>` (Z: 90 % 4 = 2, now 31).
    const legacyId = '01JE7Q8M3V4X5Y6Z7A8B9C0LEZ';
    assert.notEqual(outboxShard(legacyId), 2);
    await put({
      ...keys.message('ACCOUTBOX', 'CONVOUTBOX', legacyId),
      ...reply(legacyId, T0 - 45 * 60_000),
      ...keys.outboxEntry(2, T0 - 45 * 60_000, legacyId),
    });
    expected.push({ id: legacyId, at: T0 - 45 * 60_000 });
    // Not listed: a settled reply (no entry) and one written after the deadline.
    await put(messageItem(reply('01JE7Q8M3V4X5Y6Z7A8B9C0SE1', T0 - 50 * 60_000, { status: 'sent' })));
    await put(messageItem(reply('01JE7Q8M3V4X5Y6Z7A8B9C0NW1', T0 + 60_000)));

    const order = expected.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map((e) => e.id);
    const all = await listUnsettledBefore(ddb, tableName, T0);
    assert.deepEqual(
      all.map((m) => m.id),
      order,
    );
    // A sweep that stops early takes the oldest of all shards, not of the first ones.
    const five = await listUnsettledBefore(ddb, tableName, T0, 5);
    assert.deepEqual(
      five.map((m) => m.id),
      order.slice(0, 5),
    );
  });
});
