import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  bearerToken,
  hashRefreshToken,
  jwtKeyFromSecret,
  newRefreshToken,
  parseRefreshToken,
  signAccessToken,
  verifyAccessToken,
} from '#shared/auth/tokens.ts';
import { UnauthorizedError } from '#shared/errors.ts';

const key = jwtKeyFromSecret('k'.repeat(40));
const otherKey = jwtKeyFromSecret('o'.repeat(40));
const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const claims = { userId: 'U1', accountId: 'A1', role: 'agent' as const, tokenVersion: 3 };

test('an access token verifies with its claims while fresh', async () => {
  const token = await signAccessToken(claims, key, t0);

  assert.deepEqual(await verifyAccessToken(token, key, t0), claims);
  assert.deepEqual(await verifyAccessToken(token, key, t0 + 14 * 60 * 1000), claims);
});

test('an access token expires after 15 minutes', async () => {
  const token = await signAccessToken(claims, key, t0);

  assert.equal(ACCESS_TOKEN_TTL_SECONDS, 900);
  await assert.rejects(verifyAccessToken(token, key, t0 + 15 * 60 * 1000 + 1000), UnauthorizedError);
});

test('a token signed with another key, tampered with, or unsigned is rejected', async () => {
  const token = await signAccessToken(claims, key, t0);
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, acc: 'B2' })).toString('base64url')}.${s}`;
  const unsigned = new UnsecuredJWT({ acc: 'A1', role: 'admin' })
    .setSubject('U1')
    .setIssuer('atende')
    .setAudience('atende-agents')
    .setIssuedAt(t0 / 1000)
    .setExpirationTime(t0 / 1000 + 900)
    .encode();

  await assert.rejects(verifyAccessToken(token, otherKey, t0), UnauthorizedError);
  await assert.rejects(verifyAccessToken(forged, key, t0), UnauthorizedError);
  await assert.rejects(verifyAccessToken(unsigned, key, t0), UnauthorizedError);
  await assert.rejects(verifyAccessToken('not-a-jwt', key, t0), UnauthorizedError);
});

test('a correctly signed token without our claims is rejected', async () => {
  const foreign = await new SignJWT({ role: 'root' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('U1')
    .setIssuer('atende')
    .setAudience('atende-agents')
    .setIssuedAt(t0 / 1000)
    .setExpirationTime(t0 / 1000 + 900)
    .sign(key);

  await assert.rejects(verifyAccessToken(foreign, key, t0), UnauthorizedError);
});

test('a JWT key shorter than 32 bytes is refused', () => {
  assert.throws(() => jwtKeyFromSecret('short'), /32 bytes/);
});

test('bearer tokens are read from the Authorization header', () => {
  assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
  assert.equal(bearerToken('bearer   abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('refresh tokens name their session, are random, and only their hash is kept', () => {
  const a = newRefreshToken({ accountId: 'A1', sessionId: 'S1' });
  const b = newRefreshToken({ accountId: 'A1', sessionId: 'S1' });

  assert.notEqual(a, b);
  assert.deepEqual(parseRefreshToken(a), { accountId: 'A1', sessionId: 'S1' });
  assert.notEqual(hashRefreshToken(a), hashRefreshToken(b));
  assert.ok(!hashRefreshToken(a).includes(a.split('.')[2]!));
  assert.equal(parseRefreshToken('A1.S1.short'), undefined);
  assert.equal(parseRefreshToken('A#1.S1.' + 'x'.repeat(43)), undefined);
  assert.equal(parseRefreshToken('garbage'), undefined);
});
