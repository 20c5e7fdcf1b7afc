/**
 * The environment, validated once at cold start. A missing variable fails with its name.
 * Variable names come from the topology (infra/topology.ts → envNames).
 */
import { z } from 'zod';
import { envNames, metaMediaHosts } from '#infra/topology.ts';
import { parseOrigins } from '#shared/domain/outbound-address.ts';

const schema = z.object({
  [envNames.table]: z.string().min(1),
  [envNames.queueUrl('inbound')]: z.string().min(1).optional(),
  [envNames.queueUrl('outbound')]: z.string().min(1).optional(),
  [envNames.queueUrl('assistant')]: z.string().min(1).optional(),
  [envNames.dlqUrl('inbound')]: z.string().min(1).optional(),
  [envNames.dlqUrl('outbound')]: z.string().min(1).optional(),
  [envNames.dlqUrl('assistant')]: z.string().min(1).optional(),
  [envNames.mediaBucket]: z.string().min(1).optional(),
  [envNames.secretId('whatsapp')]: z.string().min(1).optional(),
  [envNames.secretId('whatsapp-webhook')]: z.string().min(1).optional(),
  [envNames.secretId('openai')]: z.string().min(1).optional(),
  [envNames.secretId('auth')]: z.string().min(1).optional(),
  [envNames.secretId('push')]: z.string().min(1).optional(),
  [envNames.schedulerGroup]: z.string().min(1).optional(),
  [envNames.schedulerTargetArn]: z.string().min(1).optional(),
  [envNames.schedulerRoleArn]: z.string().min(1).optional(),
  [envNames.wsEndpoint]: z.string().min(1).optional(),
  [envNames.accountSecretsPrefix]: z.string().min(1).optional(),
  /** Base URL of the Graph API (Meta's, or the local simulator's). */
  WHATSAPP_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  WHATSAPP_GRAPH_VERSION: z.string().default('v23.0'),
  OPENAI_BASE_URL: z.string().url().optional(),
  [envNames.outboundAllowedOrigins]: z
    .string()
    .optional()
    .refine((v) => {
      try {
        parseOrigins(v);
        return true;
      } catch {
        return false;
      }
    }, 'a comma-separated list of http(s) origins'),
  [envNames.whatsappMediaHosts]: z.string().optional(),
});

export type Config = {
  tableName: string;
  queueUrls: { inbound?: string; outbound?: string; assistant?: string };
  /** The queues' dead-letter queues (grants queue:dead-letter:<q>, queue:redrive:<q>). */
  dlqUrls: { inbound?: string; outbound?: string; assistant?: string };
  mediaBucket?: string;
  /**
   * whatsapp: the deployment's Graph API token (functions that call Graph);
   * whatsappWebhook: the app secret and verify token (fn webhook only).
   */
  secretIds: { whatsapp?: string; whatsappWebhook?: string; openai?: string; auth?: string; push?: string };
  scheduler: { group?: string; targetArn?: string; roleArn?: string };
  wsEndpoint?: string;
  /** Prefix of the accounts' own secrets (shared/secrets/account-secrets.ts). */
  accountSecretsPrefix?: string;
  graphUrl: string;
  graphVersion: string;
  openaiBaseUrl?: string;
  /** Origins the operator allows server-side fetches to reach (never set by a tenant). */
  outboundAllowedOrigins: string[];
  /** Hosts WhatsApp media may be downloaded from (with the token). */
  whatsappMediaHosts: string[];
};

/** Reads and validates the environment; throws naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data as Record<string, string | undefined>;
  return {
    tableName: e[envNames.table]!,
    queueUrls: {
      inbound: e[envNames.queueUrl('inbound')],
      outbound: e[envNames.queueUrl('outbound')],
      assistant: e[envNames.queueUrl('assistant')],
    },
    dlqUrls: {
      inbound: e[envNames.dlqUrl('inbound')],
      outbound: e[envNames.dlqUrl('outbound')],
      assistant: e[envNames.dlqUrl('assistant')],
    },
    mediaBucket: e[envNames.mediaBucket],
    secretIds: {
      whatsapp: e[envNames.secretId('whatsapp')],
      whatsappWebhook: e[envNames.secretId('whatsapp-webhook')],
      openai: e[envNames.secretId('openai')],
      auth: e[envNames.secretId('auth')],
      push: e[envNames.secretId('push')],
    },
    scheduler: {
      group: e[envNames.schedulerGroup],
      targetArn: e[envNames.schedulerTargetArn],
      roleArn: e[envNames.schedulerRoleArn],
    },
    wsEndpoint: e[envNames.wsEndpoint],
    accountSecretsPrefix: e[envNames.accountSecretsPrefix],
    graphUrl: e.WHATSAPP_GRAPH_URL!,
    graphVersion: e.WHATSAPP_GRAPH_VERSION!,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    outboundAllowedOrigins: parseOrigins(e[envNames.outboundAllowedOrigins]),
    whatsappMediaHosts: (e[envNames.whatsappMediaHosts] ?? metaMediaHosts.join(','))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  };
}
