/**
 * Set-up of the engine tests: an own table and media bucket on the local stand-ins, a
 * number registered for a random phone-number id, a scriptable Graph API server (media,
 * sends, failures on demand), and a local WebSocket gateway standing in for API Gateway.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { monotonicFactory } from 'ulid';
import { ensureTable } from '#shared/store/table.ts';
import { createNumber } from '#shared/store/numbers.ts';
import { keys } from '#shared/store/keys.ts';
import { closeConversation } from '#shared/store/conversations.ts';
import { testAccountSecrets } from './secrets-kit.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import type { EngineDeps } from '#shared/engine/inbound/dispatch.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { Conversation, Message, WhatsAppNumber } from '#shared/store/types.ts';
import { freePort } from '#infra/local/ports.ts';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { startLocalScheduler, type LocalScheduler } from '#infra/local/scheduler.ts';

export interface GraphScript {
  /** Next N calls to a path kind fail with this status and Meta error. */
  failNext(
    kind: 'media-url' | 'download' | 'send',
    times: number,
    status: number,
    code: number,
    message?: string,
  ): void;
  /** Forgets the failures not used up. */
  clearFailures(): void;
  sent: Record<string, unknown>[];
  /** wamids the next sends answer with (then generated ones). */
  nextWamids: string[];
  media: Map<string, { bytes: Buffer; mime: string }>;
  url: string;
  stop(): Promise<void>;
}

export async function startGraphScript(token: string): Promise<GraphScript> {
  const failures: { kind: string; times: number; status: number; code: number; message?: string }[] = [];
  const media = new Map<string, { bytes: Buffer; mime: string }>();
  const sent: Record<string, unknown>[] = [];
  const nextWamids: string[] = [];
  let n = 0;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', url).pathname;
      const kind = path.startsWith('/download/')
        ? 'download'
        : path.endsWith('/messages')
          ? 'send'
          : path.endsWith('/media')
            ? 'upload'
            : 'media-url';
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        return json(401, {
          error: { message: 'Error validating access token', code: 190, type: 'OAuthException' },
        });
      }
      const f = failures.find((x) => x.kind === kind && x.times > 0);
      if (f) {
        f.times--;
        return json(f.status, {
          error: { message: f.message ?? 'scripted failure', code: f.code, type: 'OAuthException' },
        });
      }
      if (kind === 'download') {
        const m = media.get(path.slice('/download/'.length));
        if (!m) return json(404, { error: { message: 'not found', code: 100 } });
        res.writeHead(200, { 'content-type': m.mime });
        return res.end(m.bytes);
      }
      if (kind === 'media-url') {
        const id = path.split('/').pop()!;
        const m = media.get(id);
        if (!m) return json(404, { error: { message: 'media not found', code: 100 } });
        return json(200, { url: `${url}/download/${id}`, mime_type: m.mime, id });
      }
      if (kind === 'upload') return json(200, { id: `up-${++n}` });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      sent.push(body);
      if (body.status === 'read') return json(200, { success: true });
      return json(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: nextWamids.shift() ?? `wamid.out-${++n}-${randomBytes(3).toString('hex')}` }],
      });
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    failNext: (kind, times, status, code, message) => failures.push({ kind, times, status, code, message }),
    clearFailures: () => failures.splice(0),
    sent,
    nextWamids,
    media,
    url,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface EngineKit {
  deps: EngineDeps;
  number: WhatsAppNumber;
  graph: GraphScript;
  clock: { now: number };
  meter: CapacityMeter;
  bucket: string;
  text(from: string, body: string, wamid?: string, name?: string): InboundQueueItem;
  conversations(): Promise<Conversation[]>;
  messages(conversationId: string): Promise<Message[]>;
  /** Ends the conversation's attendance as an agent would (elsewhere: fn api). */
  close(conv: Conversation): Promise<Conversation | undefined>;
  stop(): Promise<void>;
  /** Where the accounts' secrets of this kit live (ACCOUNT_SECRETS_PREFIX for a real handler). */
  secretsPrefix: string;
}

export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

export interface KitOptions {
  /** Use this Graph API (e.g. the simulator) instead of the kit's scriptable server. */
  graph?: { url: string; token: string; phoneNumberId: string };
}

export async function engineKit(opts: KitOptions = {}): Promise<EngineKit> {
  const suffix = randomBytes(4).toString('hex');
  const raw = new DynamoDBClient({});
  const meter = meterCapacity(raw);
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = `engine-${suffix}`;
  await ensureTable(raw, tableName);
  const s3 = new S3Client({ forcePathStyle: true });
  const bucket = `media-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const token = opts.graph?.token ?? `token-${suffix}`;
  const graph = await startGraphScript(token);
  const ids = monotonicFactory();
  const clock = { now: T0 };
  const accountId = ids();
  const number = await createNumber(ddb, tableName, {
    id: ids(),
    accountId,
    name: 'Loja',
    phoneNumberId: opts.graph?.phoneNumberId ?? `pn-${suffix}`,
    wabaId: `waba-${suffix}`,
    displayPhone: '5511900000001',
    color: '#3366ff',
    hasAccessToken: true,
  });
  // The number's own token, where fn inbound and fn outbound read it: the account's secrets.
  const { secrets, prefix: secretsPrefix } = await testAccountSecrets();
  await secrets.update(accountId, 'credentials', (doc) => {
    doc.numbers[number.id] = { accessToken: token };
  });
  const deps: EngineDeps = {
    ddb,
    tableName,
    s3,
    mediaBucket: bucket,
    // Media downloads only from the Graph stand-in's own origin (as WHATSAPP_MEDIA_HOSTS says locally).
    graph: createGraphClient({
      baseUrl: opts.graph?.url ?? graph.url,
      version: 'v23.0',
      mediaHosts: [new URL(opts.graph?.url ?? graph.url).origin],
    }),
    defaultToken: async () => undefined,
    accountSecrets: secrets,
    newId: () => ids(clock.now),
    now: () => clock.now,
    log: () => {},
  };
  let seq = 0;
  return {
    deps,
    number,
    graph,
    clock,
    meter,
    bucket,
    secretsPrefix,
    text: (from, body, wamid, name = 'Maria') => ({
      kind: 'message',
      phoneNumberId: number.phoneNumberId,
      contact: { waId: from, name },
      message: {
        from,
        id: wamid ?? `wamid.${suffix}-${++seq}`,
        timestamp: String(Math.floor(clock.now / 1000)),
        type: 'text',
        text: { body },
      },
      receivedAt: clock.now,
    }),
    async conversations() {
      // Every conversation item of the account (not attendances or schedules), newest message first.
      const res = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)',
          ExpressionAttributeValues: { ':p': keys.account(accountId).pk, ':c': 'CONV#' },
        }),
      );
      return ((res.Items ?? []) as (Conversation & { sk: string })[])
        .filter((item) => !item.sk.slice(5).includes('#'))
        .sort((a, b) => b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : -1));
    },
    async messages(conversationId) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
          ExpressionAttributeValues: { ':p': keys.messagePartition(accountId, conversationId), ':m': 'MSG#' },
        }),
      );
      return (res.Items ?? []) as Message[];
    },
    close: (conv) => closeConversation(ddb, tableName, conv, conv.attendanceId!, clock.now, 'agent'),
    async stop() {
      await graph.stop();
      raw.destroy();
      s3.destroy();
    },
  };
}

export const wsClient = (endpoint: string) => new ApiGatewayManagementApiClient({ endpoint });

export interface CapacityUse {
  command: string;
  /** Write units on the table and on each index (DynamoDB's ReturnConsumedCapacity=INDEXES). */
  table: number;
  indexes: Record<string, number>;
  total: number;
}

export interface CapacityMeter {
  /** Records the write units of every write made until `stop()`. */
  start(): void;
  stop(): CapacityUse[];
}

/**
 * Asks DynamoDB for the consumed capacity of every write the client makes (the code under
 * test is unchanged: the parameter is added on the way out) and collects the answers.
 */
export function meterCapacity(client: DynamoDBClient): CapacityMeter {
  let uses: CapacityUse[] | undefined;
  const writes = new Set([
    'PutItemCommand',
    'UpdateItemCommand',
    'DeleteItemCommand',
    'TransactWriteItemsCommand',
    'BatchWriteItemCommand',
  ]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const metering = uses && writes.has(command);
      if (metering) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      if (metering) {
        const cc = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const c of [cc ?? []].flat()) {
          const indexes = Object.fromEntries(
            Object.entries(c.GlobalSecondaryIndexes ?? {}).map(([k, v]) => [
              k,
              v.WriteCapacityUnits ?? v.CapacityUnits ?? 0,
            ]),
          );
          uses!.push({
            command,
            table: c.Table?.WriteCapacityUnits ?? c.Table?.CapacityUnits ?? 0,
            indexes,
            total: c.WriteCapacityUnits ?? c.CapacityUnits ?? 0,
          });
        }
      }
      return out;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return {
    start: () => {
      uses = [];
    },
    stop: () => {
      const out = uses ?? [];
      uses = undefined;
      return out;
    },
  };
}

/**
 * The local Scheduler stand-in on the kit's clock, and engine deps that arm timers on it
 * (the clock, events and opening-message tests). `fire` runs what a due schedule would
 * invoke; `tickMs` how often it looks (60 s: never, within a test).
 */
export async function kitScheduler(
  kit: EngineKit,
  opts: {
    fire?: Parameters<typeof startLocalScheduler>[0]['fire'];
    tickMs?: number;
    maxAttempts?: number;
  } = {},
): Promise<{ scheduler: LocalScheduler; client: SchedulerClient; deps: EngineDeps; stop(): Promise<void> }> {
  const scheduler = await startLocalScheduler({
    port: await freePort(),
    now: () => kit.clock.now,
    tickMs: opts.tickMs ?? 60_000,
    fire: opts.fire ?? (async () => {}),
  });
  const client = new SchedulerClient({
    endpoint: scheduler.url,
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
  });
  const deps: EngineDeps = {
    ...kit.deps,
    scheduler: {
      client,
      group: 'atende',
      targetArn: 'arn:aws:lambda:local:0:function:timers',
      roleArn: 'arn:role',
    },
  };
  return {
    scheduler,
    client,
    deps,
    async stop() {
      client.destroy();
      await scheduler.stop();
    },
  };
}
