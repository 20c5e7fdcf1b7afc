/**
 * The agents' socket push as the work that caused it sees it: a push never fails that
 * work (the inbox resynchronises on reconnect); a failure is logged.
 */
import { log as defaultLog, type LogLevel } from '#shared/log.ts';
import { pushToAccount, type PushDeps, type PushEvent } from './push.ts';

export async function pushBestEffort(
  accountId: string,
  events: PushEvent[],
  deps: PushDeps & { log?: (level: LogLevel, msg: string, data?: Record<string, unknown>) => void },
): Promise<void> {
  try {
    await pushToAccount(accountId, events, { ddb: deps.ddb, tableName: deps.tableName, ws: deps.ws });
  } catch (err) {
    (deps.log ?? defaultLog)('warn', 'push failed', { accountId, error: (err as Error).message });
  }
}
