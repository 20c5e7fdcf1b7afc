/**
 * fn timers: the target of one-time EventBridge Scheduler schedules (the schedule's Input
 * is the event) and of the recurring outbox sweep. Wiring only; the contract and the work
 * are in shared/contracts/jobs.ts, shared/engine/timers.ts and shared/engine/sweeper.ts.
 */
import middy from '@middy/core';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { sweepInput, sweepOutbox } from '#shared/engine/sweeper.ts';
import { processTimer } from '#shared/engine/timers.ts';
import { withLogContext } from '#shared/log.ts';

export function buildTimersHandler(deps: EngineDeps) {
  return middy<unknown>().handler(async (input) => {
    // The recurring outbox sweep (topology scheduler.recurring), else a one-time schedule.
    if (sweepInput.safeParse(input).success) await sweepOutbox(deps);
    else {
      // A conversation's timer: its lines carry the conversation.
      const { accountId, conversationId } = (input ?? {}) as Record<string, unknown>;
      await withLogContext(
        {
          ...(typeof accountId === 'string' ? { accountId } : {}),
          ...(typeof conversationId === 'string' ? { conversationId } : {}),
        },
        () => processTimer(input, deps),
      );
    }
  });
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineDeps {
  return engineDepsFromConfig(loadConfig(env, 'timers'));
}
