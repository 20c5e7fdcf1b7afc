/**
 * Web push subscriptions of the agents' browsers (INB-8) and the once-per-contact marks
 * (shared/push/web-push.ts sends). One partition per account:
 *
 *   ACC#a#PUSH / SUB#<user>#<sha256(endpoint)>    a browser's subscription
 *   ACC#a#PUSH / SENT#<conversation>#<user>       told about this chat already (TTL 7 days)
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { queryPrefix } from './ops.ts';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

const subscriptionKey = (accountId: string, userId: string, endpoint: string) =>
  keys.pushSubscription(accountId, userId, hash(endpoint));

/** Stores a browser's subscription (one item per user and endpoint; a second save replaces it). */
export async function putPushSubscription(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  sub: { endpoint: string; keys: { p256dh: string; auth: string } },
  now: number,
): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...subscriptionKey(accountId, userId, sub.endpoint),
        userId,
        endpoint: sub.endpoint,
        keys: sub.keys,
        createdAt: now,
      },
    }),
  );
}

export async function deletePushSubscription(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  endpoint: string,
): Promise<void> {
  await ddb.send(
    new DeleteCommand({ TableName: tableName, Key: subscriptionKey(accountId, userId, endpoint) }),
  );
}

/**
 * Marks the user told about this chat (conditional put, TTL 7 days): true when this call
 * marked it, false when the mark was there (told already).
 */
export async function claimPushSentMark(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  userId: string,
  now: number,
): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.pushSent(accountId, conversationId, userId),
          ttl: Math.floor(now / 1000) + 7 * 86400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** The user opened the chat: the mark goes, their next message from this contact notifies again. */
export async function deletePushSentMark(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  userId: string,
): Promise<void> {
  await ddb.send(
    new DeleteCommand({ TableName: tableName, Key: keys.pushSent(accountId, conversationId, userId) }),
  );
}

/** The user's stored subscriptions (one per browser / device). */
export async function userPushSubscriptions(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<Record<string, unknown>[]> {
  const first = keys.pushSubscription(accountId, userId, '');
  return queryPrefix(ddb, tableName, first.pk, first.sk);
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
