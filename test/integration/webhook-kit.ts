/**
 * fn webhook's per-number secret lookup, built for an API kit's table the way
 * functions/webhook/handler.ts builds it.
 */
import { findNumberByPhoneNumberId } from '#shared/store/numbers.ts';
import { cachedNumberSecrets } from '#shared/webhook/number-secrets-cache.ts';
import type { ApiKit } from './api-test-kit.ts';

export function webhookNumberSecrets(kit: ApiKit) {
  return cachedNumberSecrets(async (phoneNumberId) => {
    const n = await findNumberByPhoneNumberId(kit.deps.ddb, kit.deps.tableName, phoneNumberId);
    return n ? { appSecret: n.appSecret, verifyToken: n.verifyToken } : undefined;
  });
}
