/**
 * Fixed-window counters for login throttling, state in the table so the limit holds across
 * Lambda instances. One item per (scope, subject, window) at `RATE#<scope>#<subject>` /
 * `W#<window start>`, incremented with an atomic ADD and removed by TTL after its window.
 *
 * Why not rate-limiter-flexible's DynamoDB store: it owns a table of its own (its own key
 * schema and TTL attribute, created by the library) and the low-level client, while this
 * deployment has one table declared in infra/topology.ts and only shared/store talks to
 * DynamoDB; a fixed window with conditional-free atomic counters is all login needs.
 */
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

export interface Window {
  /** Epoch ms at which the current window started (aligned to the window length). */
  start: number;
  /** Epoch ms at which it ends (the counter starts again). */
  end: number;
}

export const windowAt = (now: number, windowMs: number): Window => {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, end: start + windowMs };
};

const ttlOf = (w: Window) => Math.ceil(w.end / 1000) + 60;

/** The count of the current window (0 when none). */
export async function peekCounter(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  scope: string,
  subject: string,
  window: Window,
): Promise<number> {
  const res = await ddb.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.rateLimit(scope, subject, window.start),
      ConsistentRead: true,
    }),
  );
  return typeof res.Item?.count === 'number' ? res.Item.count : 0;
}

/** Adds one to the current window's counter; the new count. */
export async function hitCounter(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  scope: string,
  subject: string,
  window: Window,
): Promise<number> {
  const res = await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.rateLimit(scope, subject, window.start),
      UpdateExpression: 'ADD #c :one SET #t = :ttl',
      ExpressionAttributeNames: { '#c': 'count', '#t': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':ttl': ttlOf(window) },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.count ?? 1);
}

/** Forgets the current window's counter (a successful login clears its e-mail's). */
export async function resetCounter(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  scope: string,
  subject: string,
  window: Window,
): Promise<void> {
  await ddb.send(
    new DeleteCommand({ TableName: tableName, Key: keys.rateLimit(scope, subject, window.start) }),
  );
}
