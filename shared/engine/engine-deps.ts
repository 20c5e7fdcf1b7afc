/**
 * What the engine and the sender need, passed in (clients, clock, ids, log) so tests run
 * them against their own table, bucket and Graph API server. `engineDepsFromConfig`
 * builds the production set once per cold start.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { monotonicFactory } from 'ulid';
import type { QueueDelivery } from '#shared/domain/inbound-id.ts';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { vapidFromSecret, type VapidKeys } from '#shared/push/web-push.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { dynamo, s3, scheduler, secretsManager, sqs, wsManagement } from '#shared/aws/clients.ts';
import type { Config } from '#shared/config.ts';
import { log } from '#shared/log.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { accountSecrets, numberAccessToken, type AccountSecrets } from '#shared/secrets/account-secrets.ts';
import { createGraphClient, type GraphClient } from '#shared/whatsapp/graph-client.ts';
import { outboundPolicy, type OutboundPolicy } from '#shared/net/outbound-url.ts';

export type EngineStep =
  | 'claim'
  | 'open'
  | 'message'
  | 'conversation'
  | 'routed'
  | 'media'
  /** The sender recorded `sendingAt`; the Graph call comes next. */
  | 'sending'
  /** Meta accepted the message; nothing of it is recorded yet. */
  | 'accepted'
  | 'sent'
  | 'bound';

export interface EngineDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  s3: S3Client;
  mediaBucket?: string;
  graph: GraphClient;
  /** The deployment's Graph API token (the `whatsapp` secret), for numbers without their own. */
  defaultToken: () => Promise<string | undefined>;
  /** The operator's exceptions to the outbound-URL guard (push endpoints, the assistant's fetches). */
  outbound?: OutboundPolicy;
  /** The accounts' own secrets (a number's own token); without it every number uses the default. */
  accountSecrets?: AccountSecrets;
  /** Queues the engine feeds (automatic replies → outbound, routed chats → assistant). */
  sqs?: SQSClient;
  queueUrls?: { outbound?: string; assistant?: string };
  /** EventBridge Scheduler (the conversation clock); without it no timer is armed. */
  scheduler?: SchedulerTarget;
  /** VAPID keys for web push to the agents' phones (INB-8); without them no push. */
  vapid?: () => Promise<VapidKeys | undefined>;
  /** WebSocket management API; without it nothing is pushed. */
  ws?: ApiGatewayManagementApiClient;
  newId: () => string;
  now: () => number;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
  /** How many times the queue delivered the record being processed (1 on the first). */
  receiveCount?: number;
  /**
   * A failure of this receive dead-letters the record (shared/domain/retry-policy.ts):
   * record a visible failure (a message failed, a media download failed) instead of throwing.
   */
  lastAttempt?: boolean;
  /**
   * The FIFO record's first receive time and sequence number: the same on every
   * redelivery, they give a customer's message its id (shared/domain/inbound-id.ts).
   */
  delivery?: QueueDelivery;
  /**
   * Called after each durable step; a test throws from it to simulate a crash between two
   * writes. Never set in production.
   */
  afterStep?: (step: EngineStep) => void | Promise<void>;
}

export interface SchedulerTarget {
  client: SchedulerClient;
  group: string;
  targetArn: string;
  roleArn: string;
}

/** The Scheduler group, target and role from the environment; undefined when not configured. */
export function schedulerTargetFromConfig(config: Config): SchedulerTarget | undefined {
  const { group, targetArn, roleArn } = config.scheduler;
  return group && targetArn && roleArn ? { client: scheduler(), group, targetArn, roleArn } : undefined;
}

export function engineDepsFromConfig(config: Config): EngineDeps {
  const newId = monotonicFactory();
  return {
    ddb: dynamo(),
    tableName: config.tableName,
    s3: s3(),
    mediaBucket: config.mediaBucket,
    graph: createGraphClient({
      baseUrl: config.graphUrl,
      version: config.graphVersion,
      mediaHosts: config.whatsappMediaHosts,
    }),
    outbound: outboundPolicy(config.outboundAllowedOrigins),
    defaultToken: async () => {
      if (!config.secretIds.whatsapp) return undefined;
      const s = await readSecret(secretsManager(), config.secretIds.whatsapp);
      return typeof s.accessToken === 'string' && s.accessToken ? s.accessToken : undefined;
    },
    accountSecrets: config.accountSecretsPrefix
      ? accountSecrets(secretsManager(), config.accountSecretsPrefix)
      : undefined,
    ws: config.wsEndpoint ? wsManagement(config.wsEndpoint) : undefined,
    vapid: vapidFromSecret(secretsManager(), config.secretIds.push),
    sqs: sqs(),
    queueUrls: { outbound: config.queueUrls.outbound, assistant: config.queueUrls.assistant },
    scheduler: schedulerTargetFromConfig(config),
    newId: () => newId(),
    now: Date.now,
    // The function's name is on every line already (handler.ts: setLogContext).
    log,
  };
}

/** The Graph API token of a number: its own (the account's `credentials` secret), else the deployment's. */
export async function tokenFor(
  number: { accountId: string; id: string; hasAccessToken?: boolean },
  deps: EngineDeps,
): Promise<string> {
  const own = deps.accountSecrets ? await numberAccessToken(deps.accountSecrets, number) : undefined;
  return own ?? (await deps.defaultToken()) ?? '';
}

/** What queueAgentMessage needs, from the engine's set (automatic replies, the assistant). */
export function agentMessageDeps(deps: EngineDeps) {
  if (!deps.sqs) throw new Error('the engine has no SQS client for outbound messages');
  return {
    ddb: deps.ddb,
    tableName: deps.tableName,
    sqs: deps.sqs,
    outboundQueueUrl: deps.queueUrls?.outbound,
    s3: deps.s3,
    mediaBucket: deps.mediaBucket,
    ws: deps.ws,
    now: deps.now,
    newId: deps.newId,
    ...(deps.outbound ? { outbound: deps.outbound } : {}),
  };
}
