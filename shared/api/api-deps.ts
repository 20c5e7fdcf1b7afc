/**
 * What the API's services need, passed in (never module-scope clients), so tests run the
 * real handler against their own table, queue and bucket with a controllable clock.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { JwtKey } from '#shared/auth/tokens.ts';
import type { SchedulerTarget } from '#shared/engine/engine-deps.ts';
import type { VapidKeys } from '#shared/push/web-push.ts';
import type { LlmDefault } from '#shared/assistant/llm-config.ts';
import type { OutboundPolicy } from '#shared/net/outbound-url.ts';
import type { GraphClient } from '#shared/whatsapp/graph-client.ts';
import type { AccountSecrets } from '#shared/secrets/account-secrets.ts';
import type { QueueName } from '#infra/topology.ts';

export interface ApiDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  s3: S3Client;
  /** Media bucket (uploads, presigned media URLs); without it uploads answer 503-like errors. */
  mediaBucket?: string;
  sqs: SQSClient;
  outboundQueueUrl?: string;
  /** fn assistant's queue: test-panel turns and knowledge ingestion. */
  assistantQueueUrl?: string;
  /**
   * Each queue's dead-letter queue and the queue a redrive sends back to (grants
   * `queue:redrive:<q>`): the dead-letters page (shared/api/dead-letters-service.ts).
   */
  deadLetters?: Partial<Record<QueueName, { dlqUrl: string; queueUrl?: string }>>;
  /** WebSocket management API: other agents see assignments and internal notes at once. */
  ws?: ApiGatewayManagementApiClient;
  /** EventBridge Scheduler: postponed chats come back (INB-9); close deletes pending timers. */
  scheduler?: SchedulerTarget;
  /** The deployment's LLM (the `openai` secret), for accounts without their own. */
  defaultLlm?: LlmDefault;
  /**
   * The operator's exceptions to the outbound-URL guard (OUTBOUND_ALLOWED_ORIGINS): URLs
   * saved by tenants are checked against it; without it, https to public hosts only.
   */
  outbound?: OutboundPolicy;
  /** VAPID keys (web push to the installed PWA); without them push is off. */
  vapid?: () => Promise<VapidKeys | undefined>;
  /**
   * Meta's Graph API, to check a phone-number id with the token that will use it before a
   * number is saved (`GET /{phone-number-id}`), and the deployment's token for numbers
   * saved without their own. Without it numbers are saved unchecked (tests that do not
   * exercise it); fn api always has it.
   */
  whatsapp?: {
    graph: Pick<GraphClient, 'getPhoneNumber'> &
      Partial<Pick<GraphClient, 'listTemplates' | 'createTemplate'>>;
    defaultToken: () => Promise<string | undefined>;
  };
  /** The accounts' own secrets in Secrets Manager (numbers' tokens and app secrets, LLM key). */
  accountSecrets?: AccountSecrets;
  getJwtKey: () => Promise<JwtKey>;
  /** Epoch ms. */
  now: () => number;
  /** New ULID. */
  newId: () => string;
}
