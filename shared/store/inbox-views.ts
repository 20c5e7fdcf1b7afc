/**
 * The reads behind the inbox lists (INB-1, INB-4, INB-5): one bucket's slice of a view index
 * (gsi2 by last message, gsi3 by attendance opening, keys only), a bucket's count, the
 * search-term hits, and the BatchGet of conversations. The views' merge and paging
 * (shared/api/inbox-views.ts) build on these; every partition is built from the caller's
 * account id.
 */
import {
  BatchGetCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conversationIdOfSk, indexes, keys } from './keys.ts';
import { conversationSchema, type Conversation } from './types.ts';

/** Which view index a list reads: by last message (gsi2) or by attendance opening (gsi3). */
export type InboxOrder = 'lastMessage' | 'opening';

/** A row of a view index: its sort key, the conversation id, and the item where projected. */
export interface InboxRow {
  sk: string;
  id: string;
  /** gsi2 projects the item; gsi3 rows are keys only. */
  item?: Record<string, unknown>;
}

/** Conversations by id (BatchGet, 100 at a time, unprocessed keys retried with backoff). */
export async function batchGetConversations(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  ids: string[],
): Promise<Map<string, Conversation>> {
  const out = new Map<string, Conversation>();
  for (let i = 0; i < ids.length; i += 100) {
    let request: Record<string, unknown>[] | undefined = [...new Set(ids.slice(i, i + 100))].map((id) =>
      keys.conversation(accountId, id),
    );
    for (let attempt = 0; request?.length && attempt < 6; attempt++) {
      const res: BatchGetCommandOutput = await ddb.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request } } }),
      );
      for (const item of res.Responses?.[tableName] ?? []) {
        const conv = conversationSchema.parse(item);
        out.set(conv.id, conv);
      }
      request = res.UnprocessedKeys?.[tableName]?.Keys;
      if (request?.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
  return out;
}

/**
 * Up to `limit` rows of one shard of one bucket's partition of the `order` index, strictly
 * after `bound` (an index sort key) in the direction asked, and whether it has more.
 */
async function readInboxShard(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  order: InboxOrder,
  descending: boolean,
  bound: string | undefined,
  limit: number,
): Promise<{ rows: InboxRow[]; more: boolean }> {
  const ix = order === 'opening' ? indexes.inboxByOpening : indexes.inboxByLastMessage;
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: ix,
      KeyConditionExpression: `${ix}pk = :pk${bound ? ` AND ${ix}sk ${descending ? '<' : '>'} :b` : ''}`,
      ExpressionAttributeValues: { ':pk': pk, ...(bound ? { ':b': bound } : {}) },
      ScanIndexForward: !descending,
      Limit: limit,
    }),
  );
  const rows = (res.Items ?? []).map((r) => ({
    sk: String(r[`${ix}sk`]),
    id: conversationIdOfSk(String(r.sk)),
    ...(order === 'lastMessage' ? { item: r } : {}),
  }));
  return { rows, more: Boolean(res.LastEvaluatedKey) };
}

/**
 * Rows of one bucket of the `order` index, strictly after `bound` (an index sort key) in
 * the direction asked, in that order, and whether the bucket has more. A sharded bucket
 * (keys.ts inboxShardCount) reads up to `limit` rows of every shard and merges them up to
 * the nearest point a shard with more rows has reached — past it, an unread row of that
 * shard could come first — so the rows returned are exactly the bucket's next ones (their
 * number may differ from `limit`), and `more` says rows were left.
 */
export async function readInboxBucket(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bucket: string,
  order: InboxOrder,
  descending: boolean,
  bound: string | undefined,
  limit: number,
): Promise<{ rows: InboxRow[]; more: boolean }> {
  const shards = keys.inboxShardPartitions(accountId, bucket);
  const read = await Promise.all(
    shards.map((parts) =>
      readInboxShard(
        ddb,
        tableName,
        order === 'opening' ? parts.gsi3pk : parts.gsi2pk,
        order,
        descending,
        bound,
        limit,
      ),
    ),
  );
  if (read.length === 1) return read[0]!;
  const before = (a: string, b: string) => (descending ? a > b : a < b);
  let cut: string | undefined;
  for (const r of read) {
    const last = r.rows.at(-1)?.sk;
    if (r.more && last && (cut === undefined || before(last, cut))) cut = last;
  }
  const rows = read
    .flatMap((r) => r.rows)
    .filter((row) => cut === undefined || !before(cut, row.sk))
    .sort((a, b) => (before(a.sk, b.sk) ? -1 : 1));
  return { rows, more: read.some((r) => r.more) };
}

/**
 * How many conversations of one bucket pass `visible`, up to `cap`. `visible` undefined:
 * every one counts and no item is read (Select COUNT); otherwise only the visibility
 * fields are read.
 */
export async function countInboxBucket(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bucket: string,
  cap: number,
  visible?: (c: Pick<Conversation, 'agentId' | 'departmentId'>) => boolean,
): Promise<number> {
  const ix = indexes.inboxByLastMessage;
  let n = 0;
  for (const { gsi2pk } of keys.inboxShardPartitions(accountId, bucket)) {
    if (n >= cap) break;
    n += await countShard(gsi2pk, cap - n);
  }
  return Math.min(n, cap);

  async function countShard(pk: string, shardCap: number): Promise<number> {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: ix,
          KeyConditionExpression: `${ix}pk = :pk`,
          ExpressionAttributeValues: { ':pk': pk },
          ...(visible
            ? { ProjectionExpression: 'agentId, departmentId, inboxBucket' }
            : { Select: 'COUNT' as const }),
          Limit: shardCap - n,
          ExclusiveStartKey: start,
        }),
      );
      if (!visible) n += res.Count ?? 0;
      else
        for (const item of res.Items ?? [])
          if (visible(item as Pick<Conversation, 'agentId' | 'departmentId'>)) n++;
      start = res.LastEvaluatedKey;
    } while (start && n < shardCap);
    return n;
  }
}

/** Conversation ids of the search terms starting with `prefix` (`n:<word>` or `p:<digits>`), up to `limit`. */
export async function searchTermHits(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  prefix: string,
  limit: number,
): Promise<string[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.searchPartition(accountId, prefix), ':p': prefix },
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map((i) => String(i.conversationId));
}
