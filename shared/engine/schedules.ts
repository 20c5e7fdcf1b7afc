/**
 * The conversation clock on EventBridge Scheduler (the local scheduler locally): one-time
 * `at(...)` schedules in the deployment's group, targeting fn timers with a TimerInput.
 * Each armed schedule is also recorded under the conversation (keys.schedule) so a close
 * can delete what is still pending. Rules of when and what: shared/domain/clock.ts.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { timerDueTimes, type TimerKind } from '#shared/domain/clock.ts';
import { keys } from '#shared/store/keys.ts';
import type { Conversation } from '#shared/store/types.ts';
import { updateIfAllowed } from '#shared/store/ops.ts';
import type { EngineDeps } from './engine-deps.ts';
import { accountSettings } from './settings.ts';

import type { TimerInput } from '#shared/contracts/jobs.ts';
export type { TimerInput } from '#shared/contracts/jobs.ts';

const short: Record<TimerKind, string> = {
  'window.expiring': 'wexp',
  'window.expired': 'wend',
  'conversation.autoclose': 'close',
  'conversation.unpostpone': 'back',
};

/** What arming and disarming need (the engine's deps, or the API's). */
export type TimerDeps = Pick<EngineDeps, 'ddb' | 'tableName' | 'scheduler'>;

/** Unique per conversation, kind and time (≤ 64 characters, Scheduler's limit). */
export const scheduleName = (t: TimerInput) =>
  `${short[t.kind]}-${t.conversationId}-${Math.floor(t.at / 1000).toString(36)}`;

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next second. */
export const atExpression = (at: number) =>
  `at(${new Date(Math.ceil(at / 1000) * 1000).toISOString().slice(0, 19)})`;

/** Arms one timer; arming the same one twice is a no-op. */
export async function armTimer(t: TimerInput, deps: TimerDeps): Promise<void> {
  await armTimers([t], deps);
}

/**
 * Arms timers side by side, then records them under their conversations in one batch
 * (a new attendance arms three: the window warning, its end, the inactivity close).
 * Arming the same timer twice is a no-op.
 */
export async function armTimers(timers: TimerInput[], deps: TimerDeps): Promise<void> {
  const s = deps.scheduler;
  if (!s || !timers.length) return;
  await Promise.all(
    timers.map(async (t) => {
      try {
        await s.client.send(
          new CreateScheduleCommand({
            Name: scheduleName(t),
            GroupName: s.group,
            ScheduleExpression: atExpression(t.at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: { Arn: s.targetArn, RoleArn: s.roleArn, Input: JSON.stringify(t) },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConflictException)) throw err;
      }
    }),
  );
  for (let i = 0; i < timers.length; i += 25) {
    let requests: Record<string, unknown>[] = timers.slice(i, i + 25).map((t) => ({
      PutRequest: {
        Item: {
          ...keys.schedule(t.accountId, t.conversationId, scheduleName(t)),
          name: scheduleName(t),
          at: t.at,
          kind: t.kind,
        },
      },
    }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
      const res = await deps.ddb.send(
        new BatchWriteCommand({ RequestItems: { [deps.tableName]: requests } }),
      );
      requests = (res.UnprocessedItems?.[deps.tableName] ?? []) as Record<string, unknown>[];
    }
  }
}

/** Arms every timer of the conversation's open attendance (WIN-2, WIN-3). */
export async function armConversationTimers(
  conv: Conversation,
  inactivityHours: number,
  deps: TimerDeps,
): Promise<void> {
  const attendanceId = conv.attendanceId;
  if (!attendanceId) return;
  const due = timerDueTimes(conv, inactivityHours);
  await armTimers(
    (Object.entries(due) as [TimerKind, number][]).map(([kind, at]) => ({
      kind,
      accountId: conv.accountId,
      conversationId: conv.id,
      attendanceId,
      at,
    })),
    deps,
  );
}

/**
 * Arms the timers of the conversation's attendance unless that was done (`timersArmedFor`):
 * once per attendance, and again after a crash between arming and marking (arming twice
 * is a no-op).
 */
export async function ensureConversationTimers(
  conv: Conversation,
  deps: TimerDeps & Pick<EngineDeps, 'now'>,
): Promise<void> {
  if (!deps.scheduler || !conv.attendanceId || conv.timersArmedFor === conv.attendanceId) return;
  const { inactivityHours } = await accountSettings(conv.accountId, deps);
  await armConversationTimers(conv, inactivityHours, deps);
  await updateIfAllowed(deps.ddb, {
    TableName: deps.tableName,
    Key: keys.conversation(conv.accountId, conv.id),
    UpdateExpression: 'SET timersArmedFor = :a',
    ConditionExpression: 'attendanceId = :a',
    ExpressionAttributeValues: { ':a': conv.attendanceId },
  });
}

/** Deletes the conversation's pending schedules (a close, a reopen elsewhere). */
export async function disarmConversationTimers(
  conv: Pick<Conversation, 'accountId' | 'id'>,
  deps: TimerDeps,
): Promise<void> {
  const prefix = keys.schedule(conv.accountId, conv.id, '').sk;
  const res = await deps.ddb.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.schedule(conv.accountId, conv.id, '').pk, ':p': prefix },
    }),
  );
  const items = res.Items ?? [];
  for (const item of items) {
    if (!deps.scheduler) break;
    try {
      await deps.scheduler.client.send(
        new DeleteScheduleCommand({ Name: String(item.name), GroupName: deps.scheduler.group }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
  for (let i = 0; i < items.length; i += 25) {
    await deps.ddb.send(
      new BatchWriteCommand({
        RequestItems: {
          [deps.tableName]: items
            .slice(i, i + 25)
            .map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
        },
      }),
    );
  }
}
