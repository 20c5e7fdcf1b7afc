/**
 * Web push subscriptions of the agents' browsers (INB-8) and the once-per-contact marks
 * (shared/push/web-push.ts sends). One partition per account:
 *
 *   ACC#a#PUSH / SUB#<user>#<sha256(endpoint)>    a browser's subscription
 *   ACC#a#PUSH / SENT#<conversation>#<user>       told about this chat already (TTL 7 days)
 */
import { createHash } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acc } from './keys.ts';
import { queryPrefix } from './ops.ts';

export const pushPartition = (accountId: string) => `${acc(accountId)}#PUSH`;
const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

export const pushSubscriptionKey = (accountId: string, userId: string, endpoint: string) => ({
  pk: pushPartition(accountId),
  sk: `SUB#${userId}#${hash(endpoint)}`,
});
export const pushSentKey = (accountId: string, conversationId: string, userId: string) => ({
  pk: pushPartition(accountId),
  sk: `SENT#${conversationId}#${userId}`,
});

/** The user's stored subscriptions (one per browser / device). */
export async function userPushSubscriptions(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<Record<string, unknown>[]> {
  return queryPrefix(ddb, tableName, pushPartition(accountId), `SUB#${userId}#`);
}

/**
 * Forgets every subscription of the user (deactivation, deletion): nothing is pushed to
 * their devices again until they sign in and subscribe anew. The number removed.
 */
export async function deleteUserPushSubscriptions(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<number> {
  const subs = await userPushSubscriptions(ddb, tableName, accountId, userId);
  for (let i = 0; i < subs.length; i += 25) {
    let requests: Record<string, unknown>[] | undefined = subs
      .slice(i, i + 25)
      .map((s) => ({ DeleteRequest: { Key: { pk: s.pk, sk: s.sk } } }));
    // BatchWrite may leave some undone under load: send those again.
    for (let attempt = 0; requests?.length && attempt < 5; attempt++) {
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = res.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
    }
    if (requests?.length) throw new Error('could not delete every push subscription of the user');
  }
  return subs.length;
}
