/**
 * The one structured logger: JSON lines with the same keys everywhere — `level`, `msg`,
 * `time`, then `function` (the Lambda), `correlationId` (the SQS message id, the API or
 * webhook request id), and, where the caller knows them, `accountId` and `conversationId`.
 * The function and correlation id come from the context (`setLogContext` once per process,
 * `withLogContext` around each record or request), so every module's lines carry them
 * without passing a logger around; the call shape stays `log(level, msg, data)`.
 *
 * Callers pass ids (account, conversation, message), never tokens, secrets or message
 * bodies; as a net, a string under a key that names a secret (token, secret, password,
 * authorization, api key, cookie, private key) is written as `[redacted]` (docs/security.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string, data?: Record<string, unknown>) => void;

/** The keys every line of a function, record or request carries. */
export interface LogContext {
  function?: string;
  correlationId?: string;
  accountId?: string;
  conversationId?: string;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Read on every call: the local runtime and the benchmark set LOG_LEVEL after imports. */
const threshold = () =>
  order[(process.env.LOG_LEVEL as LogLevel) ?? (process.env.ATENDE_TEST ? 'warn' : 'info')] ?? 20;

let processContext: LogContext = {};
const scoped = new AsyncLocalStorage<LogContext>();

/** The process's own keys (its function's name), set once at cold start. */
export function setLogContext(context: LogContext): void {
  processContext = { ...processContext, ...context };
}

/** Runs `fn` with `context`'s keys on every line logged inside it (across awaits). */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  const defined = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
  return scoped.run({ ...scoped.getStore(), ...defined }, fn);
}

const SECRET_KEY = /token|secret|password|authorization|api_?key|cookie|private_?key|jwt/i;

/** `data` with the strings under secret-naming keys replaced (nested objects too, 4 levels). */
export function redact(data: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4)
      out[key] = redact(value as Record<string, unknown>, depth + 1);
    else out[key] = value;
  }
  return out;
}

export function log(level: LogLevel, msg: string, data: Record<string, unknown> = {}): void {
  if (order[level] < threshold()) return;
  const line = JSON.stringify({
    level,
    msg,
    time: new Date().toISOString(),
    ...processContext,
    ...scoped.getStore(),
    ...redact(data),
  });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

/** A `log` with fixed keys (a function's, a record's) under the caller's data. */
export function loggerWith(context: LogContext): LogFn {
  return (level, msg, data) => log(level, msg, { ...context, ...data });
}
