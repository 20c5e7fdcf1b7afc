/**
 * The outbox: outgoing messages not yet settled (`pending`, including sends in doubt),
 * found cheaply by the sweeper (shared/engine/sweeper.ts) through a sparse entry on gsi3
 * (keys only): `gsi3pk = OUTBOX#<shard>`, `gsi3sk = <createdAt:15>#<messageId>`, written
 * with the message and removed in the same update that settles it (sent or failed). Keys
 * only, so the updates in between (`sendingAt`…) write no index; an entry costs one index
 * write when the message is stored and one when it settles.
 *
 * The partition is global (the sweeper is the deployment's, not a tenant's, and runs with
 * no request), so it is split by the message id: 32 shards, one per character of the
 * ULID's random last character, so evenly. A reply costs two index writes (stored,
 * settled): 32 × 1,000 units/s is ≈16,000 replies/s before the index partitions throttle,
 * above docs/capacity.md's 10,000 messages/s across a deployment all answered (625 units/s
 * a shard). An entry is removed by its item's update (SETTLE_OUTBOX), never by recomputing
 * its shard, and the sweeper reads every shard: entries written under the earlier four
 * shards (`OUTBOX#0`–`3`) are still found and settled. The sweeper reads only entries
 * older than a deadline, i.e. what is stuck, never the traffic in flight.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexes, keys, padSortNumber as pad } from './keys.ts';
import { messageSchema, type Message } from './types.ts';

export const OUTBOX_SHARDS = 32;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The shard of a message id: its last character (random in a ULID) by its place in the
 * ULID alphabet, one character per shard; any other character by its code.
 */
export function outboxShard(messageId: string): number {
  const last = messageId.at(-1) ?? '';
  const place = CROCKFORD.indexOf(last);
  return (place >= 0 ? place : last.charCodeAt(0) || 0) % OUTBOX_SHARDS;
}

/** At most this many unsettled messages per sweep (what the four shards' 200 each came to). */
export const SWEEP_LIMIT = 800;

/** The sparse index entry of an unsettled outgoing message. */
export function outboxKeys(m: Pick<Message, 'id' | 'createdAt'>): { gsi3pk: string; gsi3sk: string } {
  return keys.outboxEntry(outboxShard(m.id), m.createdAt, m.id);
}

/** Removes the entry: appended to the update that settles a message (sent, failed). */
export const SETTLE_OUTBOX = 'REMOVE gsi3pk, gsi3sk';

/**
 * Unsettled outgoing messages written at `before` or earlier, across accounts, at most `limit`
 * (the oldest first, so a sweep that stops early resumes where it matters): each shard's
 * oldest `limit` entries (keys only, the shards side by side), then the oldest `limit` of
 * them all. Each is read again consistently (the index is eventually consistent; a settled
 * one is skipped).
 */
export async function listUnsettledBefore(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  before: number,
  limit = SWEEP_LIMIT,
): Promise<Message[]> {
  const readShard = async (shard: number) => {
    const refs: { pk: string; sk: string; at: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexes.outbox,
          KeyConditionExpression: 'gsi3pk = :p AND gsi3sk < :t',
          // Written at `before` or earlier (`#` < `~`).
          ExpressionAttributeValues: { ':p': keys.outboxPartition(shard), ':t': `${pad(before)}#~` },
          Limit: limit - refs.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const i of res.Items ?? [])
        refs.push({ pk: String(i.pk), sk: String(i.sk), at: String(i.gsi3sk) });
      start = refs.length < limit ? res.LastEvaluatedKey : undefined;
    } while (start);
    return refs;
  };
  const shards = Array.from({ length: OUTBOX_SHARDS }, (_, shard) => shard);
  const refs = (await Promise.all(shards.map(readShard)))
    .flat()
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const out: Message[] = [];
  for (const ref of refs.slice(0, limit)) {
    const res = await ddb.send(
      new GetCommand({ TableName: tableName, Key: { pk: ref.pk, sk: ref.sk }, ConsistentRead: true }),
    );
    if (res.Item?.gsi3pk) out.push(messageSchema.parse(res.Item));
  }
  return out;
}
