/**
 * The cost meter's arithmetic: the AWS requests the meter counted in a phase (meter.ts)
 * × the list prices of prices-us-east-1.json → dollars per million inbound messages.
 *
 * What is counted, and how it maps to a bill:
 * - DynamoDB: the units DynamoDB Local reported for each request of a function (index
 *   writes included); the bench's own requests (the admin key) are not counted.
 * - SQS: every request of a function or of the event source mapping (the local pollers);
 *   empty receives are listed apart and left out of the per-message figure (the local
 *   pollers long-poll 1 s; Lambda's pollers on AWS long-poll 20 s, a fixed cost per queue).
 * - Lambda: one request per webhook POST, per API call and per SQS batch; GB-seconds from
 *   the durations measured here (a webhook from request to answer, a batch from its
 *   receive to its delete) × the function's memory. These are local durations on a shared
 *   machine, through the local IAM proxy: an estimate, not what AWS would bill.
 * - API Gateway: HTTP API requests (webhook, API); WebSocket messages posted to agents.
 * - Scheduler: schedules created, each counted as one future invocation (an upper bound:
 *   timers removed before they fire are never invoked).
 * - Meta (the simulator) and the LLM are not AWS and not counted.
 */
import { readFileSync } from 'node:fs';
import { functions, type FunctionName } from '#infra/topology.ts';
import type { Counter, Counters } from './meter.ts';

export const prices = JSON.parse(
  readFileSync(new URL('./prices-us-east-1.json', import.meta.url), 'utf8'),
) as {
  date: string;
  dynamodb: { writeRequestUnitPerMillion: number; readRequestUnitPerMillion: number };
  sqs: { fifoRequestPerMillion: number; standardRequestPerMillion: number };
  lambda: { requestPerMillion: number; arm64GbSecond: number };
  apiGatewayHttp: { requestPerMillion: number };
  apiGatewayWebSocket: { messagePerMillion: number; connectionMinutePerMillion: number };
  scheduler: { invocationPerMillion: number };
  s3: { putPerThousand: number; getPerThousand: number };
  secretsManager: { apiCallPerTenThousand: number };
};

const DDB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** `after - before`, counter by counter. */
export function diff(after: Counters, before: Counters): Counters {
  const out: Counters = {};
  for (const [k, a] of Object.entries(after)) {
    const b: Partial<Counter> = before[k] ?? {};
    const d = {
      n: a.n - (b.n ?? 0),
      items: a.items - (b.items ?? 0),
      units: a.units - (b.units ?? 0),
      bytes: a.bytes - (b.bytes ?? 0),
      ms: a.ms - (b.ms ?? 0),
    };
    if (d.n || d.ms || d.units) out[k] = d;
  }
  return out;
}

export interface CostReport {
  messages: number;
  /** Dollars per million inbound messages, by line. */
  dollarsPerMillion: Record<string, number>;
  totalPerMillion: number;
  /** Per inbound message: requests (and units) by service and kind. */
  perMessage: Record<string, number>;
  /** Not in the total: requests of the bench itself, empty receives, Meta. */
  notCounted: Record<string, number>;
}

const r = (x: number, digits = 4) => Number(x.toFixed(digits));

export function costOf(counters: Counters, messages: number): CostReport {
  const lines: Record<string, number> = {};
  const per: Record<string, number> = {};
  const notCounted: Record<string, number> = {};
  const add = (line: string, dollars: number) => (lines[line] = (lines[line] ?? 0) + dollars);
  const perAdd = (k: string, v: number) => (per[k] = (per[k] ?? 0) + v / messages);
  for (const [key, c] of Object.entries(counters)) {
    const [service, kind, caller] = key.split('|') as [string, string, string];
    if (caller === 'admin' || caller === 'anonymous' || service === 'meta') {
      notCounted[`${service} ${kind} (${caller})`] = c.n;
      continue;
    }
    switch (service) {
      case 'dynamodb': {
        const write = DDB_WRITES.has(kind);
        const units = c.units || c.n;
        const price = write
          ? prices.dynamodb.writeRequestUnitPerMillion
          : prices.dynamodb.readRequestUnitPerMillion;
        add(write ? 'dynamodb writes' : 'dynamodb reads', (units * price) / 1e6);
        perAdd(`dynamodb ${kind} (${caller}) requests`, c.n);
        perAdd(`dynamodb ${write ? 'write' : 'read'} units`, units);
        break;
      }
      case 'sqs': {
        if (kind.startsWith('ReceiveMessage (empty)')) {
          notCounted[`sqs ${kind} (${caller})`] = c.n;
          break;
        }
        const fifo = kind.endsWith(' fifo');
        add(
          fifo ? 'sqs fifo' : 'sqs standard',
          (c.n * (fifo ? prices.sqs.fifoRequestPerMillion : prices.sqs.standardRequestPerMillion)) / 1e6,
        );
        perAdd(`sqs ${kind} (${caller})`, c.n);
        break;
      }
      case 'lambda': {
        const memoryGb = (functions[kind as FunctionName]?.memoryMb ?? 512) / 1024;
        add('lambda requests', (c.n * prices.lambda.requestPerMillion) / 1e6);
        add('lambda duration (estimated)', (c.ms / 1000) * memoryGb * prices.lambda.arm64GbSecond);
        perAdd(`lambda ${kind} invocations`, c.n);
        perAdd(`lambda ${kind} ms`, c.ms);
        break;
      }
      case 'apigw-http':
        add('api gateway http', (c.n * prices.apiGatewayHttp.requestPerMillion) / 1e6);
        perAdd(`api gateway http ${caller}`, c.n);
        break;
      case 'apigw-ws': {
        // PostToConnection: one message per 32 KB started.
        const messages32k = kind.startsWith('POST') ? Math.max(c.n, Math.ceil(c.bytes / 32768)) : 0;
        add(
          'api gateway websocket messages',
          (messages32k * prices.apiGatewayWebSocket.messagePerMillion) / 1e6,
        );
        perAdd(`api gateway websocket ${kind} (${caller})`, c.n);
        break;
      }
      case 'scheduler':
        if (kind.startsWith('POST'))
          add('scheduler (created → invoked, at most)', (c.n * prices.scheduler.invocationPerMillion) / 1e6);
        perAdd(`scheduler ${kind} (${caller})`, c.n);
        break;
      case 's3':
        add(
          's3',
          (c.n * (kind === 'GET' || kind === 'HEAD' ? prices.s3.getPerThousand : prices.s3.putPerThousand)) /
            1000,
        );
        perAdd(`s3 ${kind} (${caller})`, c.n);
        break;
      case 'secretsmanager':
        add('secrets manager', (c.n * prices.secretsManager.apiCallPerTenThousand) / 10_000);
        perAdd(`secrets manager ${kind} (${caller})`, c.n);
        break;
      default:
        notCounted[key] = c.n;
    }
  }
  const dollarsPerMillion = Object.fromEntries(
    Object.entries(lines)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, r((v / messages) * 1e6, 3)]),
  );
  return {
    messages,
    dollarsPerMillion,
    totalPerMillion: r(
      Object.values(dollarsPerMillion).reduce((s, v) => s + v, 0),
      2,
    ),
    perMessage: Object.fromEntries(
      Object.entries(per)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, r(v, 3)]),
    ),
    notCounted,
  };
}
