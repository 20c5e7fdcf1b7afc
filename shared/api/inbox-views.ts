/**
 * The inbox lists (INB-1, INB-4, INB-5): a view is the union of its buckets
 * (shared/domain/inbox.ts bucketsOf), read from gsi2 (by last message) or gsi3 (by
 * attendance opening, keys only) and merged in order. Filters and the visibility rule
 * are applied to each bucket's items while reading; a bucket that would need more than
 * a few pages to fill the page stops early, and the page ends where every bucket has
 * been read (the cursor says where to continue), so a page is always exact and in order.
 *
 * Search reads the search-term items (name words, phone digits) and the protocol lookup,
 * then applies the same view and filters.
 */
import {
  BatchGetCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { bucketsOf, canSee, inView, type Bucket, type View, type Viewer } from '#shared/domain/inbox.ts';
import { windowState } from '#shared/domain/window.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import { findConversationByProtocol } from '#shared/store/conversations.ts';
import { chatStateOf, normalizeText } from '#shared/store/inbox.ts';
import { acc, keys } from '#shared/store/keys.ts';
import { queryPrefix } from '#shared/store/ops.ts';
import { conversationSchema, userSchema, type Conversation, type User } from '#shared/store/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Page } from './inbox-queries.ts';

export const sorts = ['latest', 'oldest', 'newestOpening', 'oldestOpening'] as const;
export type Sort = (typeof sorts)[number];

export interface InboxFilters {
  departmentId?: string;
  agentId?: string;
  numberId?: string;
  tag?: 'expiring' | 'expired';
  unread?: boolean;
}

export interface ListViewInput extends InboxFilters {
  view: View;
  sort: Sort;
  q?: string;
  limit: number;
  cursor?: string;
}

// ── the account's people and departments (which buckets exist) ─────────────────────────

interface Directory {
  users: User[];
  departmentIds: string[];
  at: number;
}
const directoryCache = new Map<string, Directory>();
const DIRECTORY_TTL_MS = 5000;

export async function accountDirectory(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
): Promise<Directory> {
  const hit = directoryCache.get(`${tableName}/${accountId}`);
  if (hit && now - hit.at < DIRECTORY_TTL_MS && now >= hit.at) return hit;
  const [users, departments] = await Promise.all([
    queryPrefix(ddb, tableName, acc(accountId), 'USER#'),
    listDepartments(ddb, tableName, accountId),
  ]);
  const dir = {
    users: users.map((u) => userSchema.parse(u)),
    departmentIds: departments.map((d) => d.id),
    at: now,
  };
  directoryCache.set(`${tableName}/${accountId}`, dir);
  return dir;
}

/** After a user or department is added or changed: the next read sees it. */
export function forgetDirectory(tableName: string, accountId: string): void {
  directoryCache.delete(`${tableName}/${accountId}`);
}

// ── filters ────────────────────────────────────────────────────────────────────────────

export function matchesFilters(conv: Conversation, f: InboxFilters, now: number): boolean {
  if (f.departmentId && conv.departmentId !== f.departmentId) return false;
  if (f.agentId && conv.agentId !== f.agentId) return false;
  if (f.numberId && conv.numberId !== f.numberId) return false;
  if (f.unread && !(conv.unread > 0 || conv.markedUnread)) return false;
  if (f.tag && (conv.status !== 'open' || windowState(conv.windowExpiresAt, now) !== f.tag)) return false;
  return true;
}

/** Buckets that cannot hold a match of these filters are not read at all. */
function narrow(buckets: Bucket[], f: InboxFilters): Bucket[] {
  return buckets.filter((b) => {
    if (f.agentId) return b === `AGENT#${f.agentId}` || b === 'LATER';
    if (f.departmentId)
      return b === `DEPT#${f.departmentId}` || b.startsWith('AGENT#') || b === 'LATER' || b === 'BOT';
    if (f.tag) return b !== 'CLOSED';
    return true;
  });
}

// ── reading buckets in order ───────────────────────────────────────────────────────────

const PAGE_READ = 100;
const MAX_PAGES_PER_BUCKET = 4;
const MAX_ROUNDS = 3;

interface Hit {
  sk: string;
  conv: Conversation;
}

const opening = (sort: Sort) => sort === 'newestOpening' || sort === 'oldestOpening';
const descending = (sort: Sort) => sort === 'latest' || sort === 'newestOpening';

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

async function readBucket(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bucket: Bucket,
  sort: Sort,
  bound: string | undefined,
  want: number,
  keep: (c: Conversation) => boolean,
): Promise<{ hits: Hit[]; frontier?: string }> {
  const ix = opening(sort) ? 'gsi3' : 'gsi2';
  const desc = descending(sort);
  const pk = opening(sort)
    ? keys.inboxByOpening(accountId, bucket, 0, '').gsi3pk
    : keys.inboxByLastMessage(accountId, bucket, 0, '').gsi2pk;
  const hits: Hit[] = [];
  let start: Record<string, unknown> | undefined;
  let lastSk: string | undefined;
  for (let page = 0; page < MAX_PAGES_PER_BUCKET; page++) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: ix,
        KeyConditionExpression: `${ix}pk = :pk${bound ? ` AND ${ix}sk ${desc ? '<' : '>'} :b` : ''}`,
        ExpressionAttributeValues: { ':pk': pk, ...(bound ? { ':b': bound } : {}) },
        ScanIndexForward: !desc,
        Limit: PAGE_READ,
        ExclusiveStartKey: start,
      }),
    );
    const rows = res.Items ?? [];
    let convs: (Conversation | undefined)[];
    if (ix === 'gsi3') {
      const found = await batchGetConversations(
        ddb,
        tableName,
        accountId,
        rows.map((r) => String(r.sk).slice('CONV#'.length)),
      );
      convs = rows.map((r) => found.get(String(r.sk).slice('CONV#'.length)));
    } else convs = rows.map((r) => conversationSchema.parse(r));
    rows.forEach((row, i) => {
      const conv = convs[i];
      // A keys-only row may be behind its item for a moment: the item's own bucket decides.
      if (conv && conv.inboxBucket === bucket && keep(conv)) hits.push({ sk: String(row[`${ix}sk`]), conv });
    });
    if (rows.length) lastSk = String(rows[rows.length - 1]![`${ix}sk`]);
    start = res.LastEvaluatedKey;
    if (!start) return { hits };
    if (hits.length >= want) break;
  }
  return { hits, ...(lastSk ? { frontier: lastSk } : {}) };
}

const cursorSchema = z.object({ s: z.enum(sorts), k: z.string().regex(/^\d{15}#[0-9A-Za-z]+$/) });

/** One page of a view, in the sort's order (see the module comment for how it stays exact). */
export async function listView(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  viewer: Viewer,
  input: ListViewInput,
  now: number,
): Promise<Page<Conversation>> {
  const dir = await accountDirectory(ddb, tableName, accountId, now);
  const buckets = narrow(
    bucketsOf(input.view, viewer, { departmentIds: dir.departmentIds, agentIds: dir.users.map((u) => u.id) }),
    input,
  );
  const desc = descending(input.sort);
  let bound: string | undefined;
  if (input.cursor) {
    const c = decodeCursor(input.cursor, cursorSchema);
    if (c.s !== input.sort) bound = undefined;
    else bound = c.k;
  }
  const keep = (c: Conversation) =>
    canSee(viewer, c) && inView(input.view, viewer, chatStateOf(c), now) && matchesFilters(c, input, now);

  const items: Conversation[] = [];
  let next: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const want = input.limit - items.length;
    const read = await Promise.all(
      buckets.map((b) => readBucket(ddb, tableName, accountId, b, input.sort, bound, want, keep)),
    );
    const frontiers = read.flatMap((r) => (r.frontier ? [r.frontier] : []));
    const cut = frontiers.length
      ? frontiers.reduce((a, b) => (desc ? (a > b ? a : b) : a < b ? a : b))
      : undefined;
    const safe = read
      .flatMap((r) => r.hits)
      .filter((h) => cut === undefined || (desc ? h.sk >= cut : h.sk <= cut))
      .sort((a, b) => (desc ? (a.sk < b.sk ? 1 : -1) : a.sk < b.sk ? -1 : 1));
    const taken = safe.slice(0, want);
    items.push(...taken.map((h) => h.conv));
    if (taken.length === want && (safe.length > want || cut !== undefined)) {
      next = taken[taken.length - 1]!.sk;
      break;
    }
    if (taken.length === want && safe.length === want && cut === undefined) {
      // Exactly filled and nothing beyond: the view ends here.
      next = undefined;
      break;
    }
    if (cut === undefined) {
      next = undefined;
      break;
    }
    bound = cut;
    next = cut;
  }
  return { items, ...(next ? { nextCursor: encodeCursor({ s: input.sort, k: next }) } : {}) };
}

// ── counts of the open views (the tabs) ────────────────────────────────────────────────

async function countBucket(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bucket: Bucket,
  viewer: Viewer,
  now: number,
): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.inboxByLastMessage(accountId, bucket, 0, '').gsi2pk },
        ProjectionExpression: 'agentId, departmentId, postponedUntil, #st, inboxBucket',
        ExpressionAttributeNames: { '#st': 'status' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) {
      const c = item as Pick<Conversation, 'agentId' | 'departmentId' | 'inboxBucket'>;
      if (c.inboxBucket === bucket && canSee(viewer, c)) n++;
    }
    start = res.LastEvaluatedKey;
  } while (start);
  void now;
  return n;
}

export async function viewCounts(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  viewer: Viewer,
  now: number,
): Promise<Record<'open' | 'mine' | 'service', number>> {
  const dir = await accountDirectory(ddb, tableName, accountId, now);
  const account = { departmentIds: dir.departmentIds, agentIds: dir.users.map((u) => u.id) };
  const countView = async (view: View) => {
    const ns = await Promise.all(
      bucketsOf(view, viewer, account).map((b) => countBucket(ddb, tableName, accountId, b, viewer, now)),
    );
    return ns.reduce((a, b) => a + b, 0);
  };
  const [open, mine, service] = await Promise.all([
    countView('open'),
    countView('mine'),
    countView('service'),
  ]);
  return { open, mine, service };
}

// ── search by name, phone, protocol ────────────────────────────────────────────────────

const SEARCH_LIMIT = 200;

async function termHits(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  prefix: string,
): Promise<string[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.searchPartition(accountId), ':p': prefix },
      Limit: SEARCH_LIMIT,
    }),
  );
  return (res.Items ?? []).map((i) => String(i.conversationId));
}

/**
 * Conversations whose contact name has words starting with each word of `q`, whose phone
 * starts with its digits (with or without the country code), or whose protocol is `q`.
 */
export async function searchConversations(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  q: string,
): Promise<Conversation[]> {
  const trimmed = q.trim();
  const compact = trimmed.replace(/[\s().+-]/g, '');
  const found = new Map<string, Conversation>();
  if (/^\d{4,}$/.test(compact)) {
    const byProtocol = await findConversationByProtocol(ddb, tableName, accountId, compact);
    if (byProtocol) found.set(byProtocol.id, byProtocol);
    const prefixes = [`p:${compact}`, ...(compact.startsWith('55') ? [] : [`p:55${compact}`])];
    const ids = (await Promise.all(prefixes.map((p) => termHits(ddb, tableName, accountId, p)))).flat();
    for (const [id, conv] of await batchGetConversations(ddb, tableName, accountId, ids)) {
      const digits = conv.contactPhone.replace(/\D/g, '');
      if (digits.startsWith(compact) || digits.startsWith(`55${compact}`)) found.set(id, conv);
    }
  } else {
    const words = normalizeText(trimmed).split(' ').filter(Boolean);
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
    // Names are indexed by words of two letters or more; every word of q must match.
    if (longest.length < 2) return [];
    const ids = await termHits(ddb, tableName, accountId, `n:${longest}`);
    for (const [id, conv] of await batchGetConversations(ddb, tableName, accountId, ids)) {
      const nameWords = normalizeText(conv.contactName).split(' ');
      if (words.every((w) => nameWords.some((n) => n.startsWith(w)))) found.set(id, conv);
    }
  }
  return [...found.values()];
}

/** A search's results within the view and filters, in the sort's order (one page, no cursor). */
export async function searchView(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  viewer: Viewer,
  input: ListViewInput & { q: string },
  now: number,
): Promise<Page<Conversation>> {
  const all = await searchConversations(ddb, tableName, accountId, input.q);
  const desc = descending(input.sort);
  const key = (c: Conversation) => (opening(input.sort) ? (c.openedAt ?? c.createdAt) : c.lastMessageAt);
  const items = all
    .filter(
      (c) =>
        canSee(viewer, c) && inView(input.view, viewer, chatStateOf(c), now) && matchesFilters(c, input, now),
    )
    .sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)))
    .slice(0, input.limit);
  return { items };
}
