/**
 * The outbox sweeper: a recurring schedule (topology `scheduler.recurring`, every minute)
 * makes fn timers look at outgoing messages still unsettled past a deadline
 * (shared/domain/send-state.ts `sweepAction`), found through the outbox's sparse index
 * (shared/store/outbox.ts):
 *
 * - `pending` with no queue record working on it (its enqueue was lost, or the job
 *   dead-lettered) — or a send in doubt past its deadline with its one resend still
 *   allowed — is queued again (`nudgedAt`, conditional, so two sweeps queue it once; the
 *   sender decides, so nothing is sent twice);
 * - a send still in doubt after its resend, or anything unsettled past the queue's retry
 *   horizon, fails visibly: status `failed` with a Portuguese reason, `message.updated` as
 *   every status change (its listeners push it to the chat).
 */
import { sweepAction, SWEEP_AFTER_MS } from '#shared/domain/send-state.ts';
import { emit } from '#shared/events/listeners.ts';
import { enqueueOutbound } from '#shared/contracts/outbound-queue.ts';
import { failUnsettled, markNudged } from '#shared/store/messages.ts';
import { listUnsettledBefore } from '#shared/store/outbox.ts';
import type { EngineDeps } from './engine-deps.ts';

/** The recurring schedule's input (infra/topology.ts `scheduler.recurring`). */
export { sweepInput } from '#shared/contracts/jobs.ts';

export interface SweepResult {
  requeued: number;
  failed: number;
}

export async function sweepOutbox(deps: EngineDeps): Promise<SweepResult> {
  const now = deps.now();
  const result: SweepResult = { requeued: 0, failed: 0 };
  const unsettled = await listUnsettledBefore(deps.ddb, deps.tableName, now - SWEEP_AFTER_MS);
  for (const message of unsettled) {
    const action = sweepAction(message, now);
    const ref = {
      accountId: message.accountId,
      conversationId: message.conversationId,
      messageId: message.id,
    };
    if (action.do === 'requeue') {
      const url = deps.queueUrls?.outbound;
      if (!deps.sqs || !url) {
        deps.log('error', 'sweeper cannot queue: OUTBOUND_QUEUE_URL is not configured', ref);
        continue;
      }
      if (!(await markNudged(deps.ddb, deps.tableName, message, now))) continue;
      await enqueueOutbound(deps.sqs, url, { kind: 'send', ...ref, nudge: now });
      deps.log('warn', 'sweeper queued an unsettled message again', {
        ...ref,
        inDoubt: message.sendingAt !== undefined,
      });
      result.requeued++;
    } else if (action.do === 'fail') {
      const failed = await failUnsettled(deps.ddb, deps.tableName, message, action.error);
      if (!failed) continue;
      deps.log('warn', 'sweeper failed an unsettled message visibly', {
        ...ref,
        reason: action.error.details,
      });
      await emit([{ type: 'message.updated', message: failed }], deps);
      result.failed++;
    }
  }
  return result;
}
