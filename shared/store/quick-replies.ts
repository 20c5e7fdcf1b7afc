/**
 * Quick replies (respostas prontas, MSG-7): `ACC#a#QR` / `QR#<id>`, one partition per
 * account read whole. The rules (scope, approval) are shared/domain/quick-replies.ts's.
 */
import { z } from 'zod';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { keys, prefixes } from './keys.ts';
import { queryPrefix, updateIfAllowed } from './ops.ts';

interface TableDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
}

export const quickReplyScopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('all') }),
  z.object({ type: z.literal('department'), departmentId: z.string() }),
  z.object({ type: z.literal('user'), userId: z.string() }),
]);

export const quickReplySchema = z.object({
  id: z.string(),
  accountId: z.string(),
  /** Typed after `/` in the composer; stored without the slash, lower case. */
  shortcut: z.string(),
  title: z.string(),
  /** May hold variables ({nome}…), rendered when the message is sent. */
  text: z.string(),
  /** A file uploaded once (POST /api/uploads) and sent with the text as its caption. */
  attachment: z.object({ uploadId: z.string(), mimeType: z.string(), filename: z.string() }).optional(),
  scope: quickReplyScopeSchema,
  status: z.enum(['pending', 'approved', 'rejected']),
  createdBy: z.string(),
  createdByName: z.string().optional(),
  /** The sent message it was proposed from. */
  sourceMessageId: z.string().optional(),
  reviewedBy: z.string().optional(),
  reviewedAt: z.number().int().optional(),
  rejectionReason: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type QuickReply = z.infer<typeof quickReplySchema>;

export async function listQuickReplies(deps: TableDeps, accountId: string): Promise<QuickReply[]> {
  return (
    await queryPrefix(deps.ddb, deps.tableName, keys.quickRepliesPartition(accountId), prefixes.quickReply)
  ).map((i) => quickReplySchema.parse(i));
}

export async function getQuickReply(
  deps: TableDeps,
  accountId: string,
  id: string,
): Promise<QuickReply | undefined> {
  const res = await deps.ddb.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.quickReply(accountId, id) }),
  );
  return res.Item ? quickReplySchema.parse(res.Item) : undefined;
}

/** A new reply (its id is new: an existing item is never overwritten). */
export async function createQuickReply(deps: TableDeps, qr: QuickReply): Promise<QuickReply> {
  const item = quickReplySchema.parse(qr);
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: { ...keys.quickReply(item.accountId, item.id), ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return item;
}

/**
 * Writes the edited reply if it is still as it was read (same `updatedAt`): an edit never
 * undoes an approval or another edit that came in between. Undefined when it changed or is gone.
 */
export async function replaceQuickReply(
  deps: TableDeps,
  qr: QuickReply,
  readUpdatedAt: number,
): Promise<QuickReply | undefined> {
  const item = quickReplySchema.parse(qr);
  try {
    await deps.ddb.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: { ...keys.quickReply(item.accountId, item.id), ...item },
        ConditionExpression: 'updatedAt = :read',
        ExpressionAttributeValues: { ':read': readUpdatedAt },
      }),
    );
    return item;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

/** Approves or rejects a pending reply; undefined when it is gone or no longer pending. */
export async function reviewQuickReply(
  deps: TableDeps,
  accountId: string,
  id: string,
  review: { status: 'approved' | 'rejected'; reviewedBy: string; at: number; reason?: string },
): Promise<QuickReply | undefined> {
  const updated = await updateIfAllowed(deps.ddb, {
    TableName: deps.tableName,
    Key: keys.quickReply(accountId, id),
    UpdateExpression: `SET #status = :status, reviewedBy = :by, reviewedAt = :at, updatedAt = :at ${
      review.reason ? ', rejectionReason = :reason' : 'REMOVE rejectionReason'
    }`,
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': review.status,
      ':by': review.reviewedBy,
      ':at': review.at,
      ':pending': 'pending',
      ...(review.reason ? { ':reason': review.reason } : {}),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && quickReplySchema.parse(updated);
}

/** Deletes it; false when it did not exist. */
export async function deleteQuickReply(deps: TableDeps, accountId: string, id: string): Promise<boolean> {
  try {
    await deps.ddb.send(
      new DeleteCommand({
        TableName: deps.tableName,
        Key: keys.quickReply(accountId, id),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
