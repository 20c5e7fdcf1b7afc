/**
 * The view-index partitions of the shared buckets (the open queue, a department, the bots,
 * the postponed) are write-sharded by conversation id (shared/store/keys.ts, docs/capacity.md);
 * the views read every shard and merge. Through the real API handler on DynamoDB Local:
 * pages of every sort chain to exactly the one big page (no duplicate, no gap, same order),
 * counts add the shards up, and entries written before sharding (the unsuffixed partition)
 * are still listed once. And the merge across buckets (shared/api/inbox-views.ts): two
 * unsharded buckets of a view, both longer than a page, one dense and one sparse in the
 * sort's key, page through without a gap.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { bucketOf, chatStateOf } from '#shared/domain/inbox.ts';
import { putDepartment } from '#shared/store/catalog.ts';
import { inboxKeys } from '#shared/store/inbox.ts';
import { INBOX_SHARDS, inboxShardCount, inboxShardOf, keys } from '#shared/store/keys.ts';
import type { Conversation } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  seedTenant,
  T0,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

const HOUR = 3600_000;

describe('inbox views over sharded bucket partitions', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let token: string;
  const seeded: Conversation[] = [];

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    token = (await loginAs(kit, tenant)).accessToken;
    const dept = await putDepartment(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: tenant.accountId,
      name: 'Vendas',
    });
    // 40 in the open queue, 12 in a department, 8 with the bot, 6 with the agent, 6 closed;
    // last messages and openings collide in pairs (ties are ordered by conversation id).
    const states: Partial<Conversation>[] = [
      ...Array<Partial<Conversation>>(40).fill({}),
      ...Array<Partial<Conversation>>(12).fill({ departmentId: dept.id }),
      ...Array<Partial<Conversation>>(8).fill({ routingStage: 'menu' }),
      ...Array<Partial<Conversation>>(6).fill({ agentId: tenant.user.id }),
      ...Array<Partial<Conversation>>(6).fill({ status: 'closed' }),
    ];
    for (let i = 0; i < states.length; i++)
      seeded.push(
        await putConversation(kit, tenant, {
          ...states[i],
          lastMessageAt: T0 - Math.floor(((i * 37) % states.length) / 2) * HOUR,
          openedAt: T0 - Math.floor(((i * 11) % states.length) / 2) * HOUR - 100 * HOUR,
          unread: i % 3 === 0 ? 1 : 0,
        }),
      );
    // Two open conversations indexed as before sharding: the unsuffixed partition (shard 0's
    // name), whatever shard their id falls in.
    for (const id of ['LEGACYCONVERSATION00000001', 'LEGACYCONVERSATION00000003']) {
      const conv: Conversation = {
        ...seeded[0]!,
        id,
        contactId: kit.ids(),
        lastMessageAt: T0 - 7 * HOUR,
        openedAt: T0 - 150 * HOUR,
      };
      const legacy = {
        gsi2pk: `ACC#${tenant.accountId}#INBOX#OPEN`,
        gsi2sk: keys.inboxByLastMessage(tenant.accountId, 'OPEN', conv.lastMessageAt, id).gsi2sk,
        gsi3pk: `ACC#${tenant.accountId}#OPENED#OPEN`,
        gsi3sk: keys.inboxByOpening(tenant.accountId, 'OPEN', conv.openedAt!, id).gsi3sk,
      };
      await kit.deps.ddb.send(
        new PutCommand({
          TableName: kit.deps.tableName,
          Item: { ...keys.conversation(tenant.accountId, id), ...conv, inboxBucket: 'OPEN', ...legacy },
        }),
      );
      seeded.push(conv);
    }
  });

  test('a shared bucket is written to several partitions; an agent’s bucket to one', async () => {
    assert.equal(inboxShardCount('OPEN'), INBOX_SHARDS);
    assert.equal(inboxShardCount(`AGENT#${tenant.user.id}`), 1);
    assert.equal(inboxShardCount('CLOSED'), 1);
    const open = seeded.slice(0, 40);
    const partitions = new Set<string>();
    for (const c of open) {
      const item = await kit.deps.ddb.send(
        new GetCommand({ TableName: kit.deps.tableName, Key: keys.conversation(tenant.accountId, c.id) }),
      );
      assert.equal(item.Item?.gsi2pk, inboxKeys(c, 'OPEN', c.openedAt ?? c.createdAt).gsi2pk);
      assert.equal(
        inboxShardOf('OPEN', c.id) === 0,
        item.Item?.gsi2pk === `ACC#${tenant.accountId}#INBOX#OPEN`,
      );
      partitions.add(String(item.Item?.gsi2pk));
    }
    assert.ok(partitions.size >= 3, `40 conversations in ${partitions.size} partitions`);
  });

  test('pages of every sort chain to the one big page: no duplicate, no gap, same order', async () => {
    const queries: Record<string, string>[] = [
      { sort: 'latest' },
      { sort: 'oldest' },
      { sort: 'newestOpening' },
      { sort: 'oldestOpening' },
      { view: 'open', sort: 'latest' },
      { view: 'open', sort: 'oldestOpening' },
      { sort: 'latest', unread: 'true' },
    ];
    const inAll = seeded.map((c) => c.id);
    const inOpen = seeded
      .filter((c) => {
        const b = bucketOf(chatStateOf(c), kit.clock.now);
        return b === 'OPEN' || b.startsWith('DEPT#');
      })
      .map((c) => c.id);
    for (const query of queries) {
      const whole = await kit.call('GET', '/api/conversations', { token, query: { ...query, limit: '100' } });
      assert.equal(whole.status, 200, JSON.stringify(whole.body));
      assert.equal(whole.body.nextCursor, undefined);
      const wholeIds = (whole.body.items as Conversation[]).map((c) => c.id);
      // No gap: every conversation of the view is listed, once.
      const expected =
        query.unread === 'true'
          ? seeded.filter((c) => c.unread > 0).map((c) => c.id)
          : query.view === 'open'
            ? inOpen
            : inAll;
      assert.deepEqual([...wholeIds].sort(), [...expected].sort(), JSON.stringify(query));
      // In order: by the sort's key, ties by conversation id.
      const keyOf = (c: Conversation) =>
        (query.sort ?? '').endsWith('Opening')
          ? `${String(c.openedAt ?? c.createdAt).padStart(15, '0')}#${c.id}`
          : `${String(c.lastMessageAt).padStart(15, '0')}#${c.id}`;
      const keysInOrder = (whole.body.items as Conversation[]).map(keyOf);
      const desc = query.sort === 'latest' || query.sort === 'newestOpening';
      assert.deepEqual(
        keysInOrder,
        [...keysInOrder].sort((a, b) => (desc ? b.localeCompare(a) : a.localeCompare(b))),
        JSON.stringify(query),
      );
      for (const limit of ['3', '7']) {
        const paged: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 60; guard++) {
          const page = await kit.call('GET', '/api/conversations', {
            token,
            query: { ...query, limit, ...(cursor ? { cursor } : {}) },
          });
          assert.equal(page.status, 200, JSON.stringify(page.body));
          paged.push(...(page.body.items as Conversation[]).map((c) => c.id));
          cursor = page.body.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(paged, wholeIds, `${JSON.stringify(query)} by ${limit}`);
        assert.equal(new Set(paged).size, paged.length);
      }
    }
  });

  test('counts add the shards up', async () => {
    const counts = await kit.call('GET', '/api/conversations/counts', { token });
    assert.equal(counts.status, 200);
    // Open: the open queue (40 + 2 indexed before sharding) and the department's 12.
    assert.equal(counts.body.open, 54, JSON.stringify(counts.body));
    assert.equal(counts.body.mine, 6);
  });
});

describe('inbox views across buckets: a round stops where a bucket with more rows ends', () => {
  // A view reads a slice of each of its buckets per round (fewer rows than the page when
  // it has many buckets). With one bucket dense in the sort's key and another sparse, the
  // sparse bucket's slice reaches much further: the round must stop at the dense bucket's
  // last row read, or the dense bucket's rows between the two are never listed (939ae04).
  let kit: ApiKit;
  let tenant: SeededTenant;
  let token: string;
  const seeded: Conversation[] = [];

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    token = (await loginAs(kit, tenant)).accessToken;
    // 30 with the agent, an hour apart; 30 closed, three hours apart and offset by half an
    // hour, so the two buckets' keys interleave (last message and opening alike). Neither
    // bucket is sharded, so each round reads exactly its slice of each.
    for (let i = 0; i < 30; i++) {
      seeded.push(
        await putConversation(kit, tenant, {
          agentId: tenant.user.id,
          lastMessageAt: T0 - i * HOUR,
          openedAt: T0 - 200 * HOUR - i * HOUR,
        }),
      );
      seeded.push(
        await putConversation(kit, tenant, {
          status: 'closed',
          lastMessageAt: T0 - (3 * i + 0.5) * HOUR,
          openedAt: T0 - 200 * HOUR - (3 * i + 0.5) * HOUR,
        }),
      );
    }
    assert.equal(inboxShardCount(`AGENT#${tenant.user.id}`), 1);
    assert.equal(inboxShardCount('CLOSED'), 1);
  });

  test('every conversation of the view is paged once, in order, at every page size', async () => {
    for (const sort of ['latest', 'oldest', 'newestOpening', 'oldestOpening']) {
      const opening = sort.endsWith('Opening');
      const desc = sort === 'latest' || sort === 'newestOpening';
      const keyOf = (c: Conversation) =>
        `${String(opening ? (c.openedAt ?? c.createdAt) : c.lastMessageAt).padStart(15, '0')}#${c.id}`;
      const expected = [...seeded]
        .sort((a, b) => (desc ? keyOf(b).localeCompare(keyOf(a)) : keyOf(a).localeCompare(keyOf(b))))
        .map((c) => c.id);
      for (const limit of ['5', '10', '25']) {
        const paged: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 40; guard++) {
          const page = await kit.call('GET', '/api/conversations', {
            token,
            query: { view: 'all', sort, limit, ...(cursor ? { cursor } : {}) },
          });
          assert.equal(page.status, 200, JSON.stringify(page.body));
          paged.push(...(page.body.items as Conversation[]).map((c) => c.id));
          cursor = page.body.nextCursor;
          if (!cursor) break;
        }
        assert.equal(new Set(paged).size, paged.length, `${sort} by ${limit}: a duplicate`);
        assert.deepEqual(paged, expected, `${sort} by ${limit}`);
      }
    }
  });
});
