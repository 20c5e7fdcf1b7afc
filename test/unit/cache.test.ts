import { describe, expect, test } from 'vitest';
import { createCache } from '#shared/cache.ts';
import { cachedNumberSecrets } from '#shared/webhook/number-secrets-cache.ts';
import { clearSecretCache, readSecret } from '#shared/secrets/read-secret.ts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

describe('createCache: bounded, expiring by the injected clock', () => {
  test('an entry is fresh for ttlMs, then gone; a clock set back makes it stale', () => {
    let t = 1_000;
    const cache = createCache<string, number>({ ttlMs: 100, max: 10, now: () => t });
    cache.set('a', 1);
    t += 99;
    expect(cache.get('a')).toBe(1);
    t += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', 2);
    expect(cache.get('b', t - 1)).toBeUndefined();
  });

  test('past max, the least recently used goes first', () => {
    const cache = createCache<string, number>({ ttlMs: Infinity, max: 2, now: () => 0 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  test("the webhook's number secrets: a minute per number, misses too, by the clock it is given", async () => {
    let t = 0;
    const lookups: string[] = [];
    const secrets = cachedNumberSecrets(
      async (id) => {
        lookups.push(id);
        return id === 'known' ? { appSecret: 's' } : undefined;
      },
      { now: () => t },
    );
    await secrets('known');
    await secrets('made-up');
    t += 59_999;
    await secrets('known');
    await secrets('made-up');
    expect(lookups).toEqual(['known', 'made-up']);
    t += 1;
    await secrets('known');
    expect(lookups).toEqual(['known', 'made-up', 'known']);
  });

  test('a deployment secret is read again after five minutes by the clock it is given', async () => {
    clearSecretCache();
    let reads = 0;
    const client = {
      send: async () => ({ SecretString: JSON.stringify({ accessToken: `t${++reads}` }) }),
    } as unknown as SecretsManagerClient;
    let t = 0;
    const now = () => t;
    expect(await readSecret(client, 'whatsapp', now)).toEqual({ accessToken: 't1' });
    t += 299_999;
    expect(await readSecret(client, 'whatsapp', now)).toEqual({ accessToken: 't1' });
    t += 1;
    expect(await readSecret(client, 'whatsapp', now)).toEqual({ accessToken: 't2' });
  });
});
