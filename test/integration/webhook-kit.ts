/**
 * fn webhook's per-number secret lookup, built for an API kit's table and account secrets
 * the way functions/webhook/handler.ts builds it.
 */
import { cachedNumberSecrets, numberSecretsFrom } from '#shared/webhook/number-secrets-cache.ts';
import type { ApiKit } from './api-test-kit.ts';

export function webhookNumberSecrets(kit: ApiKit) {
  return cachedNumberSecrets(
    numberSecretsFrom({ ddb: kit.deps.ddb, tableName: kit.deps.tableName, secrets: kit.deps.accountSecrets }),
  );
}
