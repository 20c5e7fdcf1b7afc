/**
 * The account's AI settings (LLM connection, price table) and the appointments assistants
 * book. The LLM API key is not here: the item says only `hasApiKey`; the key is in the
 * account's `credentials` secret (shared/secrets/account-secrets.ts), written by fn api and
 * read by fn assistant. The schema drops an `apiKey` attribute an older item may carry.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { updateIfAllowed } from './ops.ts';
import {
  aiConversationSchema,
  aiSettingsSchema,
  appointmentSchema,
  type AiConversation,
  type AiSettings,
  type Appointment,
  type Conversation,
} from './types.ts';

export async function getAiSettings(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
): Promise<AiSettings> {
  const res = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.aiSettings(accountId) }));
  return aiSettingsSchema.parse(res.Item ?? { accountId });
}

export async function putAiSettings(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  settings: AiSettings,
): Promise<AiSettings> {
  const item = aiSettingsSchema.parse(settings);
  await ddb.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.aiSettings(item.accountId), ...item } }),
  );
  return item;
}

/** Stores an appointment once (a redelivered tool call with the same id changes nothing). */
export async function putAppointment(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  a: Appointment,
): Promise<Appointment> {
  const item = appointmentSchema.parse(a);
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.appointment(item.accountId, item.startsAt, item.id), ...item },
    }),
  );
  return item;
}

/** Appointments from `from` on, soonest first. */
export async function listAppointments(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  from: number,
  limit = 100,
): Promise<Appointment[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: {
        ':pk': keys.appointmentsPartition(accountId),
        ':from': keys.appointment(accountId, from, '').sk,
      },
      Limit: limit,
    }),
  );
  return (res.Items ?? []).map((i) => appointmentSchema.parse(i));
}

/** One assistant answer (or hand-over) in an attendance, for the assistants' conversations log (MET-1). */
export interface AiConversationAnswer {
  conversation: Pick<
    Conversation,
    | 'accountId'
    | 'id'
    | 'attendanceId'
    | 'openedAt'
    | 'createdAt'
    | 'channel'
    | 'contactName'
    | 'contactPhone'
  >;
  assistantId: string;
  outcome: 'answering' | 'handed-over';
  /** Increasing per answer: a second run with the same id changes nothing. */
  answerId: string;
  replies: number;
  toolCalls: number;
  usage?: { promptTokens: number; completionTokens: number; cachedTokens: number; costUsd?: number };
  now: number;
}

/** The attendance's item of the assistants' conversations log: created or updated, totals added once per answer. */
export async function recordAiConversationAnswer(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  a: AiConversationAnswer,
): Promise<void> {
  const conv = a.conversation;
  const startedAt = conv.openedAt ?? conv.createdAt;
  const u = a.usage;
  await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.aiConversation(conv.accountId, startedAt, conv.id, conv.attendanceId ?? '-'),
    UpdateExpression:
      'SET accountId = :a, conversationId = :c, attendanceId = :att, assistantId = :as, #t = :type, ' +
      'contactName = :n, contactPhone = :ph, startedAt = :s, lastAt = :now, outcome = :o, lastAnswer = :id ' +
      'ADD replies :r, toolCalls :tc, promptTokens :p, completionTokens :ct, cachedTokens :k, costUsd :usd',
    ConditionExpression: 'attribute_not_exists(lastAnswer) OR lastAnswer < :id',
    ExpressionAttributeNames: { '#t': 'type' },
    ExpressionAttributeValues: {
      ':a': conv.accountId,
      ':c': conv.id,
      ':att': conv.attendanceId ?? '-',
      ':as': a.assistantId,
      ':type': conv.channel ?? 'whatsapp',
      ':n': conv.contactName,
      ':ph': conv.contactPhone,
      ':s': startedAt,
      ':now': a.now,
      ':o': a.outcome,
      ':id': a.answerId,
      ':r': a.replies,
      ':tc': a.toolCalls,
      ':p': u?.promptTokens ?? 0,
      ':ct': u?.completionTokens ?? 0,
      ':k': u?.cachedTokens ?? 0,
      ':usd': u?.costUsd ?? 0,
    },
  });
}

/** The assistants' conversations log started between `from` and `to`, newest first, up to about `max` items. */
export async function listAiConversationsBetween(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  from: number,
  to: number,
  max: number,
): Promise<AiConversation[]> {
  const items: AiConversation[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: {
          ':pk': keys.aiConversationsPartition(accountId),
          ':a': keys.aiConversation(accountId, from, '', '').sk,
          ':b': keys.aiConversation(accountId, to, '\uffff', '').sk,
        },
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(res.Items ?? []).map((i) => aiConversationSchema.parse(i)));
    start = res.LastEvaluatedKey;
  } while (start && items.length < max);
  return items;
}
