/**
 * fn timers: the target of one-time EventBridge Scheduler schedules (the schedule's Input
 * is the event). Wiring only; the contract and the work are in shared/engine/timers.ts.
 */
import middy from '@middy/core';
import { dynamo, wsManagement } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { log } from '#shared/log.ts';
import { processTimer, type TimerDeps } from '#shared/engine/timers.ts';

const config = loadConfig();
const deps: TimerDeps = {
  ddb: dynamo(),
  tableName: config.tableName,
  ws: config.wsEndpoint ? wsManagement(config.wsEndpoint) : undefined,
  now: Date.now,
  log: (level, msg, data) => log(level, msg, { fn: 'timers', ...data }),
};

export const handler = middy<unknown>().handler(async (input) => {
  await processTimer(input, deps);
});
