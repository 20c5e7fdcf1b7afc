/**
 * The environment, validated once at cold start. A missing variable fails with its name.
 * Variable names come from the topology (infra/topology.ts → envNames).
 *
 * Each function's schema is derived from its grants (topology `functions[fn].grants`, the
 * variables each grant gives in infra/local/iam.ts `envForGrants`, as CDK's grantFor
 * does): every variable of its grants is required, variables of resources it was not
 * granted are not read. `loadConfig(env)` without a function (tools, tests) requires the
 * table only.
 */
import { z } from 'zod';
import { envNames, functions as functionDefs, metaMediaHosts, type FunctionName } from '#infra/topology.ts';
import { envForGrants, everyFunctionEnvNames, type LocalResources } from '#infra/local/iam.ts';
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

/**
 * A stand-in for the resources' values: any property, at any depth, is a string. Only the
 * names of the variables a grant gives are wanted from envForGrants, not their values.
 */
const anyResources = (): LocalResources => {
  const any: object = new Proxy(() => 'x', {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => 'x' : any),
  });
  return any as LocalResources;
};

/** The variables a function's grants give it (all required at its cold start). */
export function grantedEnvNames(fn: FunctionName): string[] {
  return Object.keys(envForGrants(functionDefs[fn].grants, anyResources())).sort();
}

const knownNames = Object.keys(schema.shape);
const alwaysRead = new Set<string>([
  ...everyFunctionEnvNames,
  'WHATSAPP_GRAPH_URL',
  'WHATSAPP_GRAPH_VERSION',
  'OPENAI_BASE_URL',
]);

/** The schema of one function's environment: its grants' variables required, the others not read. */
export function configSchemaOf(fn: FunctionName) {
  const granted = new Set(grantedEnvNames(fn));
  const required = Object.fromEntries([...granted].map((name) => [name, z.string().min(1)]));
  const notGranted = knownNames.filter((n) => !granted.has(n) && !alwaysRead.has(n));
  return schema
    .omit(Object.fromEntries(notGranted.map((n) => [n, true])) as Record<string, true>)
    .extend(required);
}

/**
 * Reads and validates the environment (of function `fn`, by its grants); throws naming
 * every missing or malformed variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, fn?: FunctionName): Config {
  const parsed = (fn ? configSchemaOf(fn) : schema).safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map(
      (issue) =>
        `${String(issue.path[0])}: ${env[String(issue.path[0])] === undefined ? 'missing' : issue.message}`,
    );
    throw new Error(`Invalid environment variable ${names.join('; ')}${fn ? ` (function ${fn})` : ''}`);
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
