/**
 * The local stack's schedules: the EventBridge Scheduler stand-in (infra/local/scheduler.ts)
 * firing one-time schedules at the Scheduler's target function, and the deployment's
 * recurring schedules (the outbox sweep) as interval timers, as CDK's rate() schedules
 * fire them.
 */
import { join } from 'node:path';
import { scheduler as schedulerDef, type FunctionName } from '#infra/topology.ts';
import { localSchedulerTarget, type LocalIam } from '../iam.ts';
import { startLocalScheduler } from '../scheduler.ts';
import type { AnyHandler } from './invoked-functions.ts';
import type { Stoppers } from './stoppers.ts';

export async function startSchedules(o: {
  port: number;
  dataDir: string;
  handlers: Record<FunctionName, AnyHandler | undefined>;
  iam: LocalIam;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<void> {
  const { handlers, iam, stoppers, log } = o;
  const fireTarget = async (input: unknown) => {
    const h = handlers[schedulerDef.target];
    if (!h) throw new Error(`function ${schedulerDef.target} is unavailable`);
    await (h as (e: unknown, c: unknown) => Promise<unknown>)(input, {});
  };
  const sched = await startLocalScheduler({
    port: o.port,
    file: join(o.dataDir, 'schedules.json'),
    fire: fireTarget,
    log,
    iam,
    // Only the timers function, through the scheduler's role, as the CDK stack allows.
    allowedTarget: localSchedulerTarget,
  });
  stoppers.push(() => sched.stop());
  // The deployment's recurring schedules (the outbox sweep), as CDK's rate() schedules fire them.
  for (const r of schedulerDef.recurring) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      fireTarget(r.input)
        .catch((err: Error) => log(`recurring schedule ${r.name} failed: ${err.message}`))
        .finally(() => (running = false));
    }, r.everyMinutes * 60_000);
    timer.unref();
    stoppers.push(async () => clearInterval(timer));
  }
}
