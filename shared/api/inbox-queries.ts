/**
 * The API's reads of messages and the one write of the inbox (mark read), with the keys of
 * shared/store/keys.ts. Every query's partition is built from the caller's account id, so
 * another account's ids simply are not found.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { keys } from '#shared/store/keys.ts';
import { updateIfAllowed } from '#shared/store/ops.ts';
import { conversationSchema, messageSchema, type Conversation, type Message } from '#shared/store/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

const messageCursorSchema = z.object({
  /** Direction: `o` pages to older messages, `n` to newer ones. */
  d: z.enum(['o', 'n']),
  sk: z.string().startsWith('MSG#'),
});

/**
 * Messages of a conversation, each page ordered oldest first. Without a cursor: the latest
 * page, and `nextCursor` pages back to older ones. With `after`: messages newer than that
 * id, and `nextCursor` pages forward (resync after a reconnect).
 */
export async function listMessages(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  opts: { limit: number; cursor?: string; after?: string },
): Promise<Page<Message>> {
  const pk = keys.messagePartition(accountId, conversationId);
  let direction: 'o' | 'n' = opts.after ? 'n' : 'o';
  let startSk: string | undefined = opts.after
    ? keys.message(accountId, conversationId, opts.after).sk
    : undefined;
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, messageCursorSchema);
    direction = c.d;
    startSk = c.sk;
  }
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': 'MSG#' },
      ScanIndexForward: direction === 'n',
      Limit: opts.limit,
      // A position, not necessarily an existing item: DynamoDB resumes after it.
      ExclusiveStartKey: startSk ? { pk, sk: startSk } : undefined,
    }),
  );
  const items = (res.Items ?? []).map((item) => messageSchema.parse(item));
  if (direction === 'o') items.reverse();
  const lastSk = res.LastEvaluatedKey?.sk;
  return {
    items,
    ...(typeof lastSk === 'string' ? { nextCursor: encodeCursor({ d: direction, sk: lastSk }) } : {}),
  };
}

/** The newest customer message that has a WhatsApp id (what "mark as read" acknowledges). */
export async function findLastCustomerMessage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<Message | undefined> {
  let start: Record<string, unknown> | undefined;
  // Bounded: the last customer message is almost always among the last few dozen.
  for (let page = 0; page < 4; page++) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'direction = :in AND attribute_exists(wamid)',
        ExpressionAttributeValues: {
          ':pk': keys.messagePartition(accountId, conversationId),
          ':prefix': 'MSG#',
          ':in': 'in',
        },
        ScanIndexForward: false,
        Limit: 25,
        ExclusiveStartKey: start,
      }),
    );
    const item = res.Items?.[0];
    if (item) return messageSchema.parse(item);
    start = res.LastEvaluatedKey;
    if (!start) return undefined;
  }
  return undefined;
}

/** Sets unread to 0 and clears an "unread" mark; returns the conversation before the change, or undefined if not found. */
export async function markConversationRead(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<Conversation | undefined> {
  const before = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.conversation(accountId, conversationId),
    UpdateExpression: 'SET unread = :zero REMOVE markedUnread',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':zero': 0 },
    ReturnValues: 'ALL_OLD',
  });
  return before && conversationSchema.parse(before);
}
