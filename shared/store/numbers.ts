/**
 * WhatsApp numbers (channels) of an account. The item carries gsi1 keys for the webhook's
 * lookup by Meta's phone-number id (keys.numberByPhoneNumberId). A phone-number id belongs
 * to one account only: a claim item `PNID#<id>` / `CLAIM` is written in the same
 * transaction. A number's own token, app secret and verify token are not stored here:
 * they live in the account's secrets (shared/secrets/account-secrets.ts); the item keeps
 * only `hasAccessToken` / `hasAppSecret` / `hasVerifyToken`.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { acc, indexes, keys, prefixes } from './keys.ts';
import { firstByGsi1, queryPrefix, setFields, updateIfAllowed } from './ops.ts';
import {
  whatsAppNumberSchema,
  publicNumberSchema,
  type WhatsAppNumber,
  type WhatsAppNumberInput,
  type PublicNumber,
} from './types.ts';
import { ConflictError } from '#shared/errors.ts';

export const phoneNumberIdClaimKey = keys.phoneNumberIdClaim;

/** Creates a number; ConflictError PHONE_NUMBER_UNAVAILABLE when the phone-number id is already registered (by any account). */
export async function createNumber(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  number: WhatsAppNumberInput,
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
                ...keys.numberByWaba(item.wabaId, item.accountId, item.id),
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
      // Neutral: whether (and by which account) the id is taken is not for this caller to know.
      throw new ConflictError(
        'Este número do WhatsApp não está disponível para cadastro. Confira o ID do número ou fale com o suporte.',
        'PHONE_NUMBER_UNAVAILABLE',
      );
    }
    throw err;
  }
  return item;
}

/** The number of this account, or undefined. */
export async function getNumber(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
): Promise<WhatsAppNumber | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.number(accountId, numberId) }));
  return res.Item ? whatsAppNumberSchema.parse(res.Item) : undefined;
}

/** All numbers of an account. */
export async function listNumbers(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
): Promise<WhatsAppNumber[]> {
  const items = await queryPrefix(ddb, tableName, acc(accountId), prefixes.number);
  return items.map((item) => whatsAppNumberSchema.parse(item));
}

/** Webhook → tenant: the number (with its account id) for Meta's phone-number id, or undefined. */
export async function findNumberByPhoneNumberId(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  phoneNumberId: string,
): Promise<WhatsAppNumber | undefined> {
  const item = await firstByGsi1(ddb, tableName, keys.numberByPhoneNumberId(phoneNumberId));
  return item ? whatsAppNumberSchema.parse(item) : undefined;
}

/**
 * The numbers registered with a WABA id, in every account (gsi3, keys only; at most
 * `limit`): the webhook's WABA-level entries (template events) are vouched for by these
 * numbers' own app secrets (shared/webhook/entry-rule.ts).
 */
export async function listNumbersOfWaba(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  wabaId: string,
  limit = 10,
): Promise<WhatsAppNumber[]> {
  const byWaba = keys.numberByWaba(wabaId, '', '');
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexes.numbersByWaba,
      KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :p)',
      ExpressionAttributeValues: { ':pk': byWaba.gsi3pk, ':p': 'NUMBER#' },
      Limit: limit,
    }),
  );
  const found = await Promise.all(
    (res.Items ?? []).map((k) => {
      const [, accountId, numberId] = String(k.gsi3sk).split('#');
      return accountId && numberId ? getNumber(ddb, tableName, accountId, numberId) : undefined;
    }),
  );
  // The index is eventually consistent: a number moved to another WABA meanwhile is left out.
  return found.filter((n): n is WhatsAppNumber => n !== undefined && n.wabaId === wabaId);
}

/**
 * Updates Meta's identifiers of an existing number. Also removes the plaintext
 * `accessToken` / `appSecret` / `verifyToken` attributes items written before these moved
 * to Secrets Manager may still carry.
 */
export async function updateNumberConnection(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
  change: { displayPhone: string; wabaId: string },
): Promise<void> {
  const byWaba = keys.numberByWaba(change.wabaId, accountId, numberId);
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.number(accountId, numberId),
      UpdateExpression:
        'SET #d = :d, #w = :w, gsi3pk = :g3pk, gsi3sk = :g3sk REMOVE accessToken, appSecret, verifyToken',
      ExpressionAttributeNames: { '#d': 'displayPhone', '#w': 'wabaId' },
      ExpressionAttributeValues: {
        ':d': change.displayPhone,
        ':w': change.wabaId,
        ':g3pk': byWaba.gsi3pk,
        ':g3sk': byWaba.gsi3sk,
      },
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** What the API may show of a number. */
export function toPublicNumber(number: WhatsAppNumber): PublicNumber {
  return publicNumberSchema.parse(number);
}

export const numberStatNames = ['received', 'sent', 'conversations', 'contacts', 'ignored'] as const;
export type NumberStats = Record<(typeof numberStatNames)[number], number>;

/** Counts not yet written, per table, account and number (flushed once per queue batch). */
const pendingStats = new Map<
  string,
  { tableName: string; accountId: string; numberId: string; delta: Partial<NumberStats> }
>();

/**
 * Counts towards a number's statistics (NUM-2). Counted once per stored message or opened
 * attendance; written by flushNumberStats at the end of the batch (one write per number
 * per batch, not per message). A crash before the flush loses those counts, never doubles them.
 */
export function bumpNumberStats(
  number: Pick<WhatsAppNumber, 'accountId' | 'id'>,
  delta: Partial<NumberStats>,
  deps: { tableName: string },
): void {
  const key = `${deps.tableName}|${number.accountId}|${number.id}`;
  const entry = pendingStats.get(key) ?? {
    tableName: deps.tableName,
    accountId: number.accountId,
    numberId: number.id,
    delta: {},
  };
  for (const [k, v] of Object.entries(delta) as [keyof NumberStats, number][])
    entry.delta[k] = (entry.delta[k] ?? 0) + v;
  pendingStats.set(key, entry);
}

export async function flushNumberStats(ddb: DynamoDBDocumentClient): Promise<void> {
  const entries = [...pendingStats.values()];
  pendingStats.clear();
  await Promise.all(
    entries.map(async (e) => {
      const names = Object.keys(e.delta) as (keyof NumberStats)[];
      if (!names.length) return;
      await ddb.send(
        new UpdateCommand({
          TableName: e.tableName,
          Key: keys.numberStats(e.accountId, e.numberId),
          UpdateExpression: `ADD ${names.map((n, i) => `#n${i} :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, e.delta[n]])),
        }),
      );
    }),
  );
}

/** flushNumberStats for the end of a batch: statistics never fail the work they count. */
export async function flushNumberStatsQuietly(deps: {
  ddb: DynamoDBDocumentClient;
  log: (level: 'warn', msg: string, data?: Record<string, unknown>) => void;
}): Promise<void> {
  await flushNumberStats(deps.ddb).catch((err: Error) =>
    deps.log('warn', 'number statistics not saved', { error: err.message }),
  );
}

export async function getNumberStats(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
): Promise<NumberStats> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.numberStats(accountId, numberId) }),
  );
  return Object.fromEntries(numberStatNames.map((n) => [n, Number(res.Item?.[n] ?? 0)])) as NumberStats;
}

/** Records Meta's refusal of the number's token (code 190); cleared when a token is saved. */
export async function setNumberTokenError(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  number: Pick<WhatsAppNumber, 'accountId' | 'id'>,
  error: { code: number; message: string },
  now: number,
): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.number(number.accountId, number.id),
      UpdateExpression: 'SET tokenError = :e',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':e': { code: error.code, message: error.message, at: now } },
    }),
  );
}

const IGNORED_TTL_DAYS = 30;

/** A message the phone filter (NUM-3) turned away, kept 30 days for the number's page. */
export async function recordIgnoredMessage(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  number: Pick<WhatsAppNumber, 'accountId' | 'id'>,
  m: { wamid: string; from?: string; name?: string; type: string; preview?: string; at: number },
): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.ignored(number.accountId, number.id, m.wamid),
        numberId: number.id,
        ...m,
        ttl: Math.floor(m.at / 1000) + IGNORED_TTL_DAYS * 86400,
      },
    }),
  );
}

/**
 * Changes a number's fields (the ones given; undefined ones stay). `clearTokenError`: a new
 * access token ends the "invalid token" notice (NUM-4). The number after, or undefined when
 * it does not exist.
 */
export async function updateNumberFields(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  numberId: string,
  fields: Record<string, unknown>,
  opts: { clearTokenError?: boolean } = {},
): Promise<WhatsAppNumber | undefined> {
  const set = setFields(fields);
  if (!set) return getNumber(ddb, tableName, accountId, numberId);
  const updated = await updateIfAllowed(ddb, {
    TableName: tableName,
    Key: keys.number(accountId, numberId),
    UpdateExpression: `${set.expression}${opts.clearTokenError ? ' REMOVE tokenError' : ''}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: set.names,
    ExpressionAttributeValues: set.values,
    ReturnValues: 'ALL_NEW',
  });
  return updated && whatsAppNumberSchema.parse(updated);
}
