import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { routes } from '#shared/api/routes.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

describe('auth', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'supervisor' });
  });

  test('login with the right password returns tokens and the user, never the hash', async () => {
    const res = await kit.call('POST', '/api/auth/login', {
      body: { email: `  ${tenant.user.email.toUpperCase()} `, password: tenant.password },
    });

    assert.equal(res.status, 200);
    assert.equal(res.body.expiresIn, 900);
    assert.equal(typeof res.body.accessToken, 'string');
    assert.equal(typeof res.body.refreshToken, 'string');
    assert.deepEqual(res.body.user, {
      id: tenant.user.id,
      name: 'Maria Atendente',
      email: tenant.user.email,
      role: 'supervisor',
      accountId: tenant.accountId,
    });
    assert.ok(!JSON.stringify(res.body).includes('scrypt'));
  });

  test('a wrong password and an unknown e-mail get the same 401', async () => {
    const wrong = await kit.call('POST', '/api/auth/login', {
      body: { email: tenant.user.email, password: 'not-it' },
    });
    const unknown = await kit.call('POST', '/api/auth/login', {
      body: { email: 'nobody@example.com', password: tenant.password },
    });

    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, {
      error: { code: 'INVALID_CREDENTIALS', message: 'E-mail ou senha incorretos.' },
    });
    assert.deepEqual(unknown.body, wrong.body);
  });

  test('a login without a password is a 400 naming the field', async () => {
    const res = await kit.call('POST', '/api/auth/login', { body: { email: tenant.user.email } });

    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(
      res.body.error.issues.map((i: { path: string }) => i.path),
      ['body.password'],
    );
  });

  test('/me answers the caller with their account, without secrets', async () => {
    const { accessToken } = await loginAs(kit, tenant);

    const res = await kit.call('GET', '/api/me', { token: accessToken });

    assert.equal(res.status, 200);
    assert.equal(res.body.id, tenant.user.id);
    assert.equal(res.body.role, 'supervisor');
    assert.deepEqual(res.body.account, {
      id: tenant.accountId,
      name: 'Loja Teste',
      timezone: 'America/Sao_Paulo',
    });
    assert.equal(res.body.passwordHash, undefined);
  });

  test('a refresh token works once: it returns new tokens and the old one is then rejected', async () => {
    const first = await loginAs(kit, tenant);

    const rotated = await kit.call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    const replay = await kit.call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    const next = await kit.call('POST', '/api/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });

    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.refreshToken, first.refreshToken);
    assert.equal((await kit.call('GET', '/api/me', { token: rotated.body.accessToken })).status, 200);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'INVALID_REFRESH_TOKEN');
    assert.equal(next.status, 200);
  });

  test('a forged or garbage refresh token is rejected', async () => {
    const { refreshToken } = await loginAs(kit, tenant);
    const [accountId, sessionId] = refreshToken.split('.');
    const forged = `${accountId}.${sessionId}.${'A'.repeat(43)}`;

    for (const token of [forged, 'garbage', `${accountId}.nope.${'A'.repeat(43)}`]) {
      const res = await kit.call('POST', '/api/auth/refresh', { body: { refreshToken: token } });
      assert.equal(res.status, 401, token);
    }
  });

  test('after logout the refresh token no longer works', async () => {
    const { accessToken, refreshToken } = await loginAs(kit, tenant);

    const out = await kit.call('POST', '/api/auth/logout', { token: accessToken, body: { refreshToken } });
    const res = await kit.call('POST', '/api/auth/refresh', { body: { refreshToken } });

    assert.equal(out.status, 204);
    assert.equal(res.status, 401);
  });

  test('an access token stops working after 15 minutes, and refresh gives a fresh one', async () => {
    const { accessToken, refreshToken } = await loginAs(kit, tenant);
    const start = kit.clock.now;
    try {
      kit.clock.now = start + 16 * 60 * 1000;
      const expired = await kit.call('GET', '/api/me', { token: accessToken });
      const renewed = await kit.call('POST', '/api/auth/refresh', { body: { refreshToken } });
      const again = await kit.call('GET', '/api/me', { token: renewed.body.accessToken });

      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'UNAUTHORIZED');
      assert.equal(again.status, 200);
    } finally {
      kit.clock.now = start;
    }
  });

  test('every private route answers 401 without a token, and with a bad one', async () => {
    for (const r of routes.filter((x) => !x.public)) {
      const path = r.path.replace('{id}', 'X1');
      const none = await kit.call(r.method, path, { body: r.method === 'GET' ? undefined : {} });
      const bad = await kit.call(r.method, path, {
        token: 'a.b.c',
        body: r.method === 'GET' ? undefined : {},
      });

      assert.equal(none.status, 401, `${r.method} ${r.path}`);
      assert.equal(bad.status, 401, `${r.method} ${r.path}`);
      assert.match(none.body.error.message, /\p{L}/u);
    }
  });

  test('public routes answer without a token; unknown paths are 404', async () => {
    const doc = await kit.call('GET', '/api/openapi.json');
    const { accessToken } = await loginAs(kit, tenant);
    const unknown = await kit.call('GET', '/api/nothing', { token: accessToken });

    assert.equal(doc.status, 200);
    assert.equal(doc.body.info.title, 'Atende API');
    assert.equal(unknown.status, 404);
  });
});
