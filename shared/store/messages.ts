/**
 * Messages (one partition per conversation, sorted by ULID) and the wamid claim items
 * (`ACC#a` / `WAMID#<wamid>`) that tie WhatsApp's message ids to ours.
 *
 * A claim serves two purposes:
 * - inbound, when the queue's deduplication cannot be relied on (a message received long
 *   after it was sent, or a record without a FIFO sequence number): the first run claims its
 *   wamid with the message id it chose (conditional put); every later run — SQS redelivery
 *   after a crash, or Meta's duplicate days later — finds the claim and reuses that id, so
 *   the message is stored once. Every other customer message has an id derived from its
 *   queue record and no claim (shared/domain/inbound-id.ts); findMessageByWamid finds those;
 * - outbound: the sender binds the wamid Meta returned to our message, so status webhooks
 *   find it. A status that arrives before the binding is kept on the claim
 *   (`pendingStatus`) and applied by the sender when it binds.
 *
 * Status writes are conditional on a stored rank (`statusRank`), so a status never moves
 * backwards whatever order Meta's webhooks arrive in.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { statusRank, type DeliveryStatus } from '#shared/domain/message-status.ts';
import { SEND_UNCONFIRMED } from '#shared/domain/send-state.ts';
import { keys, prefixes } from './keys.ts';
import { updateIfAllowed } from './ops.ts';
import { outboxKeys, SETTLE_OUTBOX } from './outbox.ts';
import { messageSchema, type Message, type MessageError, type MessageMedia } from './types.ts';

export function messageItem(m: Message): Record<string, unknown> {
  return {
    ...keys.message(m.accountId, m.conversationId, m.id),
    ...m,
    // Unsettled outgoing messages are in the outbox the sweeper reads (shared/store/outbox.ts).
    ...(m.direction === 'out' && m.status === 'pending' ? outboxKeys(m) : {}),
  };
}

export async function getMessage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  messageId: string,
): Promise<Message | undefined> {
  const res = await ddb.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.message(accountId, conversationId, messageId),
      ConsistentRead: true,
    }),
  );
  return res.Item ? messageSchema.parse(res.Item) : undefined;
}

/**
 * A message of a conversation by its wamid, for customer messages stored without a claim:
 * from the id `fromId` on, all pages (a late duplicate of one of them), or among the
 * `newest` messages (the message a customer quoted).
 */
export async function findMessageByWamid(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  wamid: string,
  range: { fromId: string } | { newest: number },
): Promise<Message | undefined> {
  const pk = keys.messagePartition(accountId, conversationId);
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        ...('fromId' in range
          ? {
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': pk,
                ':from': `${prefixes.message}${range.fromId}`,
                ':to': `${prefixes.message}~`,
                ':w': wamid,
              },
            }
          : {
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
              ExpressionAttributeValues: { ':pk': pk, ':p': prefixes.message, ':w': wamid },
              ScanIndexForward: false,
              Limit: range.newest,
            }),
        FilterExpression: 'wamid = :w',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const hit = res.Items?.[0];
    if (hit) return messageSchema.parse(hit);
    start = 'fromId' in range ? res.LastEvaluatedKey : undefined;
  } while (start);
  return undefined;
}

/**
 * Stores a message unless a message with its id exists; returns what is stored (the
 * earlier run's version when there was one, e.g. with its media already downloaded).
 */
export async function putMessageOnce(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
): Promise<{ message: Message; created: boolean }> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: messageItem(message),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { message, created: true };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const stored = await getMessage(ddb, tableName, message.accountId, message.conversationId, message.id);
    if (!stored) throw err;
    return { message: stored, created: false };
  }
}

export async function setMessageMedia(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  media: MessageMedia,
): Promise<Message> {
  const res = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.message(message.accountId, message.conversationId, message.id),
      UpdateExpression: 'SET media = :m',
      ExpressionAttributeValues: { ':m': media },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return messageSchema.parse(res.Attributes);
}

/**
 * Moves an outgoing message's status forward (never back; failed is final). Returns the
 * message as stored after the change, or undefined when nothing changed.
 */
export async function applyDeliveryStatus(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  ref: { accountId: string; conversationId: string; messageId: string },
  status: DeliveryStatus,
  error?: MessageError,
): Promise<Message | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(ref.accountId, ref.conversationId, ref.messageId),
    UpdateExpression: `SET #st = :s, statusRank = :r${error ? ', #err = :e' : ''} ${SETTLE_OUTBOX}, sendingAt`,
    ConditionExpression:
      'attribute_exists(pk) AND #dir = :out AND (attribute_not_exists(statusRank) OR statusRank < :r)',
    ExpressionAttributeNames: {
      '#st': 'status',
      '#dir': 'direction',
      ...(error ? { '#err': 'error' } : {}),
    },
    ExpressionAttributeValues: {
      ':s': status,
      ':r': statusRank(status),
      ':out': 'out',
      ...(error ? { ':e': error } : {}),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && messageSchema.parse(updated);
}

/**
 * Records Meta's acceptance of a pending message: its wamid and status 'sent' (settled: out
 * of the outbox, no longer in doubt). Undefined when the message was no longer pending (an
 * earlier run, or a status webhook naming it by `biz_opaque_callback_data`, recorded it).
 */
export async function markMessageSent(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  wamid: string,
): Promise<Message | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression: `SET wamid = :w, #st = :sent, statusRank = :r ${SETTLE_OUTBOX}, sendingAt`,
    ConditionExpression: '#st = :pending',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: {
      ':w': wamid,
      ':sent': 'sent',
      ':pending': 'pending',
      ':r': statusRank('sent'),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && messageSchema.parse(updated);
}

/** A send that will not succeed: status 'failed' with Meta's (or our) code and text. */
export async function failMessage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  error: MessageError,
): Promise<Message> {
  const res = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.message(message.accountId, message.conversationId, message.id),
      UpdateExpression: `SET #st = :f, statusRank = :r, #err = :e ${SETTLE_OUTBOX}, sendingAt`,
      ExpressionAttributeNames: { '#st': 'status', '#err': 'error' },
      ExpressionAttributeValues: { ':f': 'failed', ':r': statusRank('failed'), ':e': error },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return messageSchema.parse(res.Attributes);
}

// --- at most once (shared/domain/send-state.ts) ----------------------------------------

/**
 * Records that a Graph call for this message begins: `sendingAt` (the send is in doubt
 * until an outcome is recorded), `triedAt`, one more `sendAttempts`. Conditional: only
 * from `pending` with no send in doubt, or — the one resend — with the in-doubt attempt
 * `resendOf` still the recorded one. Undefined when another run got there first.
 */
export async function markSending(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  now: number,
  resendOf?: number,
): Promise<Message | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression:
      'SET sendingAt = :now, triedAt = :now, sendAttempts = if_not_exists(sendAttempts, :zero) + :one',
    ConditionExpression:
      resendOf === undefined
        ? '#st = :pending AND attribute_not_exists(sendingAt)'
        : '#st = :pending AND sendingAt = :prev',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: {
      ':now': now,
      ':zero': 0,
      ':one': 1,
      ':pending': 'pending',
      ...(resendOf === undefined ? {} : { ':prev': resendOf }),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && messageSchema.parse(updated);
}

/**
 * Meta answered the call with an error: nothing was accepted, so the message is plainly
 * `pending` again (no longer in doubt; the attempt does not count). Conditional on this
 * run's attempt still being the recorded one.
 */
export async function releaseSending(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  sendingAt: number,
): Promise<void> {
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression: 'REMOVE sendingAt SET sendAttempts = sendAttempts - :one',
    ConditionExpression: '#st = :pending AND sendingAt = :sa',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: { ':pending': 'pending', ':sa': sendingAt, ':one': 1 },
  });
}

/**
 * A failure the send rules decided (unconfirmed, abandoned): only while the message is
 * still as the decision saw it (pending, the same attempt in doubt). Undefined otherwise.
 */
export async function failUnsettled(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  error: MessageError,
): Promise<Message | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression: `SET #st = :f, statusRank = :r, #err = :e ${SETTLE_OUTBOX}, sendingAt`,
    ConditionExpression:
      message.sendingAt === undefined
        ? '#st = :pending AND attribute_not_exists(sendingAt)'
        : '#st = :pending AND sendingAt = :sa',
    ExpressionAttributeNames: { '#st': 'status', '#err': 'error' },
    ExpressionAttributeValues: {
      ':f': 'failed',
      ':r': statusRank('failed'),
      ':e': error,
      ':pending': 'pending',
      ...(message.sendingAt === undefined ? {} : { ':sa': message.sendingAt }),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && messageSchema.parse(updated);
}

/**
 * The sweeper queues a message again: `nudgedAt`, conditional on nobody having done so
 * since it read the message (two sweeps never queue it twice). False when another did.
 */
export async function markNudged(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  now: number,
): Promise<boolean> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression: 'SET nudgedAt = :now',
    ConditionExpression:
      message.nudgedAt === undefined
        ? '#st = :pending AND attribute_not_exists(nudgedAt)'
        : '#st = :pending AND nudgedAt = :prev',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: {
      ':now': now,
      ':pending': 'pending',
      ...(message.nudgedAt === undefined ? {} : { ':prev': message.nudgedAt }),
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated !== undefined;
}

/**
 * Meta's status for a message we failed as unconfirmed (no wamid was ever recorded): it
 * did leave after all. Records the wamid and the status in place of the failure.
 */
export async function settleUnconfirmed(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  message: Message,
  wamid: string,
  status: DeliveryStatus,
): Promise<Message | undefined> {
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.message(message.accountId, message.conversationId, message.id),
    UpdateExpression: 'SET wamid = :w, #st = :s, statusRank = :r REMOVE #err',
    ConditionExpression: '#st = :failed AND #err.details = :u AND attribute_not_exists(wamid)',
    ExpressionAttributeNames: { '#st': 'status', '#err': 'error' },
    ExpressionAttributeValues: {
      ':w': wamid,
      ':s': status,
      ':r': statusRank(status),
      ':failed': 'failed',
      ':u': SEND_UNCONFIRMED,
    },
    ReturnValues: 'ALL_NEW',
  });
  return updated && messageSchema.parse(updated);
}

// --- wamid claims ----------------------------------------------------------------------

export interface WamidClaim {
  messageId?: string;
  conversationId?: string;
  direction?: 'in' | 'out';
  pendingStatus?: DeliveryStatus;
  pendingError?: MessageError;
}

export async function getWamidClaim(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wamid: string,
): Promise<WamidClaim | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.wamid(accountId, wamid), ConsistentRead: true }),
  );
  return res.Item ? claimOf(res.Item) : undefined;
}

function claimOf(item: Record<string, unknown>): WamidClaim {
  return {
    ...(typeof item.messageId === 'string' ? { messageId: item.messageId } : {}),
    ...(typeof item.conversationId === 'string' ? { conversationId: item.conversationId } : {}),
    ...(item.direction === 'in' || item.direction === 'out' ? { direction: item.direction } : {}),
    ...(typeof item.pendingStatus === 'string'
      ? { pendingStatus: item.pendingStatus as DeliveryStatus }
      : {}),
    ...(item.pendingError ? { pendingError: item.pendingError as MessageError } : {}),
  };
}

/**
 * Claims a customer message's wamid for `messageId`. `fresh` is false when an earlier run
 * (or an earlier delivery of the same message) claimed it: then `messageId` is that run's.
 */
export async function claimInboundWamid(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wamid: string,
  messageId: string,
  conversationId?: string,
): Promise<{ messageId: string; fresh: boolean }> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.wamid(accountId, wamid),
          messageId,
          direction: 'in',
          ...(conversationId ? { conversationId } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { messageId, fresh: true };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const claim = await getWamidClaim(ddb, tableName, accountId, wamid);
    if (!claim?.messageId) throw new Error(`wamid claim without a message id: ${wamid}`, { cause: err });
    return { messageId: claim.messageId, fresh: false };
  }
}

/**
 * A status for a wamid no message is bound to yet: keep the furthest one on the claim.
 * Conditional on the claim still being unbound, so it cannot slip in after the sender
 * bound it and read the claim: then `'bound'` is returned and the caller applies the
 * status to the message itself.
 */
export async function keepEarlyStatus(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wamid: string,
  status: DeliveryStatus,
  error?: MessageError,
): Promise<'kept' | 'bound'> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.wamid(accountId, wamid),
        UpdateExpression: `SET pendingStatus = :s, pendingRank = :r${error ? ', pendingError = :e' : ''}`,
        ConditionExpression:
          'attribute_not_exists(messageId) AND (attribute_not_exists(pendingRank) OR pendingRank < :r)',
        ExpressionAttributeValues: {
          ':s': status,
          ':r': statusRank(status),
          ...(error ? { ':e': error } : {}),
        },
      }),
    );
    return 'kept';
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const claim = await getWamidClaim(ddb, tableName, accountId, wamid);
    // Either a further status is already kept (nothing to do), or the sender bound it.
    return claim?.messageId ? 'bound' : 'kept';
  }
}

/** Binds an outgoing wamid to our message; returns the claim, with any status kept early. */
export async function bindOutboundWamid(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wamid: string,
  ref: { conversationId: string; messageId: string },
): Promise<WamidClaim> {
  const res = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.wamid(accountId, wamid),
      UpdateExpression: 'SET conversationId = :c, messageId = :m, direction = :d',
      ConditionExpression: 'attribute_not_exists(messageId) OR messageId = :m',
      ExpressionAttributeValues: { ':c': ref.conversationId, ':m': ref.messageId, ':d': 'out' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return claimOf(res.Attributes ?? {});
}

/** The latest `limit` messages of a conversation, oldest first (the assistant's context). */
export async function listConversationMessages(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  limit: number,
): Promise<Message[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: {
        ':pk': keys.messagePartition(accountId, conversationId),
        ':m': prefixes.message,
      },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map((i) => messageSchema.parse(i)).reverse();
}

/** A message's position in its conversation (its sort key): where a page of messages resumes. */
export const messagePosition = (messageId: string) => `${prefixes.message}${messageId}`;
/** Whether a position (from a client's cursor) is a message position. */
export const isMessagePosition = (position: string) => position.startsWith(prefixes.message);

/**
 * One page of a conversation's messages in sort-key order (`newestFirst`: backwards),
 * resuming after `startSk` (a position, not necessarily an existing item: DynamoDB resumes
 * after it), and the sort key to resume after when there is more.
 */
export async function queryMessagePage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  opts: { newestFirst: boolean; startSk?: string; limit: number },
): Promise<{ items: Message[]; lastSk?: string }> {
  const pk = keys.messagePartition(accountId, conversationId);
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefixes.message },
      ScanIndexForward: !opts.newestFirst,
      Limit: opts.limit,
      ExclusiveStartKey: opts.startSk ? { pk, sk: opts.startSk } : undefined,
    }),
  );
  const items = (res.Items ?? []).map((item) => messageSchema.parse(item));
  const lastSk = res.LastEvaluatedKey?.sk;
  return { items, ...(typeof lastSk === 'string' ? { lastSk } : {}) };
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
          ':prefix': prefixes.message,
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
