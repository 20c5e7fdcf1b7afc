/**
 * Refresh-token sessions, at `ACC#<id>` / `SESSION#<id>`, with a DynamoDB TTL at expiry,
 * and on gsi1 under their user (`ACC#<id>#SESSIONS#<user>`) so all of a user's sessions
 * can be revoked at once. Only the token's hash is stored. A refresh rotates: the old
 * session is revoked (with `replacedBy`) and the new one created in one transaction,
 * conditional on the old one being live and matching, so a token works once even under
 * concurrent use. Sessions of one login share a `familyId`.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { indexes, keys } from './keys.ts';
import { sessionSchema, type Session } from './types.ts';

/** Sessions stay a day past expiry before TTL removes them (useful when investigating). */
const ttlOf = (s: Session) => Math.ceil(s.expiresAt / 1000) + 24 * 60 * 60;

const itemOf = (s: Session) => ({
  ...keys.session(s.accountId, s.id),
  ...keys.sessionOfUser(s.accountId, s.userId, s.id),
  ...s,
  ttl: ttlOf(s),
});

export async function createSession(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  session: Session,
): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: itemOf(sessionSchema.parse(session)),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getSession(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  sessionId: string,
): Promise<Session | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.session(accountId, sessionId), ConsistentRead: true }),
  );
  return res.Item ? sessionSchema.parse(res.Item) : undefined;
}

const liveCondition =
  'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND tokenHash = :h AND expiresAt > :now';

/**
 * Revokes `old` (if still live with this token hash) and creates `next`, atomically.
 * Returns false when the old session was already used, revoked, expired or does not match.
 */
export async function rotateSession(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  old: { accountId: string; id: string; tokenHash: string },
  next: Session,
  now: number,
): Promise<boolean> {
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.session(old.accountId, old.id),
              UpdateExpression: 'SET revokedAt = :now, replacedBy = :next',
              ConditionExpression: liveCondition,
              ExpressionAttributeValues: { ':now': now, ':h': old.tokenHash, ':next': next.id },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: itemOf(sessionSchema.parse(next)),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof TransactionCanceledException) return false;
    throw err;
  }
}

/** Revokes a live session with this token hash (logout). Returns false if there was none. */
export async function revokeSession(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  session: { accountId: string; id: string; tokenHash: string },
  now: number,
): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.session(session.accountId, session.id),
        UpdateExpression: 'SET revokedAt = :now',
        ConditionExpression: liveCondition,
        ExpressionAttributeValues: { ':now': now, ':h': session.tokenHash },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** The user's sessions not yet revoked (expired ones included until TTL removes them). */
export async function liveSessionsOfUser(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
): Promise<Session[]> {
  const { gsi1pk } = keys.sessionOfUser(accountId, userId, '');
  const out: Session[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexes.lookup,
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: 'attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':pk': gsi1pk },
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []).map((i) => sessionSchema.parse(i)));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * Revokes the user's live sessions — all of them, or those of one family (a reused
 * refresh token). gsi1 is eventually consistent: a session created a moment ago may be
 * missed here, which is why each session also carries the user's tokenVersion (a bumped
 * version refuses its refresh). Returns how many were revoked.
 */
export async function revokeUserSessions(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  userId: string,
  now: number,
  familyId?: string,
): Promise<number> {
  const live = (await liveSessionsOfUser(ddb, tableName, accountId, userId)).filter(
    (s) => familyId === undefined || (s.familyId ?? s.id) === familyId,
  );
  let revoked = 0;
  for (const s of live) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.session(accountId, s.id),
          UpdateExpression: 'SET revokedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      revoked++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
  return revoked;
}
