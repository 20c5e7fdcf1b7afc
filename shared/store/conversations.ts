/**
 * Conversations (one thread per contact and number) and their attendances. Every write
 * here is idempotent or conditional, so a redelivered queue message can run it again.
 */
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { protocolNumber } from '#shared/domain/protocol.ts';
import { keys } from './keys.ts';
import {
  conversationSchema,
  type Contact,
  type Conversation,
  type MessageDirection,
  type MessageType,
  type WhatsAppNumber,
} from './types.ts';

export async function getConversationById(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<Conversation | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.conversation(accountId, conversationId) }),
  );
  return res.Item ? conversationSchema.parse(res.Item) : undefined;
}

/** The thread of this contact on this number, created (closed, no attendance yet) on first contact. */
export async function findOrCreateConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  number: WhatsAppNumber,
  contact: Contact,
  newId: () => string,
  now: number,
): Promise<Conversation> {
  const accountId = number.accountId;
  const thread = keys.conversationByContact(accountId, number.id, contact.id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await ddb.send(new GetCommand({ TableName: tableName, Key: thread }));
    if (found.Item) {
      const conv = await getConversationById(ddb, tableName, accountId, String(found.Item.conversationId));
      if (conv) return conv;
    }
    const conv: Conversation = {
      id: newId(),
      accountId,
      numberId: number.id,
      contactId: contact.id,
      contactName: contact.name,
      contactPhone: contact.phone ?? contact.waId ?? '',
      numberName: number.name,
      numberColor: number.color,
      status: 'closed',
      lastMessageAt: now,
      unread: 0,
      createdAt: now,
    };
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...thread, conversationId: conv.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...keys.conversation(accountId, conv.id), ...conv },
              },
            },
          ],
        }),
      );
      return conv;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
    }
  }
  throw new Error('Could not find or create the conversation');
}

/**
 * Opens an attendance with a new protocol number when the conversation is not open
 * (WIN-4). Conditional on the status, so two runs open one attendance; a crash after the
 * counter moved costs a gap in the sequence, never a duplicate.
 */
export async function openAttendanceIfClosed(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Conversation,
  newId: () => string,
  now: number,
  timeZone: string,
): Promise<Conversation> {
  if (conv.status === 'open') return conv;
  const counter = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.counter(conv.accountId, 'protocol'),
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const protocol = protocolNumber(now, Number(counter.Attributes?.value ?? 1), timeZone);
  const attendanceId = newId();
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.conversation(conv.accountId, conv.id),
              UpdateExpression:
                'SET #s = :open, protocol = :p, attendanceId = :a, gsi1pk = :g1pk, gsi1sk = :g1sk',
              ConditionExpression: '#s <> :open',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: {
                ':open': 'open',
                ':p': protocol,
                ':a': attendanceId,
                ...prefixed(keys.conversationByProtocol(conv.accountId, protocol), ':g1'),
              },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.attendance(conv.accountId, conv.id, attendanceId),
                id: attendanceId,
                conversationId: conv.id,
                protocol,
                openedAt: now,
              },
            },
          },
        ],
      }),
    );
    return { ...conv, status: 'open', protocol, attendanceId };
  } catch (err) {
    if (!(err instanceof TransactionCanceledException)) throw err;
    const fresh = await getConversationById(ddb, tableName, conv.accountId, conv.id);
    if (!fresh) throw err;
    return fresh;
  }
}

function prefixed(k: { gsi1pk: string; gsi1sk: string }, p: string) {
  return { [`${p}pk`]: k.gsi1pk, [`${p}sk`]: k.gsi1sk };
}

export interface ConversationTouch {
  /** The message this update is for: a second run with the same id changes nothing. */
  messageId: string;
  at: number;
  preview: { text: string; type: MessageType; direction: MessageDirection };
  fromCustomer?: { windowExpiresAt: number; name?: string };
}

/**
 * Moves the conversation to the top of the inbox with its last message; a customer
 * message also counts as unread and moves the 24 h window. Applied once per message.
 */
export async function touchConversation(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  conv: Conversation,
  t: ConversationTouch,
): Promise<Conversation | undefined> {
  const inbox = keys.inboxByLastMessage(conv.accountId, t.at, conv.id);
  const sets = [
    'lastMessageAt = :at',
    'lastMessage = :lm',
    'lastMessageId = :mid',
    'gsi2pk = :g2pk',
    'gsi2sk = :g2sk',
  ];
  const values: Record<string, unknown> = {
    ':at': t.at,
    ':lm': {
      text: t.preview.text.slice(0, 200),
      type: t.preview.type,
      direction: t.preview.direction,
      at: t.at,
    },
    ':mid': t.messageId,
    ':g2pk': inbox.gsi2pk,
    ':g2sk': inbox.gsi2sk,
  };
  let add = '';
  if (t.fromCustomer) {
    sets.push('lastCustomerMessageAt = :at', 'windowExpiresAt = :wx');
    values[':wx'] = t.fromCustomer.windowExpiresAt;
    if (t.fromCustomer.name) {
      sets.push('contactName = :cn');
      values[':cn'] = t.fromCustomer.name;
    }
    add = ' ADD unread :one';
    values[':one'] = 1;
  }
  try {
    const res = await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.conversation(conv.accountId, conv.id),
        UpdateExpression: `SET ${sets.join(', ')}${add}`,
        // Once per message, and never back in time (messages of one conversation are ordered).
        ConditionExpression: '(attribute_not_exists(lastMessageId) OR lastMessageId < :mid)',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return conversationSchema.parse(res.Attributes);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}
