import { test } from 'vitest';
import assert from 'node:assert/strict';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '#shared/auth/password.ts';

test('a hashed password verifies, and the hash does not contain the password', async () => {
  const hash = await hashPassword('correct horse battery staple');

  // OWASP's scrypt cost: N=2^17, r=8, p=1.
  assert.match(hash, /^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.ok(!hash.includes('correct horse'));
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
});

test('a wrong password does not verify', async () => {
  const hash = await hashPassword('atende-demo');

  assert.equal(await verifyPassword('atende-dem0', hash), false);
  assert.equal(await verifyPassword('', hash), false);
});

test('the same password hashes differently each time (random salt)', async () => {
  const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);

  assert.notEqual(a, b);
  assert.equal(await verifyPassword('same', a), true);
  assert.equal(await verifyPassword('same', b), true);
});

test('malformed stored hashes never verify', async () => {
  for (const stored of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$16384$8$1$abc$def', 'scrypt$x$8$1$abc$def']) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});

test('absurdly long passwords are refused without hashing', async () => {
  const hash = await hashPassword('short');

  await assert.rejects(hashPassword('x'.repeat(10_000)), RangeError);
  assert.equal(await verifyPassword('x'.repeat(10_000), hash), false);
});

test('the dummy hash (unknown e-mail at login) is a real hash that matches nothing guessable', async () => {
  const dummy = await dummyPasswordHash();

  assert.match(dummy, /^scrypt\$/);
  assert.equal(await verifyPassword('', dummy), false);
  assert.equal(await verifyPassword('atende-demo', dummy), false);
});

test('a hash of a lower cost still verifies and asks to be redone; a current one does not', async () => {
  const old = await hashPassword('antiga', { N: 2 ** 14, r: 8, p: 1 });
  const current = await hashPassword('atual');

  assert.equal(await verifyPassword('antiga', old), true);
  assert.equal(needsRehash(old), true);
  assert.equal(needsRehash(current), false);
  assert.equal(needsRehash('garbage'), false);
});

test('a stored cost beyond the memory limit is refused, not attempted', async () => {
  assert.equal(await verifyPassword('x', 'scrypt$4194304$8$1$c2FsdA$aGFzaA'), false);
});
