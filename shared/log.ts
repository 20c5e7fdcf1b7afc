/**
 * Structured JSON logs. Callers pass ids (account, conversation, message), never tokens,
 * secrets or message bodies.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Read on every call: the local runtime and the benchmark set LOG_LEVEL after imports. */
const threshold = () =>
  order[(process.env.LOG_LEVEL as LogLevel) ?? (process.env.ATENDE_TEST ? 'warn' : 'info')] ?? 20;

export function log(level: LogLevel, msg: string, data: Record<string, unknown> = {}): void {
  if (order[level] < threshold()) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...data });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}
