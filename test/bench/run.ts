/**
 * `npm run bench`: drives a local stack through the webhook, as Meta would, and prints
 * JSON figures. Not part of `npm test`: machines are shared and timings are noisy.
 *
 *   npm run bench                         start a private stack, run everything
 *   npm run bench -- --rate 200 --seconds 10 --saturate 2000
 *   npm run bench -- --only inbox --inbox-conversations 100000
 *   npm run bench -- --only retrieval         knowledge-base recall@3 on the Portuguese FAQ
 *
 * Figures: webhook ack latency (p50/p95/p99) at --rate, posted as Meta posts; inbound→agent
 * WebSocket latency at --ws-rate, sent from the simulator's phone; sustained messages/s at
 * saturation and where the CPU went; write units and requests per inbound text; DynamoDB
 * Local's raw write rate in the same run (the floor everything else is compared with), and
 * its CPU in both; then the inbox at scale
 * (test/bench/inbox.ts): first pages of every view, filter and search over 100,000
 * conversations in one account.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '#shared/config.ts';
import { engineDepsFromConfig } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import WebSocket from 'ws';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalInfo } from '#infra/local/stack.ts';
import { spawn } from 'node:child_process';
import { freePortBase } from '#infra/local/ports.ts';
import { signBody } from '#shared/whatsapp/signature.ts';
import { envNames } from '#infra/topology.ts';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { listConnections } from '#shared/store/connections.ts';
import { benchInbox } from './inbox.ts';
import { benchRetrieval } from './retrieval.ts';
import { costOf, diff, prices } from './cost.ts';
import { wallNow, type HopReport, type MeterSnapshot } from './meter.ts';

const benchStarted = performance.now();
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    'ws-rate': { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    saturate: { type: 'string', default: '2000' },
    'raw-writes': { type: 'string', default: '5000' },
    'warm-up-seconds': { type: 'string', default: '12' },
    'inbox-conversations': { type: 'string', default: '100000' },
    /** New customers in the burst phase (replies to a campaign), and over how many seconds. */
    burst: { type: 'string', default: '2000' },
    'burst-seconds': { type: 'string', default: '60' },
    /**
     * An experiment on the tail: open the inbound → agent phase's 50 conversations before
     * it (one webhook each, then drained), so the phase holds no opening messages.
     */
    'ws-open-first': { type: 'boolean', default: false },
    /** pipeline | inbox | retrieval: run one part only. */
    only: { type: 'string' },
  },
});

const pct = (sorted: number[], p: number) =>
  sorted.length
    ? Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2))
    : null;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: pct(s, 50),
    p95: pct(s, 95),
    p99: pct(s, 99),
    max: s.length ? Number(s.at(-1)!.toFixed(2)) : null,
  };
};

function textPayload(stack: BenchStack, from: string, wamid: string, body: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: stack.demo.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: stack.demo.displayPhone,
                phone_number_id: stack.demo.phoneNumberId,
              },
              contacts: [{ profile: { name: `Bench ${from.slice(-4)}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

let failedPosts = 0;
async function postWebhook(stack: BenchStack, payload: string): Promise<number> {
  try {
    return await postOnce(stack, payload);
  } catch {
    // Meta retries a failed delivery; so does the benchmark, once, and counts it.
    failedPosts++;
    return postOnce(stack, payload);
  }
}

/**
 * Meta delivers webhooks over a bounded set of kept-alive connections, not one new
 * connection per message: so does the benchmark (which also keeps the load generator's
 * own CPU use small on a machine it shares with the stack).
 */
const metaAgent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a body over the kept-alive agent; resolves with the time until a 200 answer. */
function timedPost(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const bytes = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: metaAgent,
        headers: { 'content-type': 'application/json', 'content-length': bytes.length, ...headers },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - t0)
            : reject(new Error(`${url} answered ${res.statusCode}`)),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(bytes);
  });
}

const postOnce = (stack: BenchStack, payload: string) =>
  timedPost(stack.urls.webhook, payload, {
    'x-hub-signature-256': signBody(payload, stack.demo.appSecret),
  });

/** A customer sends a text from the simulator's phone page; resolves when it was posted. */
const phoneSends = (stack: BenchStack, from: string, text: string) =>
  timedPost(
    `${stack.urls.simulator}/sim/customer/send`,
    JSON.stringify({ from, name: `Bench ${from.slice(-4)}`, text }),
  );

/** Sends `count` messages spread evenly at `rate`/s; resolves with each ack latency. */
async function paced(count: number, rate: number, send: (i: number) => Promise<number>): Promise<number[]> {
  const start = performance.now();
  const pending: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(i));
  }
  return Promise.all(pending);
}

/** DynamoDB Local's JVM (found by its port), to read how busy it is. */
function dynamoPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  for (const dir of readdirSync('/proc')) {
    if (!/^\d+$/.test(dir)) continue;
    try {
      const cmd = readFileSync(`/proc/${dir}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('java') && cmd.some((a) => a.endsWith('DynamoDBLocal.jar')) && cmd.includes(port))
        return Number(dir);
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}

/** CPU seconds a process has used (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ
  } catch {
    return undefined;
  }
}

/** CPU seconds of each thread of a process, by thread name (Linux /proc). */
function cpuByThread(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!pid) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
        out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
      } catch {
        /* thread gone */
      }
    }
  } catch {
    /* not Linux */
  }
  return out;
}

/** Cores used per process (and per thread of the stack) while `work` runs. */
async function whereCpuGoes<T>(
  procs: { stack?: number; jvm?: number },
  work: () => Promise<T>,
): Promise<[T, Record<string, number>]> {
  const before = {
    stack: cpuByThread(procs.stack),
    jvm: cpuSeconds(procs.jvm),
    jvmThreads: cpuByThread(procs.jvm),
    self: process.cpuUsage(),
  };
  const t0 = performance.now();
  const out = await work();
  const wall = (performance.now() - t0) / 1000;
  const cores = (s: number) => Number((s / wall).toFixed(2));
  const used: Record<string, number> = {};
  if (before.jvm !== undefined) used.dynamoLocal = cores((cpuSeconds(procs.jvm) ?? 0) - before.jvm);
  for (const [name, sec] of cpuByThread(procs.stack)) {
    const d = cores(sec - (before.stack.get(name) ?? 0));
    if (d >= 0.01) used[`stack: ${name}`] = d;
  }
  // The JVM's threads worth naming: SQLite's single writer queue, Jetty's request threads
  // (qtp…), the JIT compilers and the garbage collector.
  const jvmGroups = new Map<string, number>();
  for (const [name, sec] of cpuByThread(procs.jvm)) {
    const group = name.replace(/[-\d]+$/, '').replace(/ CompilerThre.*$/, ' compiler');
    jvmGroups.set(group, (jvmGroups.get(group) ?? 0) + sec - (before.jvmThreads.get(name) ?? 0));
  }
  for (const [group, sec] of jvmGroups) if (cores(sec) >= 0.02) used[`dynamoLocal: ${group}`] = cores(sec);
  const self = process.cpuUsage(before.self);
  used.loadGenerator = cores((self.user + self.system) / 1e6);
  return [out, used];
}

async function rawWriteRate(endpoint: string, writes: number): Promise<number> {
  const ddb = new DynamoDBClient({ endpoint });
  const table = `bench-raw-${randomUUID().slice(0, 8)}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < writes) {
      const i = next++;
      await ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `p${i % 100}` }, sk: { S: `s${i}` }, body: { S: 'x'.repeat(200) } },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const rate = writes / ((performance.now() - t0) / 1000);
  ddb.destroy();
  return Math.round(rate);
}

/** Opens the agents' WebSocket as the demo admin; calls back with each message.created. */
async function agentSocket(
  stack: BenchStack,
  onMessage: (message: { wamid: string; text?: string }) => void,
  onFrame?: () => void,
): Promise<WebSocket | undefined> {
  const login = await fetch(`${stack.urls.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: stack.demo.email, password: stack.demo.password }),
  });
  if (login.status !== 200) return undefined;
  const { accessToken } = (await login.json()) as { accessToken: string };
  const ws = new WebSocket(`${stack.urls.ws}?token=${encodeURIComponent(accessToken)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data) => {
    onFrame?.();
    try {
      type Event = { type?: string; message?: { wamid?: string; text?: string } };
      const frame = JSON.parse(data.toString()) as Event & { events?: Event[] };
      for (const ev of frame.type === 'batch' ? (frame.events ?? []) : [frame])
        if (ev.type === 'message.created' && ev.message?.wamid)
          onMessage({ wamid: ev.message.wamid, text: ev.message.text });
    } catch {
      /* not an event */
    }
  });
  return ws;
}

process.env.LOG_LEVEL ??= 'warn';

/** Progress on stderr (the JSON goes to stdout): where a long run is. */
const progress = (msg: string) =>
  process.stderr.write(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0)} s] ${msg}\n`);

type BenchStack = LocalInfo & {
  env: Record<string, string>;
  pid?: number;
  stop(): Promise<void>;
  /** The meter's figures (meter.ts), asked of the stack's process. */
  meter(): Promise<MeterSnapshot>;
  hops(): Promise<HopReport>;
};

/** Starts the stack in its own process (stack-process.ts) and adopts its environment. */
async function spawnStack(dataDir: string, portBase: number): Promise<BenchStack> {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_STACK_NODE_ARGS=--cpu-prof to profile the stack under load
      ...(process.env.BENCH_STACK_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(import.meta.dirname, 'stack-process.ts'),
      dataDir,
      String(portBase),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: {
        ...process.env,
        // The local runtime's own hops for the tail (infra/local/bench-trace.ts).
        ATENDE_BENCH_TRACE: '1',
        // DynamoDB Local's garbage collector, pause by pause with wall-clock times (the tail).
        JAVA_TOOL_OPTIONS: [process.env.JAVA_TOOL_OPTIONS, `-Xlog:gc:file=${gcLog}:timemillis`]
          .filter(Boolean)
          .join(' '),
      },
    },
  );
  let asked = 0;
  const answers = new Map<number, (answer: unknown) => void>();
  child.on('message', (m: { id: number; answer: unknown }) => {
    answers.get(m.id)?.(m.answer);
    answers.delete(m.id);
  });
  const ask = <T>(what: 'snapshot' | 'hops') =>
    new Promise<T>((resolve) => {
      const id = ++asked;
      answers.set(id, resolve as (answer: unknown) => void);
      child.send({ id, ask: what });
    });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the stack exited with ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as LocalInfo & { env: Record<string, string> };
  Object.assign(process.env, info.env);
  return {
    ...info,
    pid: child.pid,
    meter: () => ask<MeterSnapshot>('snapshot'),
    hops: () => ask<HopReport>('hops'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * DynamoDB write units of one inbound text message in an existing conversation, as
 * DynamoDB reports them (ReturnConsumedCapacity on every write, indexes included), and the
 * requests it takes. Each message comes as fn inbound gets it: with its FIFO record's first
 * receive time and sequence number.
 */
async function writeUnitsPerInboundText(
  stack: BenchStack,
  samples = 20,
): Promise<{ units: number; requests: number; reads: number }> {
  const raw = new DynamoDBClient({ endpoint: stack.urls.dynamodb });
  const writes = new Set([
    'PutItemCommand',
    'UpdateItemCommand',
    'DeleteItemCommand',
    'TransactWriteItemsCommand',
    'BatchWriteItemCommand',
  ]);
  let units = 0;
  let requests = 0;
  let reads = 0;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const isWrite = writes.has(String((context as { commandName?: string }).commandName));
      if (!isWrite) reads++;
      if (isWrite) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      if (isWrite) {
        requests++;
        const cc = (
          out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
        ).ConsumedCapacity;
        for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) units += c.CapacityUnits ?? 0;
      }
      return out;
    },
    { step: 'initialize', name: 'countWriteUnits' },
  );
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const base = engineDepsFromConfig(loadConfig());
  const deps = { ...base, ddb, ws: undefined };
  const item = (i: number): InboundQueueItem => ({
    kind: 'message',
    phoneNumberId: stack.demo.phoneNumberId,
    contact: { waId: '5511955554444', name: 'Medição' },
    message: {
      from: '5511955554444',
      id: `wamid.wcu-${randomUUID()}-${i}`,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: `mensagem ${i}` },
    },
    receivedAt: Date.now(),
  });
  const record = (i: number) => ({
    delivery: { firstReceivedAt: Date.now(), sequenceNumber: String(1e9 + i).padStart(20, '0') },
  });
  await processInboundItem(item(0), { ...deps, ...record(0) }); // opens the conversation
  units = 0;
  requests = 0;
  reads = 0;
  for (let i = 1; i <= samples; i++) await processInboundItem(item(i), { ...deps, ...record(i) });
  raw.destroy();
  const per = (n: number) => Number((n / samples).toFixed(2));
  return { units: per(units), requests: per(requests), reads: per(reads) };
}

/** Waits until the engine has caught up (inbound queue empty, nothing in flight). */
async function drained(stack: BenchStack): Promise<void> {
  const sqs = new SQSClient({ endpoint: stack.urls.sqs, useQueueUrlAsEndpoint: false });
  const url = stack.env.INBOUND_QUEUE_URL!;
  for (let i = 0; i < 600; i++) {
    const a = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (
      Number(a.Attributes?.ApproximateNumberOfMessages) +
        Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible) ===
      0
    )
      break;
    await new Promise((r) => setTimeout(r, 500));
  }
  sqs.destroy();
}

// Knowledge-base retrieval quality (AI-4): no stack needed.
const retrieval = args.only === undefined || args.only === 'retrieval' ? await benchRetrieval() : undefined;
if (args.only === 'retrieval') {
  console.log(JSON.stringify({ retrieval }, null, 2));
  process.exit(0);
}

const dataDir = mkdtempSync(join(tmpdir(), 'atende-bench-'));
/** DynamoDB Local's GC log (JAVA_TOOL_OPTIONS in spawnStack), read for the tail. */
const gcLog = join(dataDir + '-gc.log');
progress('starting the stack');
const stack = await spawnStack(dataDir, await freePortBase());
const result: Record<string, unknown> = {
  machine: { cores: (await import('node:os')).cpus().length },
  ...(retrieval ? { retrieval } : {}),
};
try {
  if (args.only !== 'inbox') await pipeline();
  if (args.only !== 'pipeline')
    result.inbox = await benchInbox({
      apiUrl: stack.urls.api,
      dynamoEndpoint: stack.urls.dynamodb,
      tableName: stack.env[envNames.table]!,
      adminEmail: stack.demo.email!,
      password: stack.demo.password!,
      conversations: Number(args['inbox-conversations']),
    });
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(gcLog, { force: true });
}
result.benchSeconds = Math.round((performance.now() - benchStarted) / 1000);
console.log(JSON.stringify(result, null, 2));
process.exit(0);

/**
 * The floor (c): what the path costs on these stand-ins with no work in it, measured in the
 * same run — one webhook POST (signed, no entries: checked and answered, nothing queued),
 * one sequential DynamoDB request (a put or a get through the local IAM proxy, as the
 * functions make them), and one socket post (PostToConnection until the frame arrives).
 * A latency path of N sequential DynamoDB requests has the floor post + N × request + socket.
 */
async function measureFloor(stack: BenchStack, samples = 40) {
  const deps = engineDepsFromConfig(loadConfig());
  const median = (xs: number[]) => summary(xs).p50 ?? 0;
  const empty = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
  const posts: number[] = [];
  for (let i = 0; i < samples; i++) posts.push(await postOnce(stack, empty));
  const table = stack.env[envNames.table]!;
  const requests: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const key = { pk: 'BENCH#floor', sk: `S#${i % 10}` };
    if (i % 2) await deps.ddb.send(new GetCommand({ TableName: table, Key: key }));
    else await deps.ddb.send(new PutCommand({ TableName: table, Item: { ...key, body: 'x'.repeat(200) } }));
    requests.push(performance.now() - t0);
  }
  // A socket of our own: its connection id is the one that was not there before.
  const accountId = stack.demo.accountId!;
  const before = new Set(
    (await listConnections(deps.ddb, table, accountId, Date.now())).map((c) => c.connectionId),
  );
  let onFrame: (() => void) | undefined;
  const sock = await agentSocket(
    stack,
    () => undefined,
    () => onFrame?.(),
  );
  const socketPosts: number[] = [];
  let connectionId: string | undefined;
  for (let i = 0; i < 20 && !connectionId; i++) {
    connectionId = (await listConnections(deps.ddb, table, accountId, Date.now())).find(
      (c) => !before.has(c.connectionId),
    )?.connectionId;
    if (!connectionId) await new Promise((r) => setTimeout(r, 100));
  }
  if (sock && connectionId && deps.ws)
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const arrived = new Promise<void>((resolve) => {
        onFrame = resolve;
        setTimeout(resolve, 2000).unref();
      });
      await deps.ws.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: Buffer.from(JSON.stringify({ type: 'bench.floor', i })),
        }),
      );
      await arrived;
      socketPosts.push(performance.now() - t0);
    }
  sock?.close();
  return {
    webhookPostMs: median(posts),
    dynamoRequestMs: median(requests),
    socketPostMs: median(socketPosts),
    samples,
  };
}

type Floor = Awaited<ReturnType<typeof measureFloor>>;
function floorOf(floor: Floor, dynamoRequests: number): number {
  return floor.webhookPostMs + dynamoRequests * floor.dynamoRequestMs + floor.socketPostMs;
}

/** A latency summary and the same divided by a floor (ms). */
function withRatio<T extends { p50: number | null; p95: number | null; p99: number | null }>(
  s: T,
  floorMs: number,
  dynamoRequests?: number,
) {
  const ratio = (x: number | null) => (x === null || !floorMs ? null : Number((x / floorMs).toFixed(1)));
  return {
    ...s,
    floorMs: Number(floorMs.toFixed(2)),
    ...(dynamoRequests !== undefined ? { floorDynamoRequests: Number(dynamoRequests.toFixed(1)) } : {}),
    ratioToFloor: { p50: ratio(s.p50), p95: ratio(s.p95), p99: ratio(s.p99) },
  };
}

/** DynamoDB requests fn inbound made per message in a phase (the meter's counters). */
function inboundDynamoRequests(before: MeterSnapshot, after: MeterSnapshot, messages: number): number {
  let n = 0;
  for (const [k, c] of Object.entries(diff(after.counters, before.counters)))
    if (k.startsWith('dynamodb|') && k.endsWith('|inbound')) n += c.n;
  return messages ? n / messages : 0;
}

/** Table and index partitions written per message in a phase, by key shape (fn inbound's). */
function partitionsPerMessage(before: MeterSnapshot, after: MeterSnapshot, messages: number) {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after.partitions)) {
    const d = n - (before.partitions[k] ?? 0);
    if (d > 0 && k.startsWith('inbound '))
      out[k.slice('inbound '.length)] = Number((d / messages).toFixed(3));
  }
  return out;
}

/** DynamoDB Local's GC pauses from its -Xlog:gc file: when each ended (wall ms) and how long it was. */
function gcPauses(file: string): { at: number; ms: number; what: string }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  // [1764790000123ms] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 25M->3M(256M) 2.345ms
  return [...text.matchAll(/^\[(\d+)ms\] GC\(\d+\) (Pause [^(\d]*(?:\([^)]*\))?).* ([\d.]+)ms$/gm)].map(
    (m) => ({
      at: Number(m[1]),
      what: m[2]!.trim(),
      ms: Number(m[3]),
    }),
  );
}

/** The system's load averages (1, 5, 15 min), as `uptime` prints them: the machine is shared. */
function load(): number[] {
  return loadavg().map((x) => Number(x.toFixed(2)));
}

/**
 * The tail: where the time of each message of the inbound → agent phase went, stage by
 * stage, from the meter's per-hop timestamps (meter.ts: the stand-ins' requests, and the
 * pollers' own hops through infra/local/bench-trace.ts) and the bench's send and arrival
 * times. Each stage's p50/p95/p99 over all messages (`stages`), the median of each stage
 * over the slowest 5 % and which stage held most of each slow message's time (`tail`),
 * and what was going on meanwhile: DynamoDB Local's GC pauses, the coalesced state
 * writes, main-thread stalls and DynamoDB's latency at the proxy.
 */
function tailOf(
  hops: HopReport,
  sent: Map<string, number>,
  arrivedAt: Map<string, number>,
  markerOf: (text: string) => string,
  isOpening: (text: string) => boolean,
  gc: { at: number; ms: number; what: string }[],
) {
  /** Stage → [from hop, to hop]; `sent` and `arrived` are the bench's own times. */
  const stages = {
    /** The simulator's phone signs and posts Meta's webhook. */
    phoneToWebhook: ['sent', 'webhookIn'],
    /** fn webhook: checked, split, sent to the inbound FIFO queue (until SQS answered). */
    webhookToEnqueued: ['webhookIn', 'sqsSent'],
    /** In the queue until a poller's receive answered (at the SQS proxy). */
    queued: ['sqsSent', 'sqsReceived'],
    /** The receive's answer reaching the poller in fn inbound's worker thread. */
    receiveToPoller: ['sqsReceived', 'polled'],
    /** The poller handing the batch to the function (its handler called). */
    pollerToHandler: ['polled', 'handlerStart'],
    /** fn inbound's work until its last write of the message (the message put, at the proxy). */
    handlerToStored: ['handlerStart', 'stored'],
    /** From the stored message to the socket post (the push's own reads). */
    storedToPush: ['stored', 'wsPost'],
    /** PostToConnection, until the gateway answered. */
    pushPost: ['wsPost', 'wsPosted'],
    /** The frame reaching the agent's socket in the bench. */
    toSocket: ['wsPosted', 'arrived'],
  } as const;
  type Stage = keyof typeof stages;
  const names = Object.keys(stages) as Stage[];
  type Row = { total: number; sentAt: number; arrivedAt: number; opening: boolean } & Partial<
    Record<Stage, number>
  > & { handlerStart?: number; wsPost?: number };
  const rows: Row[] = [];
  const phaseStart = Math.min(...sent.values());
  for (const [text, t0] of sent) {
    const t9 = arrivedAt.get(text);
    const h = hops.hops[markerOf(text)];
    if (t9 === undefined || !h) continue;
    const writes = [h.ddbUpdateItem, h.ddbPut, h.ddbTransactWriteItems].filter(
      (x): x is number => x !== undefined,
    );
    const at: Record<string, number | undefined> = {
      ...h,
      sent: t0,
      arrived: t9,
      stored: writes.length ? Math.max(...writes) : undefined,
    };
    const row: Row = { total: t9 - t0, sentAt: t0 - phaseStart, arrivedAt: t9, opening: isOpening(text) };
    for (const k of names) {
      const [from, to] = stages[k];
      const a = at[from];
      const b = at[to];
      if (a !== undefined && b !== undefined) row[k] = b - a;
    }
    row.handlerStart = h.handlerStart;
    row.wsPost = h.wsPost;
    rows.push(row);
  }
  rows.sort((a, b) => a.total - b.total);
  const slow = rows.slice(Math.floor(rows.length * 0.95));
  const of = (rs: Row[], k: Stage) => summary(rs.flatMap((r) => (r[k] === undefined ? [] : [r[k]])));
  const med = (rs: Row[], k: Stage) => of(rs, k).p50;
  // Which stage held most of each slow message's time.
  const heldBy: Record<string, number> = {};
  for (const r of slow) {
    const top = names.reduce((best, k) => ((r[k] ?? -1) > (r[best] ?? -1) ? k : best), names[0]!);
    heldBy[top] = (heldBy[top] ?? 0) + 1;
  }
  // What else happened while a slow message was on its way (sent → arrived): how many
  // milliseconds of GC pauses, and of coalesced state writes, overlapped it.
  const overlap = (r: Row, end: number, ms: number) =>
    Math.max(0, Math.min(end, r.arrivedAt) - Math.max(end - ms, r.arrivedAt - r.total));
  const gcOverlap = slow.map((r) => gc.reduce((n, p) => n + overlap(r, p.at, p.ms), 0));
  const writeOverlap = slow.map((r) =>
    hops.stateWrites.reduce((n, w) => n + overlap(r, w.at + w.ms, w.ms), 0),
  );
  // When the slow messages were sent: the phase's p95 by the second in which each was sent.
  const bySecond: Record<string, { n: number; p50: number | null; p95: number | null }> = {};
  for (let sec = 0; rows.some((r) => r.sentAt >= sec * 1000); sec++) {
    const s = summary(
      rows.filter((r) => r.sentAt >= sec * 1000 && r.sentAt < (sec + 1) * 1000).map((r) => r.total),
    );
    bySecond[`${sec}s`] = { n: s.n, p50: s.p50, p95: s.p95 };
  }
  const phaseEnd = Math.max(...rows.map((r) => r.arrivedAt), phaseStart);
  const gcInPhase = gc.filter((p) => p.at >= phaseStart && p.at - p.ms <= phaseEnd);
  const writesByName: Record<string, ReturnType<typeof summary>> = {};
  for (const name of new Set(hops.stateWrites.map((w) => w.name)))
    writesByName[name] = summary(hops.stateWrites.filter((w) => w.name === name).map((w) => w.ms));
  const round = (x: number) => Number(x.toFixed(1));
  const slowest = slow.at(-1);
  return {
    stages: {
      messages: rows.length,
      ...Object.fromEntries(names.map((k) => [k, of(rows, k)])),
      total: summary(rows.map((r) => r.total)),
      /** The same for the phase's opening messages (first of each new customer) alone. */
      openingMessages: {
        messages: rows.filter((r) => r.opening).length,
        ...Object.fromEntries(
          names.map((k) => [
            k,
            of(
              rows.filter((r) => r.opening),
              k,
            ),
          ]),
        ),
      },
    },
    tail: {
      messages: rows.length,
      /** Median of each stage over the slowest 5 %. */
      slowest5PercentMedianMs: Object.fromEntries(names.map((k) => [k, med(slow, k)])),
      /** How many of the slowest 5 % had most of their time in each stage. */
      slowest5PercentHeldBy: heldBy,
      slowest5PercentOpenings: slow.filter((r) => r.opening).length,
      slowestMessageMs: slowest
        ? Object.fromEntries(
            Object.entries(slowest)
              .filter(
                ([k, v]) =>
                  typeof v === 'number' && k !== 'arrivedAt' && k !== 'handlerStart' && k !== 'wsPost',
              )
              .map(([k, v]) => [k, round(v as number)]),
          )
        : null,
      /** Latency by the second of the phase in which the messages were sent. */
      bySecondSent: bySecond,
      /** When in the phase (ms after its first message) the messages were sent: all, slowest 5 %. */
      sentAfterMs: {
        median: summary(rows.map((r) => r.sentAt)).p50,
        slowest5PercentMedian: summary(slow.map((r) => r.sentAt)).p50,
      },
      /** DynamoDB Local's GC pauses during the phase (its -Xlog:gc), and slow messages in flight during one. */
      dynamoLocalGc: {
        pauses: gcInPhase.length,
        totalMs: round(gcInPhase.reduce((n, p) => n + p.ms, 0)),
        pauseMs: summary(gcInPhase.map((p) => p.ms)),
        /** Per slow message, the pause time that overlapped its way (median, max). */
        slowest5PercentOverlapMs: summary(gcOverlap),
        logged: gc.length > 0,
      },
      /** The coalesced state writers (simulator history, scheduler file) on the main thread. */
      stateWrites: {
        byWriter: writesByName,
        slowest5PercentOverlapMs: summary(writeOverlap),
      },
      mainThreadLoopDelayMs: hops.mainLoopDelay,
      mainThreadStallsOver60ms: hops.stalls.length,
      longestMainThreadStallMs: Math.max(0, ...hops.stalls.map((s) => s.ms)),
      dynamoLatencyAtProxyMs: hops.dynamoLatency,
      /** DynamoDB requests that took over 100 ms at the proxy, by kind. */
      dynamoOver100msByKind: hops.slowDynamo.reduce<Record<string, number>>(
        (n, r) => ({ ...n, [r.kind]: (n[r.kind] ?? 0) + 1 }),
        {},
      ),
    },
  };
}

async function pipeline(): Promise<void> {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const run = randomUUID().slice(0, 6);
  // Load averages (as `uptime` prints them) at the start, around the inbound → agent phase
  // and at the end: the machine is shared, and absolute figures move with its load.
  const loadAt: Record<string, number[]> = { start: load() };
  result.load = loadAt;

  // The agents' inbox is open throughout, as in production: pushes are part of the work.
  // A connection is seen by the engine within a second (its connection list is cached
  // that long; the inbox catches up once settled), so the socket opens before the warm-up.
  const sentAt = new Map<string, number>();
  const arrived: number[] = [];
  const latencyByKey = new Map<string, number>();
  /** Wall-clock times of the inbound → agent phase, for the tail's hops. */
  const sentWall = new Map<string, number>();
  const arrivedWall = new Map<string, number>();
  // A message is known by its wamid when the bench posted it, by its text when the
  // simulator's phone sent it (the wamid is the simulator's, and may arrive first).
  const ws = await agentSocket(stack, (m) => {
    const key = sentAt.has(m.wamid) ? m.wamid : m.text;
    const t = key === undefined ? undefined : sentAt.get(key);
    if (t === undefined) return;
    arrived.push(performance.now() - t);
    latencyByKey.set(key!, performance.now() - t);
    if (sentWall.has(key!)) arrivedWall.set(key!, wallNow());
  });

  const jvm = dynamoPid(stack.urls.dynamodbDirect ?? stack.urls.dynamodb);

  progress('warm-up');
  // 0. Warm-up (not measured): JIT in every thread and in the JVM, connection pools. The
  // JVM's optimising compiler keeps working for tens of seconds: 12 s of traffic, with
  // 150 conversations opened, half of it through the simulator's phone.
  const warmCount = Number(args['warm-up-seconds']) * 100;
  await paced(warmCount, 100, (i) =>
    i % 2
      ? postWebhook(
          stack,
          textPayload(stack, `55119${String(60000000 + (i % 150))}`, `wamid.warm-${run}-${i}`, 'oi'),
        )
      : phoneSends(stack, `55119${String(61000000 + (i % 150))}`, `aquecendo ${i}`),
  );
  await drained(stack);

  // The floor, on the warm stack before the measured phases.
  progress('floor');
  const floor = await measureFloor(stack);
  result.floor = floor;
  const meterStart = await stack.meter();
  let pipelineMessages = 0;

  progress('webhook ack phase');
  // 1. Webhook ack latency at a steady rate (one message per POST, 50 customers).
  const acks = await paced(rate * seconds, rate, (i) =>
    postWebhook(
      stack,
      textPayload(stack, `55119${String(70000000 + (i % 50))}`, `wamid.ack-${run}-${i}`, `oi ${i}`),
    ),
  );
  pipelineMessages += acks.length;
  result.webhookAckMs = { rate, ...withRatio(summary(acks), floor.webhookPostMs) };

  await drained(stack);

  // 2. Inbound → agent WebSocket latency at a steady rate, through the simulator: each
  // message is a customer typing on the simulator's phone (POST /sim/customer/send), which
  // signs and posts Meta's webhook; timed until the agent's socket shows it. Each text
  // carries a marker the meter finds at every hop (the tail's timestamps).
  const wsRate = Number(args['ws-rate']);
  const marker = (i: number) => `q${run}-${i}z`;
  const wsText = (i: number) => `olá ${marker(i)}`;
  let wsPhase: { before: MeterSnapshot; after: MeterSnapshot; messages: number } | undefined;
  let burstRequests: number | undefined;
  if (ws && args['ws-open-first']) {
    progress('opening the inbound → agent phase conversations first');
    await paced(50, 50, (i) =>
      postWebhook(stack, textPayload(stack, `55119${String(80000000 + i)}`, `wamid.open-${run}-${i}`, 'oi')),
    );
    pipelineMessages += 50;
    await drained(stack);
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (ws) {
    progress('inbound → agent phase');
    loadAt.inboundToAgentStart = load();
    await stack.hops(); // starts the hop record afresh
    const before = await stack.meter();
    await paced(wsRate * seconds, wsRate, async (i) => {
      sentAt.set(wsText(i), performance.now());
      sentWall.set(wsText(i), wallNow());
      return phoneSends(stack, `55119${String(80000000 + (i % 50))}`, wsText(i));
    });
    const deadline = Date.now() + 30_000;
    while (arrived.length < sentAt.size && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await drained(stack);
    loadAt.inboundToAgentEnd = load();
    wsPhase = { before, after: await stack.meter(), messages: sentAt.size };
    pipelineMessages += sentAt.size;
    const trace = tailOf(
      await stack.hops(),
      sentWall,
      arrivedWall,
      (text) => text.slice('olá '.length),
      // Message i comes from customer i mod 50: the first 50 open the phase's conversations.
      (text) => !args['ws-open-first'] && Number(/-(\d+)z$/.exec(text)?.[1]) < 50,
      gcPauses(gcLog),
    );
    result.stages = trace.stages;
    result.tail = trace.tail;
    // The phase's 50 customers are new: the first message of each opens a conversation
    // (attendance, protocol, routing, timers); the rest land in open conversations.
    const latencyOf = (from: number, to: number) =>
      [...Array(Math.max(0, to - from)).keys()].flatMap((k) => latencyByKey.get(wsText(from + k)) ?? []);
    result.inboundToAgentMs = {
      rate: wsRate,
      delivered: arrived.length,
      sent: sentAt.size,
      ...summary(arrived),
      // With --ws-open-first these 50 are the first of the phase, in open conversations.
      ...(args['ws-open-first'] ? { conversationsOpenedBeforePhase: true } : {}),
      openingMessages: summary(latencyOf(0, Math.min(50, sentAt.size))),
      inOpenConversations: summary(latencyOf(50, sentAt.size)),
    };

    progress('saturation phase');
    // 3. Saturation: everything at once, time until the last one reaches the agent.
    const n = Number(args.saturate);
    arrived.length = 0;
    sentAt.clear();
    const t0 = performance.now();
    const [, cpu] = await whereCpuGoes({ stack: stack.pid, jvm }, async () => {
      await paced(n, 100_000, async (i) => {
        const wamid = `wamid.sat-${run}-${i}`;
        sentAt.set(wamid, performance.now());
        return postWebhook(
          stack,
          textPayload(stack, `55119${String(90000000 + (i % 200))}`, wamid, `carga ${i}`),
        );
      });
      const sat = Date.now() + 120_000;
      while (arrived.length < n && Date.now() < sat) await new Promise((r) => setTimeout(r, 100));
    });
    const elapsed = (performance.now() - t0) / 1000;
    pipelineMessages += n;
    result.saturation = {
      messages: n,
      delivered: arrived.length,
      seconds: Number(elapsed.toFixed(2)),
      messagesPerSecond: Math.round(arrived.length / elapsed),
      dynamoLocalCores: cpu.dynamoLocal,
      coresUsed: cpu,
    };
    await drained(stack);
    const meterEnd = await stack.meter();
    // (a) The cost meter over the three phases: requests counted × list prices.
    result.costPipeline = {
      ...costOf(diff(meterEnd.counters, meterStart.counters), pipelineMessages),
      pricesOf: prices.date,
      partitionsWrittenPerMessage: partitionsPerMessage(meterStart, meterEnd, pipelineMessages),
    };

    progress('burst phase');
    // 4. Burst: new customers replying to a campaign, every one opening a conversation.
    const burst = Number(args.burst);
    const burstSeconds = Number(args['burst-seconds']);
    arrived.length = 0;
    sentAt.clear();
    const burstBefore = await stack.meter();
    const b0 = performance.now();
    await paced(burst, burst / burstSeconds, async (i) => {
      const wamid = `wamid.burst-${run}-${i}`;
      sentAt.set(wamid, performance.now());
      return postWebhook(
        stack,
        textPayload(stack, `55119${String(93000000 + i)}`, wamid, `Quero saber da promoção ${i}`),
      );
    });
    const burstDeadline = Date.now() + 120_000;
    while (arrived.length < burst && Date.now() < burstDeadline) await new Promise((r) => setTimeout(r, 100));
    const burstElapsed = (performance.now() - b0) / 1000;
    await drained(stack);
    const burstAfter = await stack.meter();
    burstRequests = inboundDynamoRequests(burstBefore, burstAfter, burst);
    const burstToAgent = withRatio(summary(arrived), floorOf(floor, burstRequests), burstRequests);
    // The opening message's figure the issue asks for: p95 to the agent's socket of the
    // burst's new customers (each message opens a conversation), as a ratio to the floor.
    if (burst)
      result.opening = {
        of: `burst: ${burst} new customers in ${burstSeconds} s`,
        p95Ms: burstToAgent.p95,
        floorMs: burstToAgent.floorMs,
        floorDynamoRequests: burstToAgent.floorDynamoRequests,
        p95RatioToFloor: burstToAgent.ratioToFloor.p95,
      };
    result.burst = {
      newCustomers: burst,
      overSeconds: burstSeconds,
      delivered: arrived.length,
      seconds: Number(burstElapsed.toFixed(1)),
      toAgentMs: burstToAgent,
      cost: {
        ...costOf(diff(burstAfter.counters, burstBefore.counters), burst),
        partitionsWrittenPerMessage: partitionsPerMessage(burstBefore, burstAfter, burst),
      },
    };
    ws.close();
  } else {
    result.inboundToAgentMs = null;
    result.saturation = null;
  }

  progress('write units, raw writes');
  // 5. The storage floor: DynamoDB Local's raw write rate, same machine, same run.
  result.failedWebhookPosts = failedPosts;
  const w = await writeUnitsPerInboundText(stack);
  result.writeUnitsPerInboundText = w.units;
  result.writeRequestsPerInboundText = w.requests;
  result.readRequestsPerInboundText = w.reads;

  // (c) Every latency as a ratio to the floor with as many DynamoDB requests as its path.
  const io = result.inboundToAgentMs as
    | (ReturnType<typeof summary> & {
        openingMessages: ReturnType<typeof summary>;
        inOpenConversations: ReturnType<typeof summary>;
      })
    | null;
  if (io && wsPhase) {
    const all = inboundDynamoRequests(wsPhase.before, wsPhase.after, wsPhase.messages);
    const open = w.requests + w.reads;
    result.inboundToAgentMs = {
      ...withRatio(io, floorOf(floor, all), all),
      openingMessages:
        burstRequests !== undefined
          ? withRatio(io.openingMessages, floorOf(floor, burstRequests), burstRequests)
          : io.openingMessages,
      inOpenConversations: withRatio(io.inOpenConversations, floorOf(floor, open), open),
    };
  }

  loadAt.end = load();
  const [raw, rawCpu] = await whereCpuGoes({ jvm }, () =>
    // DynamoDB Local itself: the local IAM proxy is not part of the floor (AWS has none).
    rawWriteRate(stack.urls.dynamodbDirect ?? stack.urls.dynamodb, Number(args['raw-writes'])),
  );
  const rawCores = rawCpu.dynamoLocal;
  result.rawDynamoWritesPerSecond = raw;
  result.rawDynamoLocalCores = rawCores;
  const sat = result.saturation as { messagesPerSecond: number } | null;
  // Target: the pipeline keeps DynamoDB Local at least half as busy as the raw write test
  // (messages/s × writes per message ≥ 0.5 × raw writes/s). A write is counted as DynamoDB
  // counts it — one unit per item written, index entries included, as in the raw test,
  // where every put is one unit; the same ratio by write requests is given beside it.
  if (sat) {
    result.storageBusyRatio = Number(((sat.messagesPerSecond * w.units) / raw).toFixed(2));
    result.storageBusyRatioByRequests = Number(((sat.messagesPerSecond * w.requests) / raw).toFixed(2));
  }
  // The same question asked of the JVM itself: its CPU use at saturation ÷ in the raw test.
  const satCores = (result.saturation as { dynamoLocalCores?: number } | null)?.dynamoLocalCores;
  if (satCores && rawCores) result.storageBusyRatioByJvmCpu = Number((satCores / rawCores).toFixed(2));
}
