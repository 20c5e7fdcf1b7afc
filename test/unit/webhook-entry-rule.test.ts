/**
 * The webhook's entry rule (issue 12, finding 1), its constant-time verify-token check and
 * its bounded per-number secret cache.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  candidateNumbers,
  candidateWabas,
  coveringAccounts,
  entriesCoveredBy,
  keyCovers,
  type VerifyingKey,
} from '#shared/webhook/entry-rule.ts';
import { cachedNumberSecrets } from '#shared/webhook/number-secrets-cache.ts';
import { safeEqual } from '#shared/whatsapp/signature.ts';

const entry = (phoneNumberId?: string, id = phoneNumberId ?? 'none') => ({
  id,
  item: phoneNumberId ? { phoneNumberId } : {},
});
const deployment: VerifyingKey = { kind: 'deployment' };
const ofA: VerifyingKey = { kind: 'number', phoneNumberId: 'A' };
const ofB: VerifyingKey = { kind: 'number', phoneNumberId: 'B' };

describe('webhook entry rule', () => {
  test("the deployment's key covers every entry, also those naming no number", () => {
    for (const id of ['A', 'B', undefined]) assert.equal(keyCovers(deployment, id), true);
  });

  test("a number's own key covers only entries naming that number", () => {
    assert.equal(keyCovers(ofB, 'B'), true);
    assert.equal(keyCovers(ofB, 'A'), false);
    assert.equal(keyCovers(ofB, undefined), false);
    assert.equal(keyCovers(ofB, ''), false);
  });

  test("B's key over B's entry and A's: B's accepted, A's dropped", () => {
    const { accepted, dropped } = entriesCoveredBy([ofB], [entry('B'), entry('A'), entry()]);
    assert.deepEqual(
      accepted.map((e) => e.id),
      ['B'],
    );
    assert.deepEqual(
      dropped.map((e) => e.id),
      ['A', 'none'],
    );
  });

  test('two numbers sharing one Meta app: each entry covered by its own number', () => {
    const { accepted, dropped } = entriesCoveredBy([ofA, ofB], [entry('A'), entry('B'), entry('C')]);
    assert.deepEqual(
      accepted.map((e) => e.id),
      ['A', 'B'],
    );
    assert.deepEqual(
      dropped.map((e) => e.id),
      ['C'],
    );
  });

  test('no verifying key: nothing accepted', () => {
    assert.deepEqual(entriesCoveredBy([], [entry('A')]).accepted, []);
  });

  test('keys worth trying: the distinct numbers the entries name, bounded', () => {
    assert.deepEqual(candidateNumbers([entry('A'), entry('A'), entry(), entry('B')]), ['A', 'B']);
    const many = Array.from({ length: 50 }, (_, i) => entry(String(i)));
    assert.equal(candidateNumbers(many).length, 10);
  });
});

describe('verify token comparison', () => {
  test('equal strings match; different content or length, or a missing side, do not', () => {
    assert.equal(safeEqual('verify-123', 'verify-123'), true);
    assert.equal(safeEqual('verify-124', 'verify-123'), false);
    assert.equal(safeEqual('verify-12', 'verify-123'), false);
    assert.equal(safeEqual('', ''), false);
    assert.equal(safeEqual('x', undefined), false);
    assert.equal(safeEqual(undefined, 'x'), false);
  });
});

describe("the webhook's per-number secret cache", () => {
  test('is bounded: a flood of made-up phone-number ids never holds more than its maximum', async () => {
    let lookups = 0;
    const get = cachedNumberSecrets(
      async (id) => {
        lookups++;
        return id === 'real' ? { appSecret: 's' } : undefined;
      },
      { max: 20 },
    );
    for (let i = 0; i < 1000; i++) await get(`made-up-${i}`);
    assert.equal(get.size(), 20);
    assert.deepEqual(await get('real'), { appSecret: 's' });
    assert.deepEqual(await get('real'), { appSecret: 's' });
    assert.equal(lookups, 1001);
  });
});

describe('webhook entry rule: WABA-level events (template status…)', () => {
  const event = (wabaId: string, phoneNumberId?: string) => ({
    id: wabaId,
    item: { kind: 'event', wabaId, ...(phoneNumberId ? { phoneNumberId } : {}) },
  });
  const ofW1: VerifyingKey = {
    kind: 'number',
    phoneNumberId: 'N1',
    waba: { wabaId: 'W1', accountId: 'acc1' },
  };

  test("a number's key found through its WABA covers that WABA's events only, and names its account", () => {
    assert.equal(keyCovers(ofW1, event('W1').item), true);
    assert.equal(keyCovers(ofW1, event('W2').item), false);
    // A message entry naming another number is not covered because of the WABA.
    assert.equal(keyCovers(ofW1, { kind: 'message', wabaId: 'W1', phoneNumberId: 'N2' }), false);
    // A number's plain key (not found through a WABA) covers no WABA-level event.
    assert.equal(keyCovers(ofB, event('W1').item), false);
    assert.deepEqual(coveringAccounts([ofW1], event('W1').item), ['acc1']);
    assert.equal(coveringAccounts([deployment, ofW1], event('W1').item), undefined);
    const { accepted, dropped } = entriesCoveredBy([ofW1], [event('W1'), event('W2')]);
    assert.deepEqual([accepted.map((e) => e.id), dropped.map((e) => e.id)], [['W1'], ['W2']]);
  });

  test('WABA ids worth trying: those of events naming no number, bounded', () => {
    assert.deepEqual(candidateWabas([event('W1'), event('W1'), event('W2', 'N'), entry('A')]), ['W1']);
  });
});
