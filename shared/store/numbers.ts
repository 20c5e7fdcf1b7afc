/**
 * WhatsApp numbers (channels) of an account. The item carries gsi1 keys for the webhook's
 * lookup by Meta's phone-number id (keys.numberByPhoneNumberId). A phone-number id belongs
 * to one account only: a claim item `PNID#<id>` / `CLAIM` is written in the same
 * transaction. The per-number `accessToken` is stored here for outbound and media
 * download; `toPublicNumber` drops it, and no API returns it.
 */
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { acc, keys } from './keys.ts';
import { whatsAppNumberSchema, publicNumberSchema, type WhatsAppNumber, type PublicNumber } from './types.ts';
import { ConflictError } from '#shared/errors.ts';

export const phoneNumberIdClaimKey = (phoneNumberId: string) => ({
  pk: `PNID#${phoneNumberId}`,
  sk: 'CLAIM',
});

/** Creates a number; ConflictError PHONE_NUMBER_TAKEN when the phone-number id is already registered. */
export async function createNumber(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  number: WhatsAppNumber,
): Promise<WhatsAppNumber> {
  const item = whatsAppNumberSchema.parse(number);
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...phoneNumberIdClaimKey(item.phoneNumberId),
                accountId: item.accountId,
                numberId: item.id,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.number(item.accountId, item.id),
                ...keys.numberByPhoneNumberId(item.phoneNumberId),
                ...item,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (err) {
    if (err instanceof TransactionCanceledException) {
      throw new ConflictError('Este número do WhatsApp já está cadastrado.', 'PHONE_NUMBER_TAKEN');
    }
    throw err;
  }
  return item;
}

/** The number of this account, or undefined. Includes the access token (server use only). */
export async function getNumber(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
): Promise<WhatsAppNumber | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.number(accountId, numberId) }));
  return res.Item ? whatsAppNumberSchema.parse(res.Item) : undefined;
}

/** All numbers of an account (few per account: one page). */
export async function listNumbers(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
): Promise<WhatsAppNumber[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': acc(accountId), ':prefix': 'NUMBER#' },
    }),
  );
  return (res.Items ?? []).map((item) => whatsAppNumberSchema.parse(item));
}

/** Webhook → tenant: the number (with its account id) for Meta's phone-number id, or undefined. */
export async function findNumberByPhoneNumberId(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  phoneNumberId: string,
): Promise<WhatsAppNumber | undefined> {
  const k = keys.numberByPhoneNumberId(phoneNumberId);
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': k.gsi1pk, ':sk': k.gsi1sk },
      Limit: 1,
    }),
  );
  const item = res.Items?.[0];
  return item ? whatsAppNumberSchema.parse(item) : undefined;
}

/** Updates Meta's identifiers and token of an existing number (e.g. a rotated token). */
export async function updateNumberConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
  change: { displayPhone: string; wabaId: string; accessToken?: string },
): Promise<void> {
  const names: Record<string, string> = { '#d': 'displayPhone', '#w': 'wabaId', '#t': 'accessToken' };
  const values: Record<string, unknown> = { ':d': change.displayPhone, ':w': change.wabaId };
  let expr = 'SET #d = :d, #w = :w';
  if (change.accessToken === undefined) {
    expr += ' REMOVE #t';
  } else {
    expr += ', #t = :t';
    values[':t'] = change.accessToken;
  }
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.number(accountId, numberId),
      UpdateExpression: expr,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** What the API may show of a number (no access token). */
export function toPublicNumber(number: WhatsAppNumber): PublicNumber {
  return publicNumberSchema.parse(number);
}
