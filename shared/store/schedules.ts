/**
 * The record of each armed one-time schedule under its conversation (`ACC#a` /
 * `CONV#cv#SCHED#<name>`), so a close can delete what is still pending on the scheduler
 * (shared/engine/schedules.ts arms and deletes the schedules themselves).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

export interface ScheduleRecord {
  accountId: string;
  conversationId: string;
  /** The schedule's name on the scheduler. */
  name: string;
  at: number;
  kind: string;
}

/** Records armed schedules (25 per batch; unprocessed items retried with backoff until written). */
export async function putScheduleRecords(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  records: ScheduleRecord[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 25) {
    let requests: Record<string, unknown>[] = records.slice(i, i + 25).map((t) => ({
      PutRequest: {
        Item: {
          ...keys.schedule(t.accountId, t.conversationId, t.name),
          name: t.name,
          at: t.at,
          kind: t.kind,
        },
      },
    }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (res.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
    }
  }
}

/**
 * Records an attendance's armed schedules and marks its timers armed on the conversation
 * (`timersArmedFor`, while it is still that attendance) in one request: a transaction of
 * the records' puts and the mark (at most 99 records). When the conversation has moved to
 * another attendance meanwhile, the records are written alone (putScheduleRecords) and
 * nothing is marked, as when the mark was a write of its own. Returns whether it marked.
 */
export async function putScheduleRecordsMarkingArmed(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  records: ScheduleRecord[],
  mark: { accountId: string; conversationId: string; attendanceId: string },
): Promise<boolean> {
  if (records.length > 99) throw new Error('At most 99 schedule records in one transaction');
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          ...records.map((t) => ({
            Put: {
              TableName: tableName,
              Item: {
                ...keys.schedule(t.accountId, t.conversationId, t.name),
                name: t.name,
                at: t.at,
                kind: t.kind,
              },
            },
          })),
          {
            Update: {
              TableName: tableName,
              Key: keys.conversation(mark.accountId, mark.conversationId),
              UpdateExpression: 'SET timersArmedFor = :a',
              ConditionExpression: 'attendanceId = :a',
              ExpressionAttributeValues: { ':a': mark.attendanceId },
            },
          },
        ],
      }),
    );
    return true;
  } catch (err) {
    // Only the mark is conditional: its failure means another attendance (or no
    // conversation). Any other cancellation (a conflicting write) is thrown and retried.
    const markFailed =
      err instanceof TransactionCanceledException &&
      err.CancellationReasons?.at(-1)?.Code === 'ConditionalCheckFailed';
    if (!markFailed) throw err;
    await putScheduleRecords(ddb, tableName, records);
    return false;
  }
}

/** The conversation's recorded schedules (one query: a conversation has a handful). */
export async function listScheduleRecords(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
): Promise<{ pk: string; sk: string; name: string }[]> {
  const first = keys.schedule(accountId, conversationId, '');
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': first.pk, ':p': first.sk },
    }),
  );
  return (res.Items ?? []).map((it) => ({ pk: String(it.pk), sk: String(it.sk), name: String(it.name) }));
}

/** Deletes records listScheduleRecords returned (25 per batch, as before: unprocessed items are not retried). */
export async function deleteScheduleRecords(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  records: { pk: string; sk: string }[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 25) {
    await ddb.send(
      new BatchWriteCommand({
        RequestItems: {
          [tableName]: records
            .slice(i, i + 25)
            .map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
        },
      }),
    );
  }
}

/** A schedule fired: its record goes. */
export async function deleteScheduleRecord(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  conversationId: string,
  name: string,
): Promise<void> {
  await ddb.send(
    new DeleteCommand({ TableName: tableName, Key: keys.schedule(accountId, conversationId, name) }),
  );
}
