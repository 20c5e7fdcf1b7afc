/**
 * The account's AI settings (LLM connection, price table) and the appointments assistants
 * book. The LLM API key is not here: the item says only `hasApiKey`; the key is in the
 * account's `credentials` secret (shared/secrets/account-secrets.ts), written by fn api and
 * read by fn assistant. The schema drops an `apiKey` attribute an older item may carry.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { aiSettingsSchema, appointmentSchema, type AiSettings, type Appointment } from './types.ts';

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
