/**
 * The conversation's place in the inbox indexes (INB-1, INB-4, INB-5):
 * - gsi2 `ACC#a#INBOX#<bucket>` / `<lastMessageAt>#cv` — the views by last message;
 * - gsi3 `ACC#a#OPENED#<bucket>` / `<openedAt>#cv` (keys only) — the views by opening;
 * - search terms `ACC#a#SEARCH` / `<term>#cv` — contact name words and phone digits.
 *
 * The bucket is a function of the conversation's state (shared/domain/inbox.ts bucketOf).
 * Whoever changes that state calls syncInboxKeys (shared/store/conversations.ts) with the item it wrote; the sync is
 * conditional on the state it computed from, so concurrent changes converge on the last
 * state. The engine also checks it on every message (free when right), which heals a
 * crash between a state change and its sync.
 */
import {
  BatchWriteCommand,
  PutCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { chatStateOf } from '#shared/domain/inbox.ts';

export { chatStateOf };
import { acc, keys, prefixes } from './keys.ts';
import { queryPrefix } from './ops.ts';
import type { Conversation } from './types.ts';

/** The index attributes of a conversation in `bucket` (for puts and full rewrites). */
export function inboxKeys(
  conv: Pick<Conversation, 'accountId' | 'id' | 'lastMessageAt'>,
  bucket: string,
  openedAt: number,
) {
  return {
    inboxBucket: bucket,
    ...keys.inboxByLastMessage(conv.accountId, bucket, conv.lastMessageAt, conv.id),
    ...keys.inboxByOpening(conv.accountId, bucket, openedAt, conv.id),
  };
}

/**
 * The SET clauses (and their values) that put a conversation in `bucket`: both partitions
 * move; the sort keys are written only where missing (a message moves gsi2sk itself, an
 * opening gsi3sk).
 */
export function bucketSets(
  conv: Conversation,
  bucket: string,
): { sets: string[]; values: Record<string, unknown> } {
  const k = inboxKeys(conv, bucket, conv.openedAt ?? conv.createdAt);
  return {
    sets: [
      'inboxBucket = :b',
      'gsi2pk = :g2pk',
      'gsi2sk = if_not_exists(gsi2sk, :g2sk)',
      'gsi3pk = :g3pk',
      'gsi3sk = if_not_exists(gsi3sk, :g3sk)',
    ],
    values: { ':b': bucket, ':g2pk': k.gsi2pk, ':g2sk': k.gsi2sk, ':g3pk': k.gsi3pk, ':g3sk': k.gsi3sk },
  };
}

/** Lower case, no accents, letters and digits only: how names are indexed and searched. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A phone's digits read backwards: its `s:` term, so that a suffix search is a prefix query. */
export const reversedDigits = (digits: string): string => [...digits].reverse().join('');

/**
 * The search terms of a conversation: `p:<digits>` for the phone, `s:<digits reversed>` for
 * its endings (the last 4+ digits, without country code or DDD), `n:<word>` per name word.
 */
export function searchTermsOf(conv: Pick<Conversation, 'contactName' | 'contactPhone'>): string[] {
  const terms: string[] = [];
  const digits = conv.contactPhone.replace(/\D/g, '');
  if (digits) terms.push(`p:${digits}`, `s:${reversedDigits(digits)}`);
  const words = new Set(
    normalizeText(conv.contactName)
      .split(' ')
      .filter((w) => w.length >= 2)
      .map((w) => `n:${w.slice(0, 40)}`),
  );
  return [...terms, ...words].slice(0, 12);
}

/** Writes the search terms (idempotent; stale ones are harmless: results are re-checked). */
export async function putSearchTerms(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Pick<Conversation, 'accountId' | 'id' | 'contactName' | 'contactPhone'>,
): Promise<void> {
  const terms = searchTermsOf(conv);
  if (!terms.length) return;
  let items: Record<string, unknown>[] | undefined = terms.map((t) => ({
    PutRequest: { Item: { ...keys.searchTerm(conv.accountId, t, conv.id), conversationId: conv.id } },
  }));
  for (let attempt = 0; items?.length && attempt < 5; attempt++) {
    const res: BatchWriteCommandOutput = await ddb.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: items } }),
    );
    items = res.UnprocessedItems?.[tableName];
    if (items?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
}

/** The account's campaigns (ads and posts customers came from), for the inbox filter. */
export async function rememberCampaign(
  deps: { ddb: DynamoDBDocumentClient; tableName: string },
  accountId: string,
  referral: { sourceId: string; headline?: string; sourceType?: string },
): Promise<void> {
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        ...keys.campaign(accountId, referral.sourceId),
        id: referral.sourceId,
        name: referral.headline ?? referral.sourceId,
        ...(referral.sourceType ? { sourceType: referral.sourceType } : {}),
      },
    }),
  );
}

export async function listCampaigns(
  deps: { ddb: DynamoDBDocumentClient; tableName: string },
  accountId: string,
): Promise<{ id: string; name: string; sourceType?: string }[]> {
  return (await queryPrefix(deps.ddb, deps.tableName, acc(accountId), prefixes.campaign)).map((i) => ({
    id: String(i.id),
    name: String(i.name),
    ...(typeof i.sourceType === 'string' ? { sourceType: i.sourceType } : {}),
  }));
}
