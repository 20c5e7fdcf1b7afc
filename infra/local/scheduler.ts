/**
 * Local stand-in for EventBridge Scheduler one-time schedules: the REST-JSON routes the
 * real @aws-sdk/client-scheduler calls (Create/Get/Update/DeleteSchedule), persisted to
 * a JSON file, firing each `at(...)` schedule's target with its Input at its time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { LocalStartError } from './errors.ts';
import { coalescedWrite } from './coalesced-write.ts';
import { listen } from './server-lifecycle.ts';
import { accessKeyIdOf, schedulerRequest, type LocalIam } from './iam.ts';

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Target: { Arn: string; RoleArn: string; Input?: string };
  ActionAfterCompletion?: 'DELETE' | 'NONE';
  State?: 'ENABLED' | 'DISABLED';
  Description?: string;
  CreationDate: number;
  LastModificationDate: number;
  fired?: boolean;
}

export interface LocalScheduler {
  url: string;
  port: number;
  /** Schedules currently stored (for tests and the developer). */
  list(): StoredSchedule[];
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  port: number;
  host?: string;
  /** JSON file where schedules persist; none keeps them in memory. */
  file?: string;
  /** Called when a schedule fires, with the schedule's parsed Input. */
  fire: (input: unknown, schedule: StoredSchedule) => Promise<void>;
  /** The clock; tests pass a fast one. */
  now?: () => number;
  /** How often due schedules are looked for (ms). */
  tickMs?: number;
  log?: (msg: string) => void;
  /** IAM: each request is checked against the signer's grants (scheduler:*, iam:PassRole). */
  iam?: LocalIam;
  /**
   * What the CDK stack lets a schedule name: its target (the timers function's exact ARN)
   * and the role Scheduler assumes. Others are refused with ValidationException.
   */
  allowedTarget?: { functionArn: string; roleArn: string };
}

/** Parses `at(yyyy-mm-ddThh:mm:ss)` (UTC unless a time zone offset is given by the caller). */
export function parseAtExpression(expr: string): number | undefined {
  const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expr.trim());
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}Z`);
  return Number.isNaN(t) ? undefined : t;
}

function key(group: string, name: string) {
  return `${group}/${name}`;
}

export async function startLocalScheduler(opts: SchedulerOptions): Promise<LocalScheduler> {
  const now = opts.now ?? Date.now;
  const schedules = new Map<string, StoredSchedule>();
  if (opts.file && existsSync(opts.file)) {
    try {
      const saved = JSON.parse(readFileSync(opts.file, 'utf8')) as StoredSchedule[];
      for (const s of saved) schedules.set(key(s.GroupName, s.Name), s);
    } catch {
      throw new LocalStartError(
        `The scheduler file ${opts.file} is corrupt. Run \`npm start -- --reset\` to start from a clean state.`,
      );
    }
  }
  const stateFile = coalescedWrite(
    () => {
      if (!opts.file) return;
      const tmp = `${opts.file}.tmp`;
      writeFileSync(tmp, JSON.stringify([...schedules.values()], null, 1));
      renameSync(tmp, opts.file);
    },
    200,
    'scheduler',
  );
  const persist = () => {
    if (opts.file) stateFile.schedule();
  };
  // When each schedule is due, parsed once (a tick looks at every schedule); a replaced or
  // deleted schedule takes its entry with it.
  const dueAt = new WeakMap<StoredSchedule, number | undefined>();
  const dueOf = (s: StoredSchedule) => {
    if (!dueAt.has(s)) dueAt.set(s, parseAtExpression(s.ScheduleExpression));
    return dueAt.get(s);
  };

  const firing = new Set<string>();
  const tick = async () => {
    const t = now();
    for (const [k, s] of schedules) {
      if (s.fired || s.State === 'DISABLED' || firing.has(k)) continue;
      const at = dueOf(s);
      if (at === undefined || at > t) continue;
      firing.add(k);
      let input: unknown;
      try {
        input = s.Target.Input ? JSON.parse(s.Target.Input) : {};
      } catch {
        input = s.Target.Input;
      }
      try {
        await opts.fire(input, s);
        if (s.ActionAfterCompletion === 'DELETE') schedules.delete(k);
        else s.fired = true;
        persist();
      } catch (err) {
        // EventBridge retries failed invocations; so do we, on the next tick.
        opts.log?.(`schedule ${k} failed: ${(err as Error).message}`);
      } finally {
        firing.delete(k);
      }
    }
  };
  const timer = setInterval(() => void tick(), opts.tickMs ?? 250);

  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (errorType) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, { Message: 'Unknown route' }, 'ResourceNotFoundException');
    const name = decodeURIComponent(m[1]!);
    let body: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const group = (body.GroupName as string) ?? url.searchParams.get('groupName') ?? 'default';
    const k = key(group, name);
    if (opts.iam) {
      const caller = accessKeyIdOf(req.headers.authorization);
      const op = schedulerRequest(req.method ?? 'GET', group, name);
      const target = body.Target as { RoleArn?: string } | undefined;
      const checks = [op];
      if ((req.method === 'POST' || req.method === 'PUT') && target?.RoleArn)
        checks.push({ action: 'iam:PassRole', resources: [target.RoleArn] });
      for (const c of checks) {
        const d = opts.iam.check(caller, c.action, c.resources);
        if (!d.ok)
          return send(
            res,
            403,
            { Message: d.message },
            d.unknownKey ? 'UnrecognizedClientException' : 'AccessDeniedException',
          );
      }
    }
    if (opts.allowedTarget && (req.method === 'POST' || req.method === 'PUT')) {
      const target = (body.Target ?? {}) as { Arn?: string; RoleArn?: string };
      if (target.RoleArn !== opts.allowedTarget.roleArn)
        return send(
          res,
          400,
          {
            Message: `The execution role ${String(target.RoleArn)} cannot be assumed by EventBridge Scheduler; this stack's schedules use ${opts.allowedTarget.roleArn}.`,
          },
          'ValidationException',
        );
      if (target.Arn !== opts.allowedTarget.functionArn)
        return send(
          res,
          400,
          {
            Message: `Target ${String(target.Arn)} is not a function the role ${opts.allowedTarget.roleArn} may invoke (only ${opts.allowedTarget.functionArn}).`,
          },
          'ValidationException',
        );
    }
    const existing = schedules.get(k);
    const arn = `arn:aws:scheduler:local:000000000000:schedule/${group}/${name}`;
    switch (req.method) {
      case 'POST':
      case 'PUT': {
        if (req.method === 'POST' && existing) {
          return send(res, 409, { Message: `Schedule ${name} already exists.` }, 'ConflictException');
        }
        if (req.method === 'PUT' && !existing) {
          return send(res, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
        }
        const expr = String(body.ScheduleExpression ?? '');
        if (parseAtExpression(expr) === undefined) {
          return send(
            res,
            400,
            { Message: `Only one-time at(...) expressions are supported locally: ${expr}` },
            'ValidationException',
          );
        }
        const t = Math.floor(now() / 1000);
        schedules.set(k, {
          Name: name,
          GroupName: group,
          ScheduleExpression: expr,
          ScheduleExpressionTimezone: body.ScheduleExpressionTimezone as string | undefined,
          Target: body.Target as StoredSchedule['Target'],
          ActionAfterCompletion: body.ActionAfterCompletion as StoredSchedule['ActionAfterCompletion'],
          State: (body.State as StoredSchedule['State']) ?? 'ENABLED',
          Description: body.Description as string | undefined,
          CreationDate: existing?.CreationDate ?? t,
          LastModificationDate: t,
        });
        persist();
        return send(res, 200, { ScheduleArn: arn });
      }
      case 'GET':
        if (!existing) {
          return send(res, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
        }
        return send(res, 200, { ...existing, Arn: arn, fired: undefined });
      case 'DELETE':
        if (!existing) {
          return send(res, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
        }
        schedules.delete(k);
        persist();
        return send(res, 200, {});
      default:
        return send(res, 405, { Message: 'Method not allowed' }, 'ValidationException');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) =>
      send(res, 500, { Message: err.message }, 'InternalServerException'),
    );
  });
  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  void tick();
  return {
    url: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    list: () => [...schedules.values()],
    async stop() {
      clearInterval(timer);
      await new Promise<void>((r) => server.close(() => r()));
      stateFile.flush();
    },
  };
}
