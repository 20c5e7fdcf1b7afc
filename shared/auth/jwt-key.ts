/**
 * The JWT signing key, from the `auth` secret's `jwtSecret` (Secrets Manager; locally its
 * stand-in). readSecret caches the document for 5 minutes, so a rotated key is picked up
 * without a redeploy.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { jwtKeyFromSecret, type JwtKey } from './tokens.ts';

const authSecretSchema = z.object({ jwtSecret: z.string().min(32) });

/** Reads the auth secret and returns the HMAC key; the error never contains the secret. */
export async function loadJwtKey(client: SecretsManagerClient, secretId: string): Promise<JwtKey> {
  const parsed = authSecretSchema.safeParse(await readSecret(client, secretId));
  if (!parsed.success) throw new Error(`secret ${secretId}: jwtSecret missing or shorter than 32 characters`);
  return jwtKeyFromSecret(parsed.data.jwtSecret);
}
