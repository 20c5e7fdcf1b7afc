/**
 * Reads a JSON secret from Secrets Manager (locally: the stand-in), cached for five
 * minutes so a warm function does not call Secrets Manager on every event, and a rotated
 * secret is still picked up.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createCache } from '#shared/cache.ts';

const TTL_MS = 5 * 60_000;
const cache = createCache<string, Record<string, unknown>>({ ttlMs: TTL_MS, max: 100 });

export async function readSecret(
  client: SecretsManagerClient,
  secretId: string,
  now: () => number = Date.now,
): Promise<Record<string, unknown>> {
  const hit = cache.get(secretId, now());
  if (hit) return hit;
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>;
  } catch {
    // Never echo the secret itself in the error.
    throw new Error(`Secret ${secretId} is not a JSON document`);
  }
  cache.set(secretId, value, now());
  return value;
}

/** Forgets cached secrets (tests). */
export function clearSecretCache(): void {
  cache.clear();
}
