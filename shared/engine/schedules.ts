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
import { timerDueTimes, type TimerKind } from '#shared/domain/clock.ts';
import { markTimersArmed } from '#shared/store/conversations.ts';
import {
  deleteScheduleRecords,
  listScheduleRecords,
  putScheduleRecords,
  putScheduleRecordsMarkingArmed,
  type ScheduleRecord,
} from '#shared/store/schedules.ts';
import type { Conversation } from '#shared/store/types.ts';
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
 * Arming the same timer twice is a no-op. With `markArmed` (the attendance whose timers
 * these are), the records and the conversation's timers-armed mark are one write.
 */
export async function armTimers(
  timers: TimerInput[],
  deps: TimerDeps,
  markArmed?: { accountId: string; conversationId: string; attendanceId: string },
): Promise<void> {
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
  const records: ScheduleRecord[] = timers.map((t) => ({
    accountId: t.accountId,
    conversationId: t.conversationId,
    name: scheduleName(t),
    at: t.at,
    kind: t.kind,
  }));
  if (markArmed && records.length <= 99)
    await putScheduleRecordsMarkingArmed(deps.ddb, deps.tableName, records, markArmed);
  else {
    await putScheduleRecords(deps.ddb, deps.tableName, records);
    if (markArmed)
      await markTimersArmed(
        deps.ddb,
        deps.tableName,
        { accountId: markArmed.accountId, id: markArmed.conversationId },
        markArmed.attendanceId,
      );
  }
}

/**
 * Arms every timer of the conversation's open attendance (WIN-2, WIN-3); with `markArmed`,
 * records on the conversation that they are armed (in the records' write).
 */
export async function armConversationTimers(
  conv: Conversation,
  inactivityHours: number,
  deps: TimerDeps,
  opts: { markArmed?: boolean } = {},
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
    opts.markArmed ? { accountId: conv.accountId, conversationId: conv.id, attendanceId } : undefined,
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
  await armConversationTimers(conv, inactivityHours, deps, { markArmed: true });
}

/** Deletes the conversation's pending schedules (a close, a reopen elsewhere). */
export async function disarmConversationTimers(
  conv: Pick<Conversation, 'accountId' | 'id'>,
  deps: TimerDeps,
): Promise<void> {
  const items = await listScheduleRecords(deps.ddb, deps.tableName, conv.accountId, conv.id);
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
  await deleteScheduleRecords(deps.ddb, deps.tableName, items);
}
