/**
 * A Secrets Manager stand-in (infra/local/secrets.ts) for integration tests, one per test
 * process, and the accounts' secrets on it under a random prefix. Without identities it
 * lets every caller do everything; the grant tests start their own with identities.
 */
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort } from '#infra/local/ports.ts';
import { startLocalSecrets, type SecretValues } from '#infra/local/secrets.ts';
import { accountSecrets, type AccountSecrets } from '#shared/secrets/account-secrets.ts';

let started: Promise<{ url: string; client: SecretsManagerClient }> | undefined;

export function testSecretsManager(): Promise<{ url: string; client: SecretsManagerClient }> {
  started ??= (async () => {
    const server = await startLocalSecrets({ port: await freePort(), values: {} as SecretValues });
    // The stand-in lives as long as the test process; it must not keep it alive.
    server.unref();
    return { url: server.url, client: new SecretsManagerClient({ endpoint: server.url }) };
  })();
  return started;
}

/** The accounts' secrets on the test stand-in, under a prefix of their own. */
export async function testAccountSecrets(): Promise<{ secrets: AccountSecrets; prefix: string }> {
  const { client } = await testSecretsManager();
  const prefix = `test${randomBytes(4).toString('hex')}`;
  return { secrets: accountSecrets(client, prefix), prefix };
}
