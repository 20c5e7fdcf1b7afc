/**
 * The inbox lists (INB-1, INB-4, INB-5): a view is the union of its buckets
 * (shared/domain/inbox.ts bucketsOf), read from gsi2 (by last message) or gsi3 (by
 * attendance opening, keys only) and merged in order. Filters and the view's rule
 * (inView: the Open departments, "Setores isolados") are applied to each bucket's items while reading; a bucket that would need more than
 * a few pages to fill the page stops early, and the page ends where every bucket has
 * been read (the cursor says where to continue), so a page is always exact and in order.
 *
 * Search reads the search-term items (name words, phone digits) and the protocol lookup,
 * then applies the same view and filters.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import { z } from 'zod';
import {
  bucketsOf,
  canSee,
  inView,
  seesEverything,
  type Bucket,
  type View,
  type Viewer,
} from '#shared/domain/inbox.ts';
import { windowState } from '#shared/domain/window.ts';
import { listDepartments } from '#shared/store/catalog.ts';
import { findConversationByProtocol } from '#shared/store/conversations.ts';
import { chatStateOf, normalizeText, reversedDigits } from '#shared/store/inbox.ts';
import {
  batchGetConversations,
  countInboxBucket,
  readInboxBucket,
  searchTermHits,
} from '#shared/store/inbox-views.ts';
import { conversationSchema, type Conversation, type User } from '#shared/store/types.ts';
import { accountUsers, forgetAccountUsers } from '#shared/store/users.ts';
import { createCache } from '#shared/cache.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Page } from './inbox-queries.ts';

export const sorts = ['latest', 'oldest', 'newestOpening', 'oldestOpening'] as const;
export type Sort = (typeof sorts)[number];

export interface InboxFilters {
  departmentId?: string;
  campaignId?: string;
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
const DIRECTORY_TTL_MS = 5000;
const directoryCache = createCache<string, Directory>({ ttlMs: DIRECTORY_TTL_MS, max: 10_000 });

export async function accountDirectory(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  now: number,
): Promise<Directory> {
  const hit = directoryCache.get(`${tableName}/${accountId}`, now);
  if (hit) return hit;
  const [users, departments] = await Promise.all([
    accountUsers(ddb, tableName, accountId, now),
    listDepartments(ddb, tableName, accountId),
  ]);
  const dir = { users, departmentIds: departments.map((d) => d.id), at: now };
  directoryCache.set(`${tableName}/${accountId}`, dir, now);
  return dir;
}

/** After a user or department is added or changed: the next read sees it. */
export function forgetDirectory(tableName: string, accountId: string): void {
  directoryCache.delete(`${tableName}/${accountId}`);
  forgetAccountUsers(tableName, accountId);
}

// ── filters ────────────────────────────────────────────────────────────────────────────

export function matchesFilters(conv: Conversation, f: InboxFilters, now: number): boolean {
  if (f.departmentId && conv.departmentId !== f.departmentId) return false;
  if (f.agentId && conv.agentId !== f.agentId) return false;
  if (f.numberId && conv.numberId !== f.numberId) return false;
  if (f.campaignId && conv.campaign?.id !== f.campaignId) return false;
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

const MAX_ROUNDS = 4;
/** Rows read per bucket and round when filters may reject many of them. */
const FILTERED_READ = 100;

/**
 * Rows to read from each bucket in a round. A page rarely takes many rows from one bucket,
 * so the first round reads a share (the cut keeps the page exact; a later round reads
 * more where needed). Filters may reject rows: read more.
 */
function perBucket(round: number, want: number, buckets: number, filtered: boolean): number {
  if (filtered) return round ? FILTERED_READ : Math.max(2 * want, 20);
  return round ? want : Math.min(want, Math.ceil((2 * want) / buckets) + 2);
}

const opening = (sort: Sort) => sort === 'newestOpening' || sort === 'oldestOpening';
const descending = (sort: Sort) => sort === 'latest' || sort === 'newestOpening';

const cursorSchema = z.object({ s: z.enum(sorts), k: z.string().regex(/^\d{15}#[0-9A-Za-z]+$/) });

/**
 * One page of a view, in the sort's order. Each round reads a slice of every bucket from
 * the cursor, merges the rows, and walks them in order up to the furthest point every
 * bucket with more rows has reached (past it, an unread row of that bucket could come
 * first); keys-only rows fetch their items only as the walk needs them.
 */
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
  const before = (a: string, b: string) => (desc ? a > b : a < b);
  let bound: string | undefined;
  if (input.cursor) {
    const c = decodeCursor(input.cursor, cursorSchema);
    bound = c.s === input.sort ? c.k : undefined;
  }
  const filtered =
    Boolean(
      input.departmentId || input.agentId || input.numberId || input.campaignId || input.tag || input.unread,
    ) || !seesEverything(viewer);
  const keep = (c: Conversation, bucket: string) =>
    c.inboxBucket === bucket &&
    inView(input.view, viewer, chatStateOf(c), now) &&
    matchesFilters(c, input, now);

  const items: Conversation[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const want = input.limit - items.length;
    const read = await Promise.all(
      buckets.map(async (b) => ({
        bucket: b,
        ...(await readInboxBucket(
          ddb,
          tableName,
          accountId,
          b,
          opening(input.sort) ? 'opening' : 'lastMessage',
          desc,
          bound,
          perBucket(round, want, buckets.length, filtered),
        )),
      })),
    );
    let cut: string | undefined;
    for (const r of read) {
      const last = r.rows.at(-1)?.sk;
      // The earliest (in walk order) last row of a bucket that has more: past it, that
      // bucket's unread rows could belong, so the round stops there (as between shards).
      if (r.more && last && (cut === undefined || before(last, cut))) cut = last;
    }
    const rows = read
      .flatMap((r) => r.rows.map((row) => ({ ...row, bucket: r.bucket })))
      .filter((row) => cut === undefined || !before(cut, row.sk))
      .sort((a, b) => (before(a.sk, b.sk) ? -1 : 1));
    // Walk in order, fetching keys-only rows' items a slice at a time.
    for (let i = 0; i < rows.length && items.length < input.limit;) {
      const slice = rows.slice(i, i + Math.max(input.limit - items.length, 10));
      const missing = slice.filter((r) => !r.item).map((r) => r.id);
      const fetched = missing.length
        ? await batchGetConversations(ddb, tableName, accountId, missing)
        : new Map<string, Conversation>();
      for (const row of slice) {
        i++;
        const conv = row.item ? conversationSchema.parse(row.item) : fetched.get(row.id);
        if (conv && keep(conv, row.bucket)) items.push(conv);
        if (items.length === input.limit) {
          const more = i < rows.length || cut !== undefined;
          return { items, ...(more ? { nextCursor: encodeCursor({ s: input.sort, k: row.sk }) } : {}) };
        }
      }
    }
    if (cut === undefined) return { items };
    bound = cut;
  }
  return { items, nextCursor: encodeCursor({ s: input.sort, k: bound! }) };
}

// ── counts of the open views (the tabs) ────────────────────────────────────────────────

/** Counts stop here: the tabs show "99+" beyond (a count of thousands is read, not shown). */
export const COUNT_CAP = 100;

async function countBucket(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bucket: Bucket,
  viewer: Viewer,
  cap: number,
): Promise<number> {
  // Buckets whose every chat the viewer may see are counted without reading the items:
  // Open's department buckets are the viewer's own; with "Setores isolados" an agent's
  // bucket may hold chats of other departments.
  const plain = seesEverything(viewer) || !bucket.startsWith('AGENT#') || bucket === `AGENT#${viewer.userId}`;
  return countInboxBucket(
    ddb,
    tableName,
    accountId,
    bucket,
    cap,
    plain ? undefined : (c) => canSee(viewer, c),
  );
}

/** How many chats Open, Mine and In service list for the viewer, up to COUNT_CAP each. */
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
    let total = 0;
    // Bucket after bucket, in parallel slices, until the cap.
    const buckets = bucketsOf(view, viewer, account);
    for (let i = 0; i < buckets.length && total < COUNT_CAP; i += 8) {
      const ns = await Promise.all(
        buckets.slice(i, i + 8).map((b) => countBucket(ddb, tableName, accountId, b, viewer, COUNT_CAP)),
      );
      total += ns.reduce((a, b) => a + b, 0);
    }
    return Math.min(total, COUNT_CAP);
  };
  const [open, mine, service] = await Promise.all([
    countView('open'),
    countView('mine'),
    countView('service'),
  ]);
  return { open, mine, service };
}

// ── search by name, phone, protocol ────────────────────────────────────────────────────

const SEARCH_LIMIT = 60;

const termHits = (ddb: DynamoDBDocumentClient, tableName: string, accountId: string, prefix: string) =>
  searchTermHits(ddb, tableName, accountId, prefix, SEARCH_LIMIT);

/**
 * Conversations whose contact name has words starting with each word of `q`, whose phone
 * starts with its digits (with or without the country code) or ends with them (4 or more),
 * or whose protocol is `q`.
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
  const protocol = /^(\d{8})-?(\d{6,})$/.exec(trimmed);
  if (protocol) {
    // A protocol (20261124-000042, typed with or without the dash).
    const byProtocol = await findConversationByProtocol(
      ddb,
      tableName,
      accountId,
      `${protocol[1]}-${protocol[2]}`,
    );
    if (byProtocol) found.set(byProtocol.id, byProtocol);
  } else if (/^\d{4,13}$/.test(compact)) {
    // A phone, its beginning (with or without Brazil's country code) or its ending (the
    // last 4+ digits, without country code or DDD: the reversed `s:` terms, a prefix query too).
    const prefixes = [
      `p:${compact}`,
      ...(compact.startsWith('55') ? [] : [`p:55${compact}`]),
      `s:${reversedDigits(compact)}`,
    ];
    const ids = (await Promise.all(prefixes.map((p) => termHits(ddb, tableName, accountId, p)))).flat();
    for (const [id, conv] of await batchGetConversations(ddb, tableName, accountId, ids)) {
      const digits = conv.contactPhone.replace(/\D/g, '');
      if (digits.startsWith(compact) || digits.startsWith(`55${compact}`) || digits.endsWith(compact))
        found.set(id, conv);
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
    .filter((c) => inView(input.view, viewer, chatStateOf(c), now) && matchesFilters(c, input, now))
    .sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)))
    .slice(0, input.limit);
  return { items };
}
