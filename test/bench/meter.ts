/**
 * The bench's meter, installed in the bench's stack process (stack-process.ts): every
 * request the stack's stand-ins serve on the main thread — the local IAM proxies in front
 * of DynamoDB Local and fauxqs's SQS, the S3 and Secrets Manager stand-ins, the scheduler,
 * the HTTP and WebSocket gateways — is seen once, by who signed it (each function has its
 * own access key, infra/local/iam.ts) and what it asked, without touching the stack's code:
 * `http.Server.prototype.emit('request')` is wrapped.
 *
 * It counts AWS requests by service, kind and caller (the cost meter), DynamoDB's consumed
 * units (it adds `ReturnConsumedCapacity: INDEXES` to each data-plane request on its way
 * to DynamoDB Local, so each answer says what DynamoDB would bill), the partitions written
 * (by key shape), the SQS-fed functions' invocations and durations (receive → delete of a
 * batch, paired by receipt handle), and, for texts carrying a bench marker
 * (`q<run>-<i>z`), when each hop of the path saw them (the tail's timestamps).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { BENCH_TRACE_CHANNEL, type BenchTraceEvent } from '#infra/local/bench-trace.ts';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface Counter {
  /** Requests (API calls as AWS counts them: a batch is one). */
  n: number;
  /** Entries in batches, messages received, items in transactions. */
  items: number;
  /** DynamoDB capacity units consumed (read or write by the request's kind). */
  units: number;
  /** Request + response bytes (API Gateway meters by size increments). */
  bytes: number;
  /** Summed duration (ms): Lambda invocations only. */
  ms: number;
}

export type Counters = Record<string, Counter>;

export interface MeterSnapshot {
  counters: Counters;
  /** Table partitions written, by key shape (`ACC#<id>#CONV#<id> MSG`), per caller. */
  partitions: Record<string, number>;
}

export interface HopReport {
  /** marker → hop → wall time (ms). */
  hops: Record<string, Record<string, number>>;
  /** The stack's main thread (proxies, gateways, scheduler, simulator): event-loop delay, ms. */
  mainLoopDelay: { p50: number; p99: number; max: number; over50ms: number };
  /** DynamoDB requests through the proxy: time to answer, ms. */
  dynamoLatency: { n: number; p50: number; p99: number; max: number; over100ms: number };
  /** Main-thread stalls over 50 ms: when they ended (wall ms) and how long they were. */
  stalls: { at: number; ms: number }[];
  /** DynamoDB requests over 100 ms: when they started (wall ms), kind and duration. */
  slowDynamo: { at: number; kind: string; ms: number }[];
  /** The coalesced state writers' writes (infra/local/coalesced-write.ts): start (wall ms), writer, duration. */
  stateWrites: { at: number; name: string; ms: number }[];
}

const DATA_PLANE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const DDB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Who signed: `local<fn>` is a function, `localpoller` Lambda's event source mapping, `local` the bench/admin. */
export function callerOf(authorization: string | undefined): string {
  const key = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  if (!key) return 'anonymous';
  if (key === 'local') return 'admin';
  if (key === 'localpoller') return 'esm';
  return key.startsWith('local') ? key.slice('local'.length) : key;
}

/** `ACC#01HX…#CONV#01HY…` → `ACC#<id>#CONV#<id>`: keywords kept, ids hidden. */
export function keyShape(key: string | undefined): string {
  if (!key) return '?';
  return key
    .split('#')
    .map((seg) => (/^[A-Z][A-Z_]*$/.test(seg) ? seg : '<id>'))
    .join('#');
}

const MARKER = /q([0-9a-f]{6})-(\d+)z/g;
const markersIn = (text: string): string[] => [...new Set([...text.matchAll(MARKER)].map((m) => m[0]))];

type S = { S?: string };
/** Partition keys (and sort-key heads) a DynamoDB write request touches. */
function writtenKeys(kind: string, body: Record<string, unknown>): { pk?: string; sk?: string }[] {
  const keyOf = (k: unknown) => {
    const o = (k ?? {}) as { pk?: S; sk?: S };
    return { pk: o.pk?.S, sk: o.sk?.S };
  };
  switch (kind) {
    case 'PutItem':
      return [keyOf(body.Item)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [keyOf(body.Key)];
    case 'TransactWriteItems':
      return ((body.TransactItems ?? []) as Record<string, { Item?: unknown; Key?: unknown }>[]).flatMap(
        (t) =>
          Object.entries(t)
            .filter(([op]) => op !== 'ConditionCheck')
            .map(([, v]) => keyOf(v.Item ?? v.Key)),
      );
    case 'BatchWriteItem':
      return Object.values((body.RequestItems ?? {}) as Record<string, unknown[]>).flatMap((reqs) =>
        (reqs as { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]).map((r) =>
          keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key),
        ),
      );
    default:
      return [];
  }
}

/** Index partitions an update or put moves a conversation into (gsi2/gsi3 keys it sets). */
function indexKeys(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  const item = body.Item as Record<string, S> | undefined;
  for (const g of ['gsi1pk', 'gsi2pk', 'gsi3pk']) if (item?.[g]?.S) out.push(`${g} ${keyShape(item[g].S)}`);
  const values = body.ExpressionAttributeValues as Record<string, S> | undefined;
  const expr = String(body.UpdateExpression ?? '');
  if (values)
    for (const g of ['gsi2', 'gsi3']) {
      // `gsi2sk = :x` moves the entry within its partition (a delete and a put on the index).
      const m = new RegExp(`${g}(pk|sk) = (?:if_not_exists\\(${g}\\1, )?(:\\w+)`).exec(expr);
      const pk = new RegExp(`${g}pk = (:\\w+)`).exec(expr)?.[1];
      if (m) out.push(`${g} ${pk ? keyShape(values[pk]?.S) : '(same partition)'}`);
    }
  return out;
}

function unitsOf(response: string): number {
  try {
    const cc = (
      JSON.parse(response) as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
    ).ConsumedCapacity;
    return (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
  } catch {
    return 0;
  }
}

export interface MeterPorts {
  dynamodb: number;
  sqs: number;
  s3: number;
  secrets: number;
  scheduler: number;
  ws: number;
  http: number;
  simulator?: number;
}

export interface Meter {
  snapshot(): MeterSnapshot;
  /** The hop timestamps and stall figures gathered since the last call (and resets them). */
  hops(): HopReport;
}

/**
 * Installs the meter. Ports are known only once the stack listens: `ports()` is asked on
 * each request until it answers.
 */
export function installMeter(
  ports: () => MeterPorts | undefined,
  queueFunction: (queueUrl: string) => string | undefined,
): Meter {
  const counters: Counters = {};
  const partitions: Record<string, number> = {};
  let hops: Record<string, Record<string, number>> = {};
  const receivedAt = new Map<string, { t: number; fn: string; markers: string[] }>();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let stalls: { at: number; ms: number }[] = [];
  let last = wallNow();
  setInterval(() => {
    const t = wallNow();
    if (t - last > 60) stalls.push({ at: t, ms: Number((t - last - 10).toFixed(1)) });
    last = t;
  }, 10).unref();
  let ddbTimes: number[] = [];
  let slowDynamo: { at: number; kind: string; ms: number }[] = [];
  let stateWrites: { at: number; name: string; ms: number }[] = [];

  const count = (key: string, add: Partial<Counter>) => {
    const c = (counters[key] ??= { n: 0, items: 0, units: 0, bytes: 0, ms: 0 });
    c.n += add.n ?? 0;
    c.items += add.items ?? 0;
    c.units += add.units ?? 0;
    c.bytes += add.bytes ?? 0;
    c.ms += add.ms ?? 0;
  };
  const hop = (markers: string[], name: string, t: number) => {
    for (const m of markers) {
      const h = (hops[m] ??= {});
      h[name] ??= t;
    }
  };

  // The local runtime's own hops (infra/local/bench-trace.ts, on with ATENDE_BENCH_TRACE=1):
  // each poller's batch received, handed to its function, done and deleted — from the
  // function workers' threads — and the coalesced state writes on this thread.
  const trace = new BroadcastChannel(BENCH_TRACE_CHANNEL);
  (trace as unknown as { unref?: () => void }).unref?.();
  trace.onmessage = (e) => {
    const ev = (e as { data: BenchTraceEvent }).data;
    if (ev.kind === 'write') stateWrites.push({ at: ev.t, name: ev.name, ms: Number(ev.ms.toFixed(2)) });
    else {
      const m = ev.bodies.flatMap(markersIn);
      if (m.length) hop(m, ev.hop, ev.t);
    }
  };

  /** Reads the request body, then runs `next` with it; the answer's body is collected. */
  const observe = (
    req: IncomingMessage,
    res: ServerResponse,
    next: (body: Buffer) => void,
    done: (body: Buffer, response: string, t0: number, t1: number) => void,
  ) => {
    const t0 = wallNow();
    const chunks: Buffer[] = [];
    const out: Buffer[] = [];
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') out.push(Buffer.from(chunk as string));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') out.push(Buffer.from(chunk as string));
      return end(chunk, ...rest);
    }) as typeof res.end;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.once('finish', () => {
        try {
          done(body, Buffer.concat(out).toString('utf8'), t0, wallNow());
        } catch {
          /* the meter never breaks the stack */
        }
      });
      next(body);
    });
  };

  const original = http.Server.prototype.emit;
  const emit = (server: http.Server, event: string, ...args: unknown[]) =>
    (original as (this: http.Server, e: string, ...a: unknown[]) => boolean).call(server, event, ...args);
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event !== 'request') return emit(this, event, ...args);
    const p = ports();
    const port = (this.address() as { port?: number } | null)?.port;
    const [req, res] = args as [IncomingMessage, ServerResponse];
    if (!p || port === undefined) return emit(this, event, ...args);
    const target = String(req.headers['x-amz-target'] ?? '');
    const kind = target.slice(target.lastIndexOf('.') + 1);
    const caller = callerOf(req.headers.authorization);

    if (port === p.dynamodb && DATA_PLANE.has(kind)) {
      // Buffer the body, ask for the consumed capacity, hand the proxy the rewritten request.
      const fake = new PassThrough() as unknown as IncomingMessage;
      Object.assign(fake, { headers: { ...req.headers }, method: req.method, url: req.url });
      observe(
        req,
        res,
        (body) => {
          let sent = body;
          try {
            const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
            parsed.ReturnConsumedCapacity ??= 'INDEXES';
            sent = Buffer.from(JSON.stringify(parsed));
          } catch {
            /* forwarded as it came */
          }
          fake.headers['content-length'] = String(sent.length);
          emit(this, 'request', fake, res);
          (fake as unknown as PassThrough).end(sent);
        },
        (body, response, t0, t1) => {
          const text = body.toString('utf8');
          count(`dynamodb|${kind}|${caller}`, {
            n: 1,
            units: unitsOf(response),
            items:
              kind === 'TransactWriteItems'
                ? (text.match(/"(Put|Update|Delete|ConditionCheck)":/g)?.length ?? 0)
                : 0,
          });
          ddbTimes.push(t1 - t0);
          if (t1 - t0 > 100) slowDynamo.push({ at: t0, kind, ms: Number((t1 - t0).toFixed(1)) });
          if (DDB_WRITES.has(kind)) {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            for (const k of writtenKeys(kind, parsed)) {
              const shape = `${caller} ${kind} ${keyShape(k.pk)} ${k.sk?.split('#')[0]?.replace(/^([a-z]):.*$/, '$1:…') ?? ''}`;
              partitions[shape] = (partitions[shape] ?? 0) + 1;
            }
            for (const ix of indexKeys(parsed)) {
              const shape = `${caller} ${kind} index ${ix}`;
              partitions[shape] = (partitions[shape] ?? 0) + 1;
            }
            const m = markersIn(text);
            if (m.length) hop(m, kind === 'PutItem' ? 'ddbPut' : `ddb${kind}`, t0);
          }
        },
      );
      return true;
    }

    let service: string | undefined;
    let sub = kind;
    if (port === p.dynamodb) service = 'dynamodb';
    else if (port === p.sqs) service = 'sqs';
    else if (port === p.secrets) service = 'secretsmanager';
    else if (port === p.s3) {
      service = 's3';
      sub = req.method ?? '?';
    } else if (port === p.scheduler) {
      service = 'scheduler';
      sub = `${req.method} ${(req.url ?? '').split('?')[0]!.split('/')[1] ?? ''}`;
    } else if (port === p.ws) {
      service = 'apigw-ws';
      sub = req.url?.startsWith('/@connections/') ? `${req.method} @connections` : (req.method ?? '?');
    } else if (port === p.http) {
      service = 'apigw-http';
      sub = req.url?.startsWith('/webhook/') ? 'webhook' : 'api';
    } else if (port === p.simulator) service = 'meta';
    if (!service) return emit(this, event, ...args);
    const svc = service;
    observe(
      req,
      res,
      () => undefined,
      (body, response, t0, t1) => {
        const text = body.toString('utf8');
        if (svc === 'sqs') {
          const parsed = (text ? JSON.parse(text) : {}) as {
            QueueUrl?: string;
            Entries?: { ReceiptHandle?: string }[];
          };
          const queue = parsed.QueueUrl ?? '';
          const fifo = queue.endsWith('.fifo') ? 'fifo' : 'standard';
          if (kind === 'ReceiveMessage') {
            const messages =
              (JSON.parse(response || '{}') as { Messages?: { ReceiptHandle: string }[] }).Messages ?? [];
            count(`sqs|${messages.length ? 'ReceiveMessage' : 'ReceiveMessage (empty)'} ${fifo}|${caller}`, {
              n: 1,
              items: messages.length,
            });
            const fn = queueFunction(queue);
            if (messages.length && fn && caller === 'esm') {
              const markers = markersIn(response);
              hop(markers, 'sqsReceived', t1);
              receivedAt.set(messages[0]!.ReceiptHandle, { t: t1, fn, markers });
              count(`lambda|invoke|${fn}`, { n: 1, items: messages.length });
            }
          } else {
            count(`sqs|${kind} ${fifo}|${caller}`, { n: 1, items: parsed.Entries?.length ?? 1 });
            if (kind.startsWith('SendMessage')) {
              const m = markersIn(text);
              if (m.length) hop(m, 'sqsSent', t1);
            }
            if (kind === 'DeleteMessageBatch' || kind === 'DeleteMessage') {
              for (const e of parsed.Entries ?? [parsed as { ReceiptHandle?: string }]) {
                const r = e.ReceiptHandle ? receivedAt.get(e.ReceiptHandle) : undefined;
                if (!r) continue;
                receivedAt.delete(e.ReceiptHandle!);
                count(`lambda|invoke|${r.fn}`, { ms: t0 - r.t });
                hop(r.markers, 'sqsDeleted', t0);
              }
            }
          }
          return;
        }
        if (svc === 'apigw-http') {
          const fn = sub === 'webhook' ? 'webhook' : 'api';
          count(`apigw-http|request|${fn}`, { n: 1, bytes: body.length + response.length });
          count(`lambda|invoke|${fn}`, { n: 1, items: 1, ms: t1 - t0 });
          const m = markersIn(text);
          if (m.length) {
            hop(m, 'webhookIn', t0);
            hop(m, 'webhookAck', t1);
          }
          return;
        }
        if (svc === 'apigw-ws') {
          count(`apigw-ws|${sub}|${caller}`, { n: 1, bytes: body.length });
          const m = markersIn(text);
          if (m.length) {
            hop(m, 'wsPost', t0);
            hop(m, 'wsPosted', t1);
          }
          return;
        }
        if (svc === 'meta') {
          const m = markersIn(text);
          if (m.length) hop(m, 'simulatorIn', t0);
        }
        count(`${svc}|${sub}|${caller}`, { n: 1, bytes: body.length });
      },
    );
    return emit(this, event, ...args);
  } as typeof http.Server.prototype.emit;

  return {
    snapshot: () => ({ counters: structuredClone(counters), partitions: { ...partitions } }),
    hops() {
      const sorted = ddbTimes.sort((a, b) => a - b);
      const at = (q: number) =>
        Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
      const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
      const report: HopReport = {
        hops,
        mainLoopDelay: {
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
          over50ms: stalls.length,
        },
        dynamoLatency: {
          n: sorted.length,
          p50: at(0.5),
          p99: at(0.99),
          max: Number((sorted.at(-1) ?? 0).toFixed(1)),
          over100ms: slowDynamo.length,
        },
        stalls,
        slowDynamo,
        stateWrites,
      };
      hops = {};
      ddbTimes = [];
      slowDynamo = [];
      stateWrites = [];
      stalls = [];
      loop.reset();
      return report;
    },
  };
}
