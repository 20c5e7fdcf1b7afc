import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createRouter } from '#shared/api/router.ts';
import { openApiDocument, routes } from '#shared/api/routes.ts';

const router = createRouter(routes);

test('paths match their route with decoded parameters', () => {
  const m = router.match('GET', '/api/conversations/01ABC/messages');

  assert.equal(m.kind, 'found');
  assert.equal(m.kind === 'found' && m.route.operationId, 'listMessages');
  assert.deepEqual(m.kind === 'found' && m.params, { id: '01ABC' });
});

test('a known path with another method is 405, an unknown path 404', () => {
  assert.equal(router.match('DELETE', '/api/conversations/01ABC').kind, 'method-not-allowed');
  assert.equal(router.match('GET', '/api/nothing-here').kind, 'not-found');
  assert.equal(router.match('GET', '/api/conversations/a/b/c').kind, 'not-found');
});

test('only login, refresh, the password reset by link and the OpenAPI document are public', () => {
  const publicOnes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`);

  assert.deepEqual(publicOnes.sort(), [
    'GET /api/openapi.json',
    'POST /api/auth/login',
    'POST /api/auth/refresh',
    'POST /api/auth/reset-password',
  ]);
});

test('the OpenAPI document lists every route with its method, and marks private ones as bearer-secured', () => {
  const doc = openApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; security: unknown[] }>>;
  };

  assert.match(doc.openapi, /^3\.1/);
  for (const r of routes) {
    const op = doc.paths[r.path]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.path} missing`);
    assert.equal(op.operationId, r.operationId);
    assert.equal(op.security.length, r.public ? 0 : 1, r.path);
  }
});

test('the OpenAPI document never describes secrets', () => {
  const text = JSON.stringify(openApiDocument());

  assert.ok(!text.includes('passwordHash'));
  assert.ok(!text.includes('tokenHash'));
  assert.ok(!text.includes('"raw"'));
});
