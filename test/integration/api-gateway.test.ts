/** The API behind the local HTTP gateway (the same event shapes API Gateway builds), over real HTTP. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { httpRoutes } from '#infra/topology.ts';
import { freePort } from '#infra/local/ports.ts';
import { startHttpGateway, type HttpGateway } from '#infra/local/http-gateway.ts';
import { routes } from '#shared/api/routes.ts';
import { createApiKit, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

describe('API through the local HTTP gateway', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let gateway: HttpGateway;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit);
    gateway = await startHttpGateway({
      port: await freePort(),
      routes: httpRoutes,
      handlerFor: (fn) =>
        fn === 'api' ? (event, context) => kit.handler(event, context as never) : undefined,
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  test('login, then /me with the bearer token, as a browser would', async () => {
    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
      body: JSON.stringify({ email: tenant.user.email, password: tenant.password }),
    });
    const tokens = (await login.json()) as { accessToken: string };
    const me = await fetch(`${gateway.url}/api/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    const anonymous = await fetch(`${gateway.url}/api/me`);

    assert.equal(login.status, 200);
    assert.equal(login.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { email: string }).email, tenant.user.email);
    assert.equal(anonymous.status, 401);
  });

  test('/api/openapi.json is public and lists every route', async () => {
    const res = await fetch(`${gateway.url}/api/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };

    assert.equal(res.status, 200);
    for (const r of routes) assert.ok(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`);
  });
});
