/**
 * The chaos run (`npm run chaos`, and its short variant in test/integration/chaos-short.test.ts):
 * customers type on the simulator's phone while everything that can go wrong on the way
 * goes wrong, then the run waits for quiet and compares what the phone sent and received
 * with what the API shows.
 *
 * - The stack runs in a process group of its own (stack-process.ts), on a data folder that
 *   survives it; midway it is killed with SIGKILL (Node, DynamoDB Local's JVM, all of it)
 *   and started again on the same data.
 * - Queue-fed functions crash at random points of their batches (infra/local/chaos.ts);
 *   the queues' visibility timeout is short so that crashed batches come back in seconds.
 * - The simulator ("Meta") lives here, in the run's process, and reaches the webhook
 *   through a proxy that behaves like Meta's delivery: a webhook not answered 200 is
 *   retried until it is; a share of message webhooks is delivered again later (duplicates);
 *   status webhooks are held for random times (so they arrive shuffled) and a share of
 *   them is repeated.
 * - An agent replies through the API while all this happens (each reply's text unique).
 *
 * Counted at the end:
 * - lost: customer messages the webhook acknowledged (200) that are not in the API's chat;
 * - duplicated: messages (customer's or agent's) in the API's chat more than once;
 * - reordered: customer messages shown before one the customer sent earlier (same chat);
 * - doubleSent: agent replies that reached the phone more than once;
 * - stuck: agent replies still pending (or sending) after the run settled or timed out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { seededRandom } from '#infra/local/chaos.ts';
import { ADMIN_KEY } from '#infra/local/iam.ts';
import { freePortBase } from '#infra/local/ports.ts';
import { listen } from '#infra/local/server-lifecycle.ts';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { DEMO_NUMBER, DEMO_TRIAGE_NUMBER, localQueueName, type LocalInfo } from '#infra/local/stack.ts';
import { canonicalPhone } from '#shared/domain/phone.ts';
import { queueNames, type QueueName } from '#infra/topology.ts';

export interface ChaosOptions {
  /** Customer messages in all. */
  messages: number;
  conversations: number;
  seed: number;
  /** Probability of a crash at each crash point of a batch (0 turns crashes off). */
  crashRate: number;
  /** At most this many injected crashes per function (default: no limit). */
  maxCrashes?: number;
  /** Only these functions crash (default: every queue-fed one). */
  crashFunctions?: string[];
  /** Share of message webhooks delivered a second time. */
  duplicateRate: number;
  /** Share of status webhooks delivered a second time. */
  statusRepeatRate: number;
  /** Status webhooks are held up to this long before delivery (so they arrive shuffled). */
  statusDelayMs: number;
  /** The agent replies after every n-th message of a conversation. */
  replyEvery: number;
  /** Customer messages per second, all conversations together. */
  rate: number;
  /** Kill the stack with SIGKILL (and restart it) once this share of messages was acknowledged. */
  killAt?: number;
  visibilitySeconds: number;
  /**
   * Longest wait for quiet with no progress (queues not getting shorter) after the last
   * message, before counting what is stuck.
   */
  settleSeconds: number;
  /** Progress lines (the stack's own log goes to a file in its data folder). */
  log?: (line: string) => void;
  /** Keep the data folder (its stack.log) after the run. */
  keepData?: boolean;
}

export interface ChaosCounts {
  lost: number;
  duplicated: number;
  reordered: number;
  doubleSent: number;
  stuck: number;
}

export interface ChaosResult {
  options: Omit<ChaosOptions, 'log' | 'keepData'>;
  wallSeconds: number;
  counts: ChaosCounts;
  injectedCrashes: number;
  stackKills: number;
  /** True when queues emptied and every webhook was delivered before the settle timeout. */
  settled: boolean;
  settleSeconds: number;
  webhook: {
    messageDeliveries: number;
    duplicateDeliveries: number;
    statusDeliveries: number;
    statusRepeats: number;
    /** Answers other than 200 (and failed connections, as 0), by status; each was retried. */
    notOk: Record<string, number>;
    /** Deliveries given up after retrying for 10 minutes. */
    givenUp: number;
    ackMs: { p50: number; p95: number; max: number };
  };
  customerMessages: { sent: number; acknowledged: number; inChat: number };
  agentReplies: {
    attempted: number;
    /** Answered 202. */
    accepted: number;
    /** No answer (the stack died meanwhile, or none within 30 s) or 5xx: may or may not exist. */
    inDoubt: number;
    /** Why, by cause: `timeout`, `5xx <status> <code>`, or the network error's code. */
    inDoubtWhy: Record<string, number>;
    /** Refused with a 4xx, by code. */
    refused: Record<string, number>;
    inChat: number;
    /** Distinct replies the phone received. */
    onPhone: number;
    failed: number;
    /** Accepted (202) but not in the chat. */
    missing: number;
    /** Shown as sent, delivered or read in the chat, never received by the phone. */
    sentNotReceived: number;
  };
  /** Messages in each dead-letter queue at the end (undefined: could not be read). */
  deadLetters: Partial<Record<QueueName, number>>;
  /** A few examples of each non-zero count. */
  examples: Partial<Record<keyof ChaosCounts | 'missing' | 'sentNotReceived', string[]>>;
  /** Where the stack's log is (with keepData). */
  stackLog?: string;
}

type StackInfo = LocalInfo & { env: Record<string, string> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stack in its own process group: started, killed outright, started again. */
class StackProcess {
  info!: StackInfo;
  crashes = 0;
  private child?: ChildProcess;
  private readonly logFile;
  private readonly dataDir: string;
  private readonly portBase: number;
  private readonly env: Record<string, string>;
  private readonly visibility: number;
  constructor(dataDir: string, portBase: number, env: Record<string, string>, visibility: number) {
    this.dataDir = dataDir;
    this.portBase = portBase;
    this.env = env;
    this.visibility = visibility;
    this.logFile = createWriteStream(join(dataDir, 'stack.log'), { flags: 'a' });
  }

  async start(): Promise<StackInfo> {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'stack-process.ts'),
        join(this.dataDir, 'stack'),
        String(this.portBase),
        String(this.visibility),
      ],
      // detached: a process group of its own, so one signal reaches the JVM too.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...this.env } },
    );
    this.child = child;
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      this.logFile.write(d);
      const text = tail + d.toString();
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      this.crashes += lines.filter((l) => l.includes('injected crash); starting a new one')).length;
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.once('exit', (code) =>
        reject(
          new Error(`the stack exited (${code}) before it was ready; see ${join(this.dataDir, 'stack.log')}`),
        ),
      );
    });
    this.info = JSON.parse(line) as StackInfo;
    return this.info;
  }

  /** SIGKILL to the whole process group: nothing is flushed, nothing is stopped cleanly. */
  async kill9(): Promise<void> {
    const child = this.child!;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // The JVM is in the same group; wait until its port is free again.
    await sleep(500);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 20_000).unref();
    });
    this.logFile.end();
  }
}

/**
 * Meta's webhook delivery between the simulator and the stack: retries until 200, delivers
 * a share of message webhooks twice, holds status webhooks for random times and repeats a
 * share of them.
 */
async function startMetaProxy(opts: {
  target: () => string;
  random: () => number;
  duplicateRate: number;
  statusRepeatRate: number;
  statusDelayMs: number;
}) {
  const stats = {
    messageDeliveries: 0,
    duplicateDeliveries: 0,
    statusDeliveries: 0,
    statusRepeats: 0,
    notOk: {} as Record<string, number>,
    givenUp: 0,
    /** Time from the simulator's post to the webhook's 200, message webhooks (ms). */
    ackMs: { p50: 0, p95: 0, max: 0 },
  };
  const ackTimes: number[] = [];
  /** Customer message wamids the webhook answered 200. */
  const acked = new Set<string>();
  let pending = 0;
  const background = (delayMs: number, work: () => Promise<unknown>) => {
    pending++;
    void sleep(delayMs)
      .then(work)
      .finally(() => pending--);
  };
  const GIVE_UP_MS = 10 * 60_000;
  const deliver = async (body: string, signature: string): Promise<boolean> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let status: number;
      try {
        const res = await fetch(opts.target(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      if (status === 200) return true;
      stats.notOk[status] = (stats.notOk[status] ?? 0) + 1;
      if (Date.now() - started > GIVE_UP_MS) {
        stats.givenUp++;
        return false;
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['x-hub-signature-256'] ?? '');
      type Value = { messages?: { id: string }[]; statuses?: unknown[] };
      const value = (JSON.parse(body) as { entry: { changes: { value: Value }[] }[] }).entry[0]?.changes[0]
        ?.value;
      if (value?.messages?.length) {
        stats.messageDeliveries++;
        const started = Date.now();
        void deliver(body, signature).then((ok) => {
          if (ok) ackTimes.push(Date.now() - started);
          if (ok) for (const m of value.messages!) acked.add(m.id);
          res.writeHead(ok ? 200 : 502).end();
          if (ok && opts.random() < opts.duplicateRate) {
            stats.duplicateDeliveries++;
            background(opts.random() * 3000, () => deliver(body, signature));
          }
        });
        return;
      }
      // Statuses: Meta does not wait for the business to be up to go on; nor does the phone.
      res.writeHead(200).end();
      stats.statusDeliveries++;
      background(opts.random() * opts.statusDelayMs, () => deliver(body, signature));
      if (opts.random() < opts.statusRepeatRate) {
        stats.statusRepeats++;
        background(opts.random() * opts.statusDelayMs * 2, () => deliver(body, signature));
      }
    });
  });
  await listen(server, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stats: () => {
      const sorted = [...ackTimes].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return { ...stats, ackMs: { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 } };
    },
    acked,
    idle: () => pending === 0,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The agent: logs in as the demo admin (again after a 401), sends replies, reads chats. */
class Agent {
  private token?: string;
  private readonly stack: () => StackInfo;
  constructor(stack: () => StackInfo) {
    this.stack = stack;
  }

  private async login(): Promise<string> {
    const { urls, demo } = this.stack();
    const res = await fetch(`${urls.api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo.email, password: demo.password }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    this.token = ((await res.json()) as { accessToken: string }).accessToken;
    return this.token;
  }

  /** One API call; throws on a network error (the caller decides whether to retry). */
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.login());
      const res = await fetch(`${this.stack().urls.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    }
  }

  /** A read that is retried through network errors and 5xx (the stack may be restarting). */
  async read<T>(path: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.call('GET', path);
        if (r.status === 200) return r.json as T;
        if (r.status < 500) throw new Error(`GET ${path} answered ${r.status}`);
      } catch (err) {
        if (attempt > 120 || /answered 4/.test((err as Error).message)) throw err;
      }
      await sleep(1000);
    }
  }
}

interface ApiConversation {
  id: string;
  contactPhone: string;
}
interface ApiMessage {
  id: string;
  direction: string;
  text?: string;
  status: string;
}

async function allConversations(agent: Agent): Promise<ApiConversation[]> {
  const out: ApiConversation[] = [];
  let cursor: string | undefined;
  do {
    const page = await agent.read<{ items: ApiConversation[]; nextCursor?: string }>(
      `/api/conversations?view=all&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** A chat's messages in the order the inbox shows them (pages go back in time). */
async function allMessages(agent: Agent, conversationId: string): Promise<ApiMessage[]> {
  const pages: ApiMessage[][] = [];
  let cursor: string | undefined;
  do {
    const page = await agent.read<{ items: ApiMessage[]; nextCursor?: string }>(
      `/api/conversations/${conversationId}/messages?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    pages.unshift(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages.flat();
}

/** Messages waiting or in flight in the stack's queues (undefined when they cannot be read). */
async function queueDepth(sqs: SQSClient, urls: string[]): Promise<number | undefined> {
  try {
    let n = 0;
    for (const url of urls) {
      const a = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      n +=
        Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(a.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
    }
    return n;
  } catch {
    return undefined;
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const random = seededRandom(opts.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'atende-chaos-'));
  const portBase = await freePortBase();
  const stack = new StackProcess(
    dataDir,
    portBase,
    {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(opts.crashRate > 0
        ? {
            ATENDE_CHAOS_CRASH: String(opts.crashRate),
            ATENDE_CHAOS_SEED: String(opts.seed),
            ...(opts.maxCrashes !== undefined ? { ATENDE_CHAOS_MAX_CRASHES: String(opts.maxCrashes) } : {}),
            ...(opts.crashFunctions ? { ATENDE_CHAOS_FUNCTIONS: opts.crashFunctions.join(',') } : {}),
          }
        : {}),
    },
    opts.visibilitySeconds,
  );
  let sim: Simulator | undefined;
  let proxy: Awaited<ReturnType<typeof startMetaProxy>> | undefined;
  let sqs: SQSClient | undefined;
  try {
    log(`starting the stack (port base ${portBase}, data in ${dataDir})`);
    let info = await stack.start();
    log(`stack ready (${Math.round((Date.now() - t0) / 1000)} s)`);
    proxy = await startMetaProxy({
      target: () => info.urls.webhook,
      random,
      duplicateRate: opts.duplicateRate,
      statusRepeatRate: opts.statusRepeatRate,
      statusDelayMs: opts.statusDelayMs,
    });
    sim = await startSimulator({
      port: portBase + 3,
      host: '127.0.0.1',
      webhookUrl: proxy.url,
      appSecret: info.demo.appSecret,
      accessToken: info.demo.accessToken,
      phoneNumbers: [DEMO_NUMBER, DEMO_TRIAGE_NUMBER],
    });
    const agent = new Agent(() => info);
    sqs = new SQSClient({
      endpoint: info.urls.sqs,
      region: info.env.AWS_REGION ?? 'us-east-1',
      // The operator's key (ADMIN_KEY): the stand-ins let it read any queue.
      credentials: { accessKeyId: ADMIN_KEY, secretAccessKey: 'local' },
    });
    const queueUrls: string[] = [];
    for (const q of queueNames) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: localQueueName(q) }));
      queueUrls.push(QueueUrl!);
    }

    // --- customers --------------------------------------------------------------------
    const run = Math.floor(random() * 1e6).toString(36);
    const phones = Array.from({ length: opts.conversations }, (_, c) =>
      canonicalPhone(`5511977${String(c).padStart(6, '0')}`),
    );
    const textOf = (c: number, j: number) => `chaos ${run} c${c} m${j}`;
    const replyText = (c: number, r: number) => `resposta ${run} c${c} r${r}`;
    const sentTexts = new Map<string, { c: number; j: number; wamid?: string }>();
    const replies: {
      c: number;
      r: number;
      text: string;
      outcome?: 'accepted' | 'inDoubt' | `refused ${number}${string}`;
      why?: string;
    }[] = [];
    let ackedCount = 0;
    let killed = 0;
    let killing: Promise<void> | undefined;
    const killAt = opts.killAt === undefined ? Infinity : Math.floor(opts.messages * opts.killAt);

    const conversationIds = new Map<string, string>();
    let lastLookup = 0;
    const conversationOf = async (phone: string): Promise<string | undefined> => {
      for (let waited = 0; waited < 600_000; waited += 1000) {
        const id = conversationIds.get(phone);
        if (id) return id;
        if (Date.now() - lastLookup > 1000) {
          lastLookup = Date.now();
          try {
            for (const conv of await allConversations(agent)) conversationIds.set(conv.contactPhone, conv.id);
            continue;
          } catch {
            /* the stack may be down */
          }
        }
        await sleep(1000);
      }
      return undefined;
    };

    const replyTasks: Promise<void>[] = [];
    const reply = async (c: number, r: number) => {
      const entry: (typeof replies)[number] = { c, r, text: replyText(c, r) };
      replies.push(entry);
      const id = await conversationOf(phones[c]!);
      if (!id) return;
      // As an agent would: answer once the chat shows the customer's message (its window open).
      for (let waited = 0; waited < 600_000; waited += 1000) {
        try {
          const conv = await agent.read<{ windowExpiresAt?: number }>(`/api/conversations/${id}`);
          if ((conv.windowExpiresAt ?? 0) > Date.now()) break;
        } catch {
          /* the stack may be down */
        }
        await sleep(1000);
      }
      try {
        const res = await agent.call('POST', `/api/conversations/${id}/messages`, { text: entry.text });
        const code = (res.json as { error?: { code?: string } } | undefined)?.error?.code;
        entry.outcome =
          res.status === 202 ? 'accepted' : res.status >= 500 ? 'inDoubt' : `refused ${res.status} ${code}`;
        if (res.status >= 500) entry.why = `5xx ${res.status} ${code}`;
      } catch (err) {
        // A refused connection never reached the API; anything else may have.
        const code = ((err as Error).cause as { code?: string } | undefined)?.code;
        entry.outcome = code === 'ECONNREFUSED' ? 'refused 0' : 'inDoubt';
        entry.why = (err as Error).name === 'TimeoutError' ? 'timeout' : (code ?? (err as Error).name);
      }
    };

    const kill = async () => {
      log(`kill -9 of the stack after ${ackedCount} acknowledged messages`);
      await stack.kill9();
      killed++;
      info = await stack.start();
      log(`stack restarted (${Math.round((Date.now() - t0) / 1000)} s into the run)`);
    };

    const customerSend = async (c: number, j: number) => {
      const text = textOf(c, j);
      sentTexts.set(text, { c, j });
      const res = await fetch(`${sim!.url}/sim/customer/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: phones[c], name: `Cliente ${c}`, text }),
      });
      const { wamid } = (await res.json()) as { wamid: string };
      sentTexts.get(text)!.wamid = wamid;
      if (proxy!.acked.has(wamid)) ackedCount++;
      if (ackedCount >= killAt && !killing) killing = kill();
      if ((j + 1) % opts.replyEvery === 0) replyTasks.push(reply(c, (j + 1) / opts.replyEvery));
    };

    log(`sending ${opts.messages} messages over ${opts.conversations} conversations at ${opts.rate}/s`);
    const chains: Promise<void>[] = Array.from({ length: opts.conversations }, () => Promise.resolve());
    const sendStart = Date.now();
    for (let k = 0; k < opts.messages; k++) {
      const due = sendStart + (k * 1000) / opts.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      const c = k % opts.conversations;
      const j = Math.floor(k / opts.conversations);
      chains[c] = chains[c]!.then(() => customerSend(c, j));
      if (k % 1000 === 999) log(`${k + 1} sent, ${ackedCount} acknowledged`);
    }
    await Promise.all(chains);
    log(`customers done (${Math.round((Date.now() - t0) / 1000)} s)`);
    await killing;
    await Promise.all(replyTasks);
    log(`all sent (${Math.round((Date.now() - t0) / 1000)} s); waiting for quiet`);

    // --- wait for quiet, then count ------------------------------------------------------
    const count = async () => {
      const conversations = await allConversations(agent);
      const chats = new Map<string, ApiMessage[]>();
      for (const conv of conversations) {
        const phone = canonicalPhone(conv.contactPhone);
        if (!phones.includes(phone)) continue;
        chats.set(phone, [...(chats.get(phone) ?? []), ...(await allMessages(agent, conv.id))]);
      }
      return chats;
    };
    const settleStart = Date.now();
    // The settle timeout runs from the last time the queues got shorter: a backlog that is
    // still draining is waited for (up to four timeouts in all); what stays is counted.
    let lastProgress = settleStart;
    let lowest = Infinity;
    let settled = false;
    let quietChecks = 0;
    for (;;) {
      const depth = await queueDepth(sqs, queueUrls);
      if (depth !== undefined && depth < lowest) {
        lowest = depth;
        lastProgress = Date.now();
      }
      quietChecks = depth === 0 && proxy.idle() ? quietChecks + 1 : 0;
      if (quietChecks >= 3) {
        settled = true;
        break;
      }
      const now = Date.now();
      if (now - lastProgress > opts.settleSeconds * 1000) break;
      if (now - settleStart > 4 * opts.settleSeconds * 1000) break;
      if ((Date.now() - settleStart) % 30_000 < 1000)
        log(
          `waiting: ${depth ?? '?'} messages in the queues, webhooks ${proxy.idle() ? 'done' : 'in flight'}`,
        );
      await sleep(1000);
    }
    const settleSeconds = Math.round((Date.now() - settleStart) / 1000);
    log(settled ? `quiet after ${settleSeconds} s` : `not quiet after ${settleSeconds} s; counting anyway`);
    const chats = await count();

    const examples: ChaosResult['examples'] = {};
    const example = (k: keyof ChaosResult['examples'], s: string) => {
      const list = (examples[k] ??= []);
      if (list.length < 5) list.push(s);
    };
    const counts: ChaosCounts = { lost: 0, duplicated: 0, reordered: 0, doubleSent: 0, stuck: 0 };
    let inChat = 0;
    const replyStatus = new Map<string, string[]>();
    for (const [c, phone] of phones.entries()) {
      const chat = chats.get(phone) ?? [];
      const seen = new Map<string, number>();
      const order: number[] = [];
      for (const m of chat) {
        if (!m.text) continue;
        seen.set(m.text, (seen.get(m.text) ?? 0) + 1);
        if (m.direction === 'in' && sentTexts.has(m.text) && seen.get(m.text) === 1)
          order.push(sentTexts.get(m.text)!.j);
        if (m.direction === 'out') replyStatus.set(m.text, [...(replyStatus.get(m.text) ?? []), m.status]);
      }
      for (const [text, n] of seen)
        if (n > 1 && (sentTexts.has(text) || replyStatus.has(text))) {
          counts.duplicated += n - 1;
          example('duplicated', `${text} ×${n}`);
        }
      let highest = -1;
      for (const j of order) {
        if (j < highest) {
          counts.reordered++;
          example('reordered', `${textOf(c, j)} after ${textOf(c, highest)}`);
        }
        highest = Math.max(highest, j);
      }
      inChat += order.length;
    }
    let acknowledged = 0;
    for (const [text, s] of sentTexts) {
      if (!s.wamid || !proxy.acked.has(s.wamid)) continue;
      acknowledged++;
      const present = chats.get(phones[s.c]!)?.some((m) => m.direction === 'in' && m.text === text);
      if (!present) {
        counts.lost++;
        example('lost', text);
      }
    }

    const phoneCopies = new Map<string, number>();
    for (const m of sim.outbox()) {
      if (m.direction !== 'business') continue;
      const body = (m.payload as { text?: { body?: string } }).text?.body;
      if (body) phoneCopies.set(body, (phoneCopies.get(body) ?? 0) + 1);
    }
    const agentReplies: ChaosResult['agentReplies'] = {
      attempted: replies.length,
      accepted: 0,
      inDoubt: 0,
      inDoubtWhy: {},
      refused: {},
      inChat: 0,
      onPhone: 0,
      failed: 0,
      missing: 0,
      sentNotReceived: 0,
    };
    for (const r of replies) {
      if (r.outcome === 'accepted') agentReplies.accepted++;
      else if (r.outcome === 'inDoubt') {
        agentReplies.inDoubt++;
        const why = r.why ?? 'unknown';
        agentReplies.inDoubtWhy[why] = (agentReplies.inDoubtWhy[why] ?? 0) + 1;
      } else {
        const code = r.outcome?.slice('refused '.length) ?? 'no conversation';
        agentReplies.refused[code] = (agentReplies.refused[code] ?? 0) + 1;
      }
      const statuses = replyStatus.get(r.text);
      const copies = phoneCopies.get(r.text) ?? 0;
      if (copies) agentReplies.onPhone++;
      if (copies > 1) {
        counts.doubleSent++;
        example('doubleSent', `${r.text} ×${copies}`);
      }
      if (!statuses) {
        if (r.outcome === 'accepted') {
          agentReplies.missing++;
          example('missing', r.text);
        }
        continue;
      }
      agentReplies.inChat++;
      const status = statuses[0]!;
      if (status === 'failed') agentReplies.failed++;
      if (status === 'pending' || status === 'sending') {
        counts.stuck++;
        example('stuck', `${r.text} (${status})`);
      }
      if (['sent', 'delivered', 'read'].includes(status) && !copies) {
        agentReplies.sentNotReceived++;
        example('sentNotReceived', `${r.text} (${status})`);
      }
    }

    const deadLetters: ChaosResult['deadLetters'] = {};
    for (const q of queueNames) {
      try {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: localQueueName(q, true) }));
        deadLetters[q] = await queueDepth(sqs, [QueueUrl!]);
      } catch {
        /* not readable */
      }
    }

    const { log: _log, keepData: _keep, ...options } = opts;
    return {
      options,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
      counts,
      injectedCrashes: stack.crashes,
      stackKills: killed,
      settled,
      settleSeconds,
      webhook: proxy.stats(),
      customerMessages: { sent: sentTexts.size, acknowledged, inChat },
      agentReplies,
      deadLetters,
      examples,
      ...(opts.keepData ? { stackLog: join(dataDir, 'stack.log') } : {}),
    };
  } finally {
    sqs?.destroy();
    await stack.stop();
    await sim?.stop();
    await proxy?.stop();
    if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}
