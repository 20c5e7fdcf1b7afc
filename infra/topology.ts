/**
 * The one declaration of Atende's resources. The CDK app (infra/cdk) turns it into AWS
 * resources; the local runtime (infra/local) turns it into stand-ins on one machine.
 * Both read only this file, and test/infra/topology-agreement.test.ts proves they agree.
 *
 * Names here are logical: the CDK app lets CloudFormation name things; the local
 * runtime derives its own names (with a prefix) from these.
 */

export type Grant =
  | 'table:read'
  | 'table:write'
  | `queue:send:${QueueName}`
  /** Send a record the function gives up on to the queue's dead-letter queue (shared/queue/batch.ts). */
  | `queue:dead-letter:${QueueName}`
  /** Read, redrive (send back to the queue) and discard the queue's dead letters (admin page). */
  | `queue:redrive:${QueueName}`
  | 'bucket:media:read'
  | 'bucket:media:write'
  | `secret:read:${SecretName}`
  | `account-secret:${'read' | 'write'}:${AccountSecretKind}`
  | 'scheduler:manage'
  | 'ws:manage';

export interface IndexDef {
  /** Name of the GSI; attributes are `<name>pk` and `<name>sk` (strings). */
  name: string;
  /** The access patterns this index serves (documented in docs/data-model.md). */
  serves: string[];
  /**
   * ALL (default) or KEYS_ONLY: a keys-only index is written only when its keys change,
   * not on every update of a projected attribute.
   */
  projection?: 'ALL' | 'KEYS_ONLY';
}

export interface TableDef {
  partitionKey: 'pk';
  sortKey: 'sk';
  ttlAttribute: 'ttl';
  indexes: IndexDef[];
}

export interface QueueDef {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /**
   * After this many receives SQS moves a message to the queue's dead-letter queue: the
   * backstop for a function that crashes on it. Set above what the retry policy uses within
   * its horizon (shared/domain/retry-policy.ts), so SQS never ends the retries early.
   */
  maxReceiveCount: number;
  /**
   * A record still failing this long after its first receive is dead-lettered by the
   * function (RETRIES_EXHAUSTED); until then transient failures back off (≤ 15 min).
   */
  retryHorizonHours: number;
  /** How long a message may wait in the DLQ before SQS drops it. */
  dlqRetentionDays: number;
  /**
   * FIFO high-throughput mode (docs/capacity.md): deduplication and the throughput limit
   * per message group instead of per queue, which lifts FIFO's 300 calls/s per action.
   * Only for a queue where every copy of a message carries its original's group id.
   */
  highThroughput?: boolean;
}

export interface HttpRouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';
  path: string;
  /** false only for routes that authenticate by other means (Meta's signature, login). */
  function: FunctionName;
}

export interface WsRouteDef {
  route: '$connect' | '$disconnect' | '$default';
  function: FunctionName;
}

export type Trigger =
  | { kind: 'http' }
  | { kind: 'websocket' }
  | { kind: 'sqs'; queue: QueueName; batchSize: number; maxBatchingWindowSeconds: number }
  | { kind: 'scheduler' };

export interface FunctionDef {
  /** Path of the module, from the repository root; it exports `handler`. */
  handler: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  triggers: Trigger[];
  grants: Grant[];
}

export interface BucketDef {
  description: string;
  /** Objects older than this are removed (undefined: kept). */
  expireDays?: number;
}

export interface SecretDef {
  description: string;
  /** Keys of the JSON document stored in the secret. */
  keys: string[];
}

export const queueNames = ['inbound', 'outbound', 'assistant'] as const;
export type QueueName = (typeof queueNames)[number];

export const functionNames = ['webhook', 'inbound', 'outbound', 'assistant', 'timers', 'api', 'ws'] as const;
export type FunctionName = (typeof functionNames)[number];

export const secretNames = ['whatsapp', 'whatsapp-webhook', 'openai', 'auth', 'push'] as const;
export type SecretName = (typeof secretNames)[number];

export const table: TableDef = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: [
    {
      name: 'gsi1',
      serves: ['account by WhatsApp phone-number id', 'user by e-mail', 'conversation by protocol'],
    },
    { name: 'gsi2', serves: ['inbox views by last message'] },
    { name: 'gsi3', serves: ['inbox views by attendance opening'], projection: 'KEYS_ONLY' },
  ],
};

export const queues: Record<QueueName, QueueDef> = {
  // Groups: the customer (phone number id + sender; a copy of a message or status is
  // split from the same payload into the same group) and the conversation (outbound).
  inbound: {
    fifo: true,
    highThroughput: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 100,
    retryHorizonHours: 6,
    dlqRetentionDays: 14,
  },
  outbound: {
    fifo: true,
    highThroughput: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 100,
    retryHorizonHours: 6,
    dlqRetentionDays: 14,
  },
  assistant: {
    fifo: false,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 100,
    retryHorizonHours: 6,
    dlqRetentionDays: 14,
  },
};

/**
 * The FIFO attributes a queue is created with, by CDK (queues.ts) and the local runtime
 * alike. Dead-letter queues stay in the default mode: they take a trickle.
 */
export function fifoQueueAttributes(def: QueueDef, dlq = false): Record<string, string> {
  if (!def.fifo) return {};
  return {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    ...(def.highThroughput && !dlq
      ? { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' }
      : {}),
  };
}

export const buckets: Record<'media', BucketDef> = {
  media: { description: 'Media received from and sent to customers (private, encrypted)' },
};

export const secrets: Record<SecretName, SecretDef> = {
  // Split by who reads them: fn webhook needs the app secret and verify token, never the
  // token that sends on the business's behalf (read by the functions that call Graph).
  whatsapp: {
    description: "Meta Cloud API default access token (the system user's), for numbers without their own",
    keys: ['accessToken'],
  },
  'whatsapp-webhook': {
    description: "Meta app secret (webhook signatures) and the webhook's verify token",
    keys: ['appSecret', 'verifyToken'],
  },
  openai: { description: 'OpenAI (or compatible) API key and base URL', keys: ['apiKey', 'baseUrl'] },
  auth: { description: 'Key that signs the agents’ session tokens (JWT, HS256)', keys: ['jwtSecret'] },
  push: {
    description: 'VAPID keys for web push to the installed PWA (npx web-push generate-vapid-keys)',
    keys: ['publicKey', 'privateKey', 'subject'],
  },
};

/**
 * Each account's own secrets (shared/secrets/account-secrets.ts), named
 * `<prefix>/acc/<accountId>/<kind>` (the prefix is the stack's name on AWS, `atende`
 * locally). Split by who reads them: fn webhook may read `webhook` and nothing else of a
 * tenant's; access tokens and the LLM key are in `credentials`. `write` includes read.
 */
export const accountSecretKinds = ['webhook', 'credentials'] as const;
export type AccountSecretKind = (typeof accountSecretKinds)[number];
export const accountSecrets: Record<AccountSecretKind, SecretDef> = {
  webhook: {
    description: "The account's numbers' own Meta app secrets and verify tokens, by number id",
    keys: ['numbers'],
  },
  credentials: {
    description: "The account's numbers' Graph API access tokens (by number id) and its LLM API key",
    keys: ['numbers', 'llmApiKey'],
  },
};

const sqs = (queue: QueueName, batchSize: number, maxBatchingWindowSeconds = 0): Trigger => ({
  kind: 'sqs',
  queue,
  batchSize,
  maxBatchingWindowSeconds,
});

export const functions: Record<FunctionName, FunctionDef> = {
  webhook: {
    handler: 'functions/webhook/handler.ts',
    description: 'Meta webhook: verification handshake, signature check, split into the inbound queue',
    memoryMb: 256,
    timeoutSeconds: 10,
    triggers: [{ kind: 'http' }],
    grants: [
      'table:read',
      'queue:send:inbound',
      // Malformed webhook items, kept raw with their reason (shared/webhook/handle-webhook.ts).
      'queue:dead-letter:inbound',
      'secret:read:whatsapp-webhook',
      'account-secret:read:webhook',
    ],
  },
  inbound: {
    handler: 'functions/inbound/handler.ts',
    description: 'Conversation engine: dedupe, contact, conversation, store, push, hand work on',
    memoryMb: 512,
    timeoutSeconds: 30,
    triggers: [sqs('inbound', 10)],
    grants: [
      'table:read',
      'table:write',
      'queue:dead-letter:inbound',
      'queue:send:outbound',
      'queue:send:assistant',
      'bucket:media:write',
      'secret:read:whatsapp',
      'secret:read:push',
      'account-secret:read:credentials',
      'scheduler:manage',
      'ws:manage',
    ],
  },
  outbound: {
    handler: 'functions/outbound/handler.ts',
    description: 'The only sender to the Graph API: pacing, retries, permanent failures recorded',
    memoryMb: 256,
    timeoutSeconds: 30,
    triggers: [sqs('outbound', 10)],
    grants: [
      'table:read',
      'table:write',
      'queue:dead-letter:outbound',
      'bucket:media:read',
      'secret:read:whatsapp',
      'account-secret:read:credentials',
      'ws:manage',
    ],
  },
  assistant: {
    handler: 'functions/assistant/handler.ts',
    description:
      'AI assistant: LLM with tools and knowledge bases, costs, replies to outbound; knowledge ingestion',
    memoryMb: 512,
    timeoutSeconds: 120,
    triggers: [sqs('assistant', 5)],
    grants: [
      'table:read',
      'table:write',
      'queue:dead-letter:assistant',
      'queue:send:outbound',
      'bucket:media:read',
      'bucket:media:write',
      'secret:read:openai',
      'account-secret:read:credentials',
      'ws:manage',
    ],
  },
  timers: {
    handler: 'functions/timers/handler.ts',
    description: 'Target of one-time schedules: window expiring/expired, auto-close, snooze',
    memoryMb: 256,
    timeoutSeconds: 30,
    triggers: [{ kind: 'scheduler' }],
    grants: ['table:read', 'table:write', 'queue:send:outbound', 'scheduler:manage', 'ws:manage'],
  },
  api: {
    handler: 'functions/api/handler.ts',
    description: 'REST API of the inbox and the admin pages (authenticated, scoped to the account)',
    memoryMb: 512,
    timeoutSeconds: 29,
    triggers: [{ kind: 'http' }],
    grants: [
      'table:read',
      'table:write',
      'queue:send:outbound',
      'queue:send:assistant',
      // The dead-letters admin page (shared/api/dead-letters-service.ts).
      'queue:redrive:inbound',
      'queue:redrive:outbound',
      'queue:redrive:assistant',
      'bucket:media:read',
      'bucket:media:write',
      'secret:read:auth',
      'secret:read:openai',
      'secret:read:push',
      // The deployment's token checks a number saved without its own (GET /{phone-number-id}).
      'secret:read:whatsapp',
      // Saves numbers' tokens and secrets and the LLM key (write includes read).
      'account-secret:write:webhook',
      'account-secret:write:credentials',
      'scheduler:manage',
      'ws:manage',
    ],
  },
  ws: {
    handler: 'functions/ws/handler.ts',
    description: 'WebSocket API: authenticated $connect, $disconnect, $default (ping, resync)',
    memoryMb: 256,
    timeoutSeconds: 10,
    triggers: [{ kind: 'websocket' }],
    grants: ['table:read', 'table:write', 'secret:read:auth', 'ws:manage'],
  },
};

export const httpRoutes: HttpRouteDef[] = [
  { method: 'GET', path: '/webhook/whatsapp', function: 'webhook' },
  { method: 'POST', path: '/webhook/whatsapp', function: 'webhook' },
  { method: 'ANY', path: '/api/{proxy+}', function: 'api' },
];

export const wsRoutes: WsRouteDef[] = [
  { route: '$connect', function: 'ws' },
  { route: '$disconnect', function: 'ws' },
  { route: '$default', function: 'ws' },
];

/** A schedule of the deployment itself, firing the scheduler's target with `input` at a rate. */
export interface RecurringScheduleDef {
  name: string;
  everyMinutes: number;
  input: Record<string, unknown>;
}

/**
 * Schedules created by the functions go to this group and invoke this function; the
 * recurring ones are the deployment's own (CDK: AWS::Scheduler::Schedule `rate(…)` with the
 * scheduler role; locally a timer of infra/local/stack/schedules.ts).
 */
export const scheduler: {
  groupName: string;
  target: FunctionName;
  recurring: readonly RecurringScheduleDef[];
} = {
  groupName: 'atende',
  target: 'timers',
  recurring: [
    // The outbox sweeper (shared/engine/sweeper.ts): unsettled sends past their deadline.
    { name: 'sweep-outbox', everyMinutes: 1, input: { kind: 'sweep-outbox' } },
  ],
};

/**
 * Environment variables each function receives, by resource. The CDK app fills them
 * with ARNs/URLs/names; the local runtime with its stand-ins' values.
 */
export const envNames = {
  table: 'TABLE_NAME',
  queueUrl: (q: QueueName) => `${q.toUpperCase()}_QUEUE_URL`,
  /** The queue's dead-letter queue (`queue:dead-letter:<q>` and `queue:redrive:<q>` grants). */
  dlqUrl: (q: QueueName) => `${q.toUpperCase()}_DLQ_URL`,
  mediaBucket: 'MEDIA_BUCKET',
  secretId: (s: SecretName) => `${s.toUpperCase().replaceAll('-', '_')}_SECRET_ID`,
  /** Prefix of the accounts' own secrets (`<prefix>/acc/<accountId>/<kind>`). */
  accountSecretsPrefix: 'ACCOUNT_SECRETS_PREFIX',
  schedulerGroup: 'SCHEDULER_GROUP',
  schedulerTargetArn: 'SCHEDULER_TARGET_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  wsEndpoint: 'WS_MANAGEMENT_ENDPOINT',
  /**
   * Origins the operator lets server-side fetches reach beyond public https hosts
   * (shared/net/outbound-url.ts): comma-separated, e.g. `http://127.0.0.1:4003`. Empty on
   * AWS unless the operator sets one; locally the simulator (and a local model). Every function.
   */
  outboundAllowedOrigins: 'OUTBOUND_ALLOWED_ORIGINS',
  /** Hosts the Graph API's media download URLs may be on (and receive the token). Every function. */
  whatsappMediaHosts: 'WHATSAPP_MEDIA_HOSTS',
} as const;

/**
 * Where Meta serves WhatsApp media (the `url` of `GET /<media-id>`): the default of
 * WHATSAPP_MEDIA_HOSTS. `host` exactly, `*.domain` any subdomain, or a full origin.
 */
export const metaMediaHosts = ['lookaside.fbsbx.com', '*.fbcdn.net', '*.whatsapp.net'] as const;

export const topology = {
  table,
  queues,
  buckets,
  secrets,
  accountSecrets,
  functions,
  httpRoutes,
  wsRoutes,
  scheduler,
};
export type Topology = typeof topology;
