/**
 * Shared set-up of the API/WS integration tests: an own table, outbound FIFO queue and
 * media bucket on the local stand-ins (random names, so files can run in parallel), the
 * real middy handler built with those and a controllable clock, and fixtures written
 * with the table's keys.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { monotonicFactory } from 'ulid';
import { ensureTable } from '#shared/store/table.ts';
import { bucketOf } from '#shared/domain/inbox.ts';
import { chatStateOf, inboxKeys, putSearchTerms } from '#shared/store/inbox.ts';
import { keys } from '#shared/store/keys.ts';
import { createAccount } from '#shared/store/accounts.ts';
import { createUser } from '#shared/store/users.ts';
import { createNumber } from '#shared/store/numbers.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { jwtKeyFromSecret } from '#shared/auth/tokens.ts';
import type { Conversation, Message, Role, User, WhatsAppNumber } from '#shared/store/types.ts';
import type { ApiDeps } from '#shared/api/api-deps.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';
import { buildApiHandler } from '#functions/api/build.ts';
import { testAccountSecrets } from './secrets-kit.ts';

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const suffix = () => randomBytes(4).toString('hex');

export interface Clock {
  now: number;
}

export interface ApiKit {
  deps: ApiDeps;
  clock: Clock;
  ids: () => string;
  call: (
    method: string,
    path: string,
    opts?: {
      token?: string;
      body?: unknown;
      query?: Record<string, string>;
      headers?: Record<string, string>;
      /** requestContext.http.sourceIp (default 127.0.0.1): login throttling counts per address. */
      sourceIp?: string;
    },
    // Tests read response bodies as the JSON a client would; their shape is what they assert.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ) => Promise<{ status: number; body: any; headers: Record<string, string> }>;
  receiveOutbound: () => Promise<unknown[]>;
  /** Jobs queued for fn assistant (test-panel turns, knowledge ingestion). */
  receiveAssistant: () => Promise<unknown[]>;
  /** The real middy handler the kit calls (e.g. to mount it on the local HTTP gateway). */
  handler: ReturnType<typeof buildApiHandler>;
}

export async function createApiKit(): Promise<ApiKit> {
  const tableName = `test-api-${suffix()}`;
  const raw = new DynamoDBClient({});
  await ensureTable(raw, tableName);
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({});
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `test-outbound-${suffix()}.fifo`,
      Attributes: { FifoQueue: 'true' },
    }),
  );
  // fauxqs names queues `http://sqs.<region>.localhost:<port>/…`, which does not resolve
  // everywhere; the same path on the configured endpoint reaches the same queue.
  const queueUrl = `${process.env.AWS_ENDPOINT_URL_SQS}${new URL(queue.QueueUrl!).pathname}`;
  const assistantQueue = await sqs.send(new CreateQueueCommand({ QueueName: `test-assistant-${suffix()}` }));
  const assistantQueueUrl = `${process.env.AWS_ENDPOINT_URL_SQS}${new URL(assistantQueue.QueueUrl!).pathname}`;
  // The dead-letters page's queues: each DLQ, and an inbound queue a redrive sends back to.
  const localUrl = (u: string) => `${process.env.AWS_ENDPOINT_URL_SQS}${new URL(u).pathname}`;
  const create = async (name: string, fifo: boolean) =>
    localUrl(
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: `${name}-${suffix()}${fifo ? '.fifo' : ''}`,
            Attributes: fifo ? { FifoQueue: 'true' } : {},
          }),
        )
      ).QueueUrl!,
    );
  const deadLetters = {
    inbound: { dlqUrl: await create('test-inbound-dlq', true), queueUrl: await create('test-inbound', true) },
    outbound: { dlqUrl: await create('test-outbound-dlq', true), queueUrl },
    assistant: { dlqUrl: await create('test-assistant-dlq', false), queueUrl: assistantQueueUrl },
  };
  const s3 = new S3Client({ forcePathStyle: true });
  const mediaBucket = `test-media-${suffix()}`;
  await s3.send(new CreateBucketCommand({ Bucket: mediaBucket }));
  const clock: Clock = { now: T0 };
  const ids = monotonicFactory();
  const key = jwtKeyFromSecret(randomBytes(32).toString('base64url'));
  const { secrets } = await testAccountSecrets();
  const deps: ApiDeps = {
    accountSecrets: secrets,
    ddb,
    tableName,
    s3,
    mediaBucket,
    sqs,
    outboundQueueUrl: queueUrl,
    assistantQueueUrl,
    deadLetters,
    getJwtKey: async () => key,
    now: () => clock.now,
    newId: () => ids(clock.now),
  };
  const handler = buildApiHandler(() => deps);

  const call: ApiKit['call'] = async (method, path, opts = {}) => {
    const [rawPath, qs = ''] = path.split('?') as [string, string | undefined];
    const query = { ...Object.fromEntries(new URLSearchParams(qs)), ...opts.query };
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const event: HttpEvent = {
      version: '2.0',
      routeKey: 'ANY /api/{proxy+}',
      rawPath,
      rawQueryString: new URLSearchParams(query).toString(),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: { proxy: rawPath.replace(/^\/api\//, '') },
      requestContext: {
        accountId: '000000000000',
        apiId: 'test',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method,
          path: rawPath,
          protocol: 'HTTP/1.1',
          sourceIp: opts.sourceIp ?? '127.0.0.1',
          userAgent: 'test',
        },
        requestId: ids(),
        routeKey: 'ANY /api/{proxy+}',
        stage: '$default',
        time: new Date(clock.now).toUTCString(),
        timeEpoch: clock.now,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      isBase64Encoded: false,
    };
    const res: HttpResult = await handler(event, {} as Context);
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body ? JSON.parse(res.body) : undefined,
    };
  };

  const receiveOutbound = async () => {
    const out: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!r.Messages?.length) break;
      out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
    }
    return out;
  };

  const receiveAssistant = async () => {
    const out: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: assistantQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (!r.Messages?.length) break;
      out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
    }
    return out;
  };

  return { deps, clock, ids: () => ids(clock.now), call, receiveOutbound, receiveAssistant, handler };
}

export interface SeededTenant {
  accountId: string;
  user: User;
  password: string;
  number: WhatsAppNumber;
}

/** An account with one user (random e-mail) and one number. */
export async function seedTenant(
  kit: ApiKit,
  opts: { name?: string; role?: Role } = {},
): Promise<SeededTenant> {
  const { ddb, tableName } = kit.deps;
  const accountId = kit.ids();
  const password = `pw-${suffix()}`;
  await createAccount(ddb, tableName, {
    id: accountId,
    name: opts.name ?? 'Loja Teste',
    timezone: 'America/Sao_Paulo',
    inactivityHours: 24,
  });
  const user = await createUser(ddb, tableName, {
    id: kit.ids(),
    accountId,
    name: 'Maria Atendente',
    email: `maria-${suffix()}@example.com`,
    role: opts.role ?? 'agent',
    passwordHash: await hashPassword(password),
    departmentIds: [],
  });
  const number = await createNumber(ddb, tableName, {
    id: kit.ids(),
    accountId,
    name: 'Vendas',
    phoneNumberId: `pn-${suffix()}`,
    wabaId: 'waba-1',
    displayPhone: '+55 11 4000-0000',
    color: '#128C7E',
    hasAccessToken: true,
  });
  await kit.deps.accountSecrets!.update(accountId, 'credentials', (doc) => {
    doc.numbers[number.id] = { accessToken: 'EAAG-secret-number-token' };
  });
  return { accountId, user, password, number };
}

/** Writes a conversation as the engine does: the item with its inbox keys (bucket by its state), and its search terms. */
export async function putConversation(
  kit: ApiKit,
  tenant: SeededTenant,
  over: Partial<Conversation> = {},
): Promise<Conversation> {
  const id = over.id ?? kit.ids();
  const conversation: Conversation = {
    id,
    accountId: tenant.accountId,
    numberId: tenant.number.id,
    contactId: kit.ids(),
    contactName: 'João Cliente',
    contactPhone: '5511987654321',
    numberName: tenant.number.name,
    numberColor: tenant.number.color,
    status: 'open',
    lastMessageAt: kit.clock.now,
    lastCustomerMessageAt: kit.clock.now,
    windowExpiresAt: kit.clock.now + 24 * 3600 * 1000,
    unread: 0,
    createdAt: kit.clock.now,
    ...over,
  };
  const bucket = bucketOf(chatStateOf(conversation), kit.clock.now);
  await kit.deps.ddb.send(
    new PutCommand({
      TableName: kit.deps.tableName,
      Item: {
        ...keys.conversation(tenant.accountId, id),
        ...conversation,
        ...inboxKeys(conversation, bucket, conversation.openedAt ?? conversation.createdAt),
      },
    }),
  );
  await putSearchTerms(kit.deps.ddb, kit.deps.tableName, conversation);
  return { ...conversation, inboxBucket: bucket };
}

export async function putMessage(
  kit: ApiKit,
  conversation: Conversation,
  over: Partial<Message> = {},
): Promise<Message> {
  const id = over.id ?? kit.ids();
  const message: Message = {
    id,
    accountId: conversation.accountId,
    conversationId: conversation.id,
    direction: 'in',
    type: 'text',
    text: 'Olá',
    wamid: `wamid.${id}`,
    status: 'received',
    sender: { type: 'contact', name: conversation.contactName },
    createdAt: kit.clock.now,
    ...over,
  };
  await kit.deps.ddb.send(
    new PutCommand({
      TableName: kit.deps.tableName,
      Item: { ...keys.message(conversation.accountId, conversation.id, id), ...message },
    }),
  );
  return message;
}

export async function loginAs(kit: ApiKit, tenant: SeededTenant) {
  const res = await kit.call('POST', '/api/auth/login', {
    body: { email: tenant.user.email, password: tenant.password },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { accessToken: string; refreshToken: string };
}

/** A record in one of the kit's dead-letter queues, as a function that gave up writes it; its message id. */
export async function putDeadLetter(
  kit: ApiKit,
  queue: 'inbound' | 'outbound' | 'assistant',
  body: unknown,
  group: string,
  attrs: { reason?: string; failedAt?: string; source?: string } = {
    reason: 'RETRIES_EXHAUSTED: 40 attempts over 6 h',
    failedAt: new Date(kit.clock.now).toISOString(),
    source: queue,
  },
): Promise<string> {
  const out = await kit.deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: kit.deps.deadLetters![queue]!.dlqUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      MessageAttributes: Object.fromEntries(
        Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
      ...(queue === 'assistant'
        ? {}
        : { MessageGroupId: group, MessageDeduplicationId: randomBytes(8).toString('hex') }),
    }),
  );
  return out.MessageId!;
}
