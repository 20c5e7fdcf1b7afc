/**
 * A tenant's own secrets, in Secrets Manager (never in the table): two JSON secrets per
 * account, split by who may read them (grants in infra/topology.ts `accountSecrets`):
 *
 *   <prefix>/acc/<accountId>/webhook      app secrets and verify tokens of the account's
 *                                         numbers with their own Meta app — fn webhook
 *   <prefix>/acc/<accountId>/credentials  the numbers' Graph API access tokens and the
 *                                         account's LLM API key — the functions that send
 *                                         or call the model
 *
 * Entries are keyed by the number's id (not Meta's phone-number id). Reads are cached for
 * 30 s per process; a write goes through GetSecretValue (uncached) → change →
 * PutSecretValue, or CreateSecret the first time. The table keeps only flags
 * (`hasAccessToken`, …) so the API can say what is set without reading a secret.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createCache } from '#shared/cache.ts';

export type AccountSecretKind = 'webhook' | 'credentials';

export interface WebhookSecretDoc {
  numbers: Record<string, { appSecret?: string; verifyToken?: string }>;
}
export interface CredentialsDoc {
  numbers: Record<string, { accessToken?: string }>;
  llmApiKey?: string;
}
type DocOf<K extends AccountSecretKind> = K extends 'webhook' ? WebhookSecretDoc : CredentialsDoc;

export const accountSecretName = (prefix: string, accountId: string, kind: AccountSecretKind) =>
  `${prefix}/acc/${accountId}/${kind}`;

const TTL_MS = 30_000;

export interface AccountSecrets {
  read<K extends AccountSecretKind>(accountId: string, kind: K): Promise<DocOf<K>>;
  /** Read (uncached), change, write back; creates the secret the first time. */
  update<K extends AccountSecretKind>(
    accountId: string,
    kind: K,
    change: (doc: DocOf<K>) => void,
  ): Promise<void>;
}

export function accountSecrets(
  client: SecretsManagerClient,
  prefix: string,
  now: () => number = Date.now,
): AccountSecrets {
  const cache = createCache<string, unknown>({ ttlMs: TTL_MS, max: 10_000 });

  const fetchDoc = async (name: string): Promise<{ doc: Record<string, unknown>; exists: boolean }> => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
      try {
        return { doc: JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>, exists: true };
      } catch {
        // Never echo the secret itself.
        throw new Error(`Secret ${name} is not a JSON document`);
      }
    } catch (err) {
      if (err instanceof ResourceNotFoundException || (err as Error).name === 'ResourceNotFoundException')
        return { doc: {}, exists: false };
      throw err;
    }
  };
  const normal = (doc: Record<string, unknown>) => ({
    ...doc,
    numbers: (doc.numbers as Record<string, unknown> | undefined) ?? {},
  });

  return {
    async read(accountId, kind) {
      const name = accountSecretName(prefix, accountId, kind);
      const hit = cache.get(name, now());
      if (hit !== undefined) return hit as never;
      const doc = normal((await fetchDoc(name)).doc);
      cache.set(name, doc, now());
      return doc as never;
    },
    async update(accountId, kind, change) {
      const name = accountSecretName(prefix, accountId, kind);
      // Two tries: a CreateSecret that loses a race with another first write re-reads.
      for (let attempt = 0; ; attempt++) {
        const { doc: raw, exists } = await fetchDoc(name);
        const doc = normal(raw);
        change(doc as never);
        const SecretString = JSON.stringify(doc);
        try {
          if (exists) await client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
          else
            await client.send(
              new CreateSecretCommand({
                Name: name,
                SecretString,
                Description: `Atende: ${kind} secrets of one account`,
              }),
            );
        } catch (err) {
          if ((err as Error).name === 'ResourceExistsException' && attempt === 0) continue;
          throw err;
        }
        cache.set(name, doc, now());
        return;
      }
    },
  };
}

/** A number's Graph API token from the account's credentials secret, or undefined. */
export async function numberAccessToken(
  secrets: AccountSecrets,
  number: { accountId: string; id: string; hasAccessToken?: boolean },
): Promise<string | undefined> {
  if (!number.hasAccessToken) return undefined;
  return (await secrets.read(number.accountId, 'credentials')).numbers[number.id]?.accessToken || undefined;
}

/**
 * The account's LLM API key from its credentials secret, when its AI settings say one is
 * set (`hasApiKey`); undefined otherwise. A key that is set but cannot be read is an error,
 * never a silent call without it.
 */
export async function accountLlmKey(
  secrets: AccountSecrets | undefined,
  settings: { accountId: string; hasApiKey?: boolean },
): Promise<string | undefined> {
  if (!settings.hasApiKey) return undefined;
  if (!secrets) throw new Error("the account's LLM key is set but its secrets are not configured");
  return (await secrets.read(settings.accountId, 'credentials')).llmApiKey || undefined;
}

/** Stores the account's LLM API key in its credentials secret; an empty key removes it. */
export async function saveLlmKey(secrets: AccountSecrets, accountId: string, key: string): Promise<void> {
  await secrets.update(accountId, 'credentials', (doc) => {
    if (key) doc.llmApiKey = key;
    else delete doc.llmApiKey;
  });
}
