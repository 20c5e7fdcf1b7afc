/**
 * The outbox: outgoing messages not yet settled (`pending`, including sends in doubt),
 * found cheaply by the sweeper (shared/engine/sweeper.ts) through a sparse entry on gsi3
 * (keys only): `gsi3pk = OUTBOX#<shard>`, `gsi3sk = <createdAt:15>#<messageId>`, written
 * with the message and removed in the same update that settles it (sent or failed). Keys
 * only, so the updates in between (`sendingAt`…) write no index; an entry costs one index
 * write when the message is stored and one when it settles.
 *
 * The partition is global (the sweeper is the deployment's, not a tenant's, and runs with
 * no request): four shards by the message id, so ≈4,000 outgoing messages per second
 * before the index partitions throttle. The sweeper reads only entries older than a
 * deadline, i.e. what is stuck, never the traffic in flight.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexes, keys, padSortNumber as pad } from './keys.ts';
import { messageSchema, type Message } from './types.ts';

export const OUTBOX_SHARDS = 4;

/** The shard of a message id (its last character: random in a ULID). */
export function outboxShard(messageId: string): number {
  return messageId.charCodeAt(messageId.length - 1) % OUTBOX_SHARDS;
}

/** The sparse index entry of an unsettled outgoing message. */
export function outboxKeys(m: Pick<Message, 'id' | 'createdAt'>): { gsi3pk: string; gsi3sk: string } {
  return keys.outboxEntry(outboxShard(m.id), m.createdAt, m.id);
}

/** Removes the entry: appended to the update that settles a message (sent, failed). */
export const SETTLE_OUTBOX = 'REMOVE gsi3pk, gsi3sk';

/**
 * Unsettled outgoing messages written at `before` or earlier, across accounts, at most `limit`
 * (the oldest first, so a sweep that stops early resumes where it matters). Each is read
 * again consistently (the index is eventually consistent; a settled one is skipped).
 */
export async function listUnsettledBefore(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  before: number,
  limit = 200,
): Promise<Message[]> {
  const refs: { pk: string; sk: string }[] = [];
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexes.outbox,
          KeyConditionExpression: 'gsi3pk = :p AND gsi3sk < :t',
          // Written at `before` or earlier (`#` < `~`).
          ExpressionAttributeValues: { ':p': keys.outboxPartition(shard), ':t': `${pad(before)}#~` },
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      for (const i of res.Items ?? []) refs.push({ pk: String(i.pk), sk: String(i.sk) });
      start = refs.length < limit * (shard + 1) ? res.LastEvaluatedKey : undefined;
    } while (start);
  }
  const out: Message[] = [];
  for (const ref of refs.slice(0, limit * OUTBOX_SHARDS)) {
    const res = await ddb.send(new GetCommand({ TableName: tableName, Key: ref, ConsistentRead: true }));
    if (res.Item?.gsi3pk) out.push(messageSchema.parse(res.Item));
  }
  return out;
}
