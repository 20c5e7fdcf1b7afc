/**
 * fn timers: the target of one-time EventBridge Scheduler schedules (the schedule's Input
 * is the event). Wiring only; the contract and the work are in shared/engine/timers.ts.
 */
import middy from '@middy/core';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/deps.ts';
import { processTimer } from '#shared/engine/timers.ts';

const deps = engineDepsFromConfig(loadConfig(), 'timers');

export const handler = middy<unknown>().handler(async (input) => {
  await processTimer(input, deps);
});
