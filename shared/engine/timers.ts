/**
 * What fn timers does when a one-time schedule fires (shared/engine/schedules.ts arms
 * them). The Input is a TimerInput; what to do is decided by the pure clock rules
 * (shared/domain/clock.ts) against the conversation as it is now:
 *
 *   stale  — another attendance, a closed or missing conversation: nothing;
 *   rearm  — a customer message moved the time since: a schedule for the new time;
 *   notify — Expirando / Expirado: the agents' inboxes get `conversation.updated`
 *            and derive the tag from windowExpiresAt (shared/domain/window.ts);
 *   close  — the inactivity period passed: the attendance ends (WIN-3), `conversation.closed`;
 *   unpostpone — a postponed chat's time came: back in the open lists (INB-9),
 *            `conversation.unpostponed`.
 *
 * The side effects (the sockets' push, deleting a closed attendance's pending timers) are
 * the domain events' listeners (shared/events/listeners.ts).
 *
 * A `smoke` input is the post-deploy smoke check's (scripts/smoke.ts): it touches no
 * conversation, only writes the check's marker (shared/store/smoke.ts).
 *
 * Unknown inputs are logged and dropped, never retried.
 */
import { onTimer, type TimerAction } from '#shared/domain/clock.ts';
import { closeConversation, getConversationById, syncInboxKeys } from '#shared/store/conversations.ts';
import { deleteScheduleRecord } from '#shared/store/schedules.ts';
import { putSmokeMarker } from '#shared/store/smoke.ts';
import type { EngineDeps } from './engine-deps.ts';
import { accountSettings } from './settings.ts';
import { armTimer, scheduleName } from './schedules.ts';
import { emit } from '#shared/events/listeners.ts';

// The schedules' contracts, shared with their producers (schedules.ts, the smoke check).
import { smokeTimerInput, timerInput } from '#shared/contracts/jobs.ts';
export { smokeTimerInput, timerInput } from '#shared/contracts/jobs.ts';

export type TimerOutcome = TimerAction['do'] | 'smoke' | 'ignored';

export async function processTimer(input: unknown, deps: EngineDeps): Promise<TimerOutcome> {
  const smoke = smokeTimerInput.safeParse(input);
  if (smoke.success) {
    await putSmokeMarker(deps.ddb, deps.tableName, {
      smokeId: smoke.data.smokeId,
      dueAt: smoke.data.at,
      firedAt: deps.now(),
    });
    deps.log('info', 'smoke timer fired', { smokeId: smoke.data.smokeId });
    return 'smoke';
  }
  const parsed = timerInput.safeParse(input);
  if (!parsed.success) {
    deps.log('warn', 'unknown timer input dropped');
    return 'ignored';
  }
  const t = parsed.data;
  // This schedule has fired: its record under the conversation goes (Scheduler deletes the schedule).
  await deleteScheduleRecord(deps.ddb, deps.tableName, t.accountId, t.conversationId, scheduleName(t));
  const conv = await getConversationById(deps.ddb, deps.tableName, t.accountId, t.conversationId);
  const { inactivityHours } = await accountSettings(t.accountId, deps);
  const action = onTimer(t, conv, inactivityHours, deps.now());
  deps.log('info', 'timer fired', {
    accountId: t.accountId,
    conversationId: t.conversationId,
    kind: t.kind,
    action: action.do,
  });
  // What follows (the agents' sockets, the pending timers) is the listeners' (shared/events/listeners.ts).
  switch (action.do) {
    case 'stale':
      break;
    case 'rearm':
      await armTimer({ ...t, at: action.at }, deps);
      break;
    case 'notify':
      // Nothing written: the inboxes derive Expirando / Expirado from windowExpiresAt.
      await emit([{ type: 'conversation.updated', conversation: conv! }], deps);
      break;
    case 'unpostpone': {
      const back = await syncInboxKeys(deps.ddb, deps.tableName, conv!, deps.now());
      await emit([{ type: 'conversation.unpostponed', conversation: back }], deps);
      break;
    }
    case 'close': {
      const closed = await closeConversation(
        deps.ddb,
        deps.tableName,
        conv!,
        t.attendanceId,
        deps.now(),
        'inactivity',
      );
      if (closed)
        await emit(
          [{ type: 'conversation.closed', conversation: closed, previous: conv!, reason: 'inactivity' }],
          deps,
        );
      break;
    }
  }
  return action.do;
}
