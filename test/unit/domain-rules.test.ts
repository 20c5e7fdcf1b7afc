import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { canonicalPhone, isPlausiblePhone, samePhone } from '#shared/domain/phone.ts';
import { canSendFreeForm, windowExpiresAt, windowState, WINDOW_MS } from '#shared/domain/window.ts';
import { fromMetaStatus, nextStatus } from '#shared/domain/message-status.ts';
import { protocolNumber } from '#shared/domain/protocol.ts';

describe('phone numbers and the Brazilian 9th digit', () => {
  test('a mobile with and without the 9th digit is the same person', () => {
    assert.equal(canonicalPhone('551187654321'), '5511987654321');
    assert.equal(canonicalPhone('5511987654321'), '5511987654321');
    assert.ok(samePhone('+55 (11) 98765-4321', '551187654321'));
  });
  test('only real area codes and mobile prefixes gain the 9th digit', () => {
    assert.equal(canonicalPhone('552087654321'), '552087654321'); // no DDD 20
    assert.equal(canonicalPhone('551054321234'), '551054321234'); // no DDD 10
    assert.equal(canonicalPhone('5511987654321'), '5511987654321'); // already canonical
    assert.equal(canonicalPhone('+55 (21) 8877-6655'), '5521988776655');
  });
  test('landlines and other countries are left as they are', () => {
    assert.equal(canonicalPhone('551133334444'), '551133334444');
    assert.equal(canonicalPhone('972987654321'), '972987654321');
    assert.ok(!samePhone('551133334444', '5511933334444'));
  });
  test('plausible numbers have a country code and 10 to 15 digits', () => {
    assert.ok(isPlausiblePhone('5521988776655'));
    assert.ok(!isPlausiblePhone('988776655'));
  });
});

describe('the 24-hour window', () => {
  const t0 = Date.UTC(2026, 10, 24, 12);
  test('opens for 24 h from the customer’s last message, expiring in its last 30 minutes', () => {
    const exp = windowExpiresAt(t0);
    assert.equal(exp, t0 + WINDOW_MS);
    assert.equal(windowState(exp, t0 + 1000), 'open');
    assert.equal(windowState(exp, exp - 29 * 60_000), 'expiring');
    assert.equal(windowState(exp, exp), 'expired');
    assert.equal(windowState(undefined, t0), 'none');
  });
  test('free-form messages only while it is open', () => {
    const exp = windowExpiresAt(t0);
    assert.ok(canSendFreeForm(exp, exp - 1));
    assert.ok(!canSendFreeForm(exp, exp));
    assert.ok(!canSendFreeForm(undefined, t0));
  });
});

describe('delivery statuses never go backwards', () => {
  test('read before delivered stays read; failed is final', () => {
    assert.equal(nextStatus('read', 'delivered'), 'read');
    assert.equal(nextStatus('sent', 'read'), 'read');
    assert.equal(nextStatus(undefined, 'delivered'), 'delivered');
    assert.equal(nextStatus('failed', 'read'), 'failed');
    assert.equal(nextStatus('delivered', 'failed'), 'failed');
  });
  test('played counts as read; unknown words are ignored', () => {
    assert.equal(fromMetaStatus('played'), 'read');
    assert.equal(fromMetaStatus('warning'), undefined);
  });
});

test('protocol numbers carry the opening date in São Paulo and a sequence', () => {
  // 02:00 UTC on the 25th is still the 24th in São Paulo (UTC−3).
  assert.equal(protocolNumber(Date.UTC(2026, 10, 25, 2), 42), '20261124-000042');
});
