import { test } from 'vitest';
import assert from 'node:assert/strict';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  AppError,
  ForbiddenError,
  InternalError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
  WindowClosedError,
  toErrorResponse,
} from '#shared/errors.ts';
import { httpErrorHandler } from '#shared/http/error-handler.ts';
import { cors } from '#shared/http/cors.ts';
import { jsonBody } from '#shared/http/json-body.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';

test('client errors keep their status, stable code and pt-BR message', () => {
  assert.deepEqual(toErrorResponse(new WindowClosedError()), {
    statusCode: 409,
    body: {
      error: {
        code: 'WINDOW_CLOSED',
        message: 'A janela de 24 horas está fechada: só é possível enviar modelos (templates).',
      },
    },
  });
  assert.equal(toErrorResponse(new InvalidCredentialsError()).statusCode, 401);
  assert.equal(
    toErrorResponse(new InvalidCredentialsError()).body.error.message,
    'E-mail ou senha incorretos.',
  );
  assert.equal(toErrorResponse(new ForbiddenError()).statusCode, 403);
  assert.equal(toErrorResponse(new NotFoundError()).body.error.code, 'NOT_FOUND');
});

test('validation errors list the fields at fault', () => {
  const res = toErrorResponse(
    new ValidationError('Dados inválidos.', [{ path: 'body.email', message: 'Required' }]),
  );

  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.body.error.issues, [{ path: 'body.email', message: 'Required' }]);
});

test('server errors and unknown throws are hidden behind INTERNAL_ERROR', () => {
  const secretish = new Error('connect ECONNREFUSED 10.0.0.7 password=hunter2');
  for (const err of [
    secretish,
    new InternalError(secretish),
    new AppError(503, 'UPSTREAM', 'detalhe'),
    'boom',
  ]) {
    const res = toErrorResponse(err);
    assert.ok(res.statusCode >= 500);
    assert.equal(res.body.error.code, 'INTERNAL_ERROR');
    assert.ok(!JSON.stringify(res.body).includes('hunter2'));
    assert.ok(!JSON.stringify(res.body).includes('detalhe'));
  }
});

const event = (over: Partial<HttpEvent> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath: '/api/x',
    rawQueryString: '',
    headers: { origin: 'http://localhost:5173' },
    requestContext: { http: { method: 'POST', path: '/api/x' }, requestId: 'r1', stage: '$default' },
    isBase64Encoded: false,
    ...over,
  }) as HttpEvent;

function chain(fn: (e: HttpEvent) => Promise<HttpResult>, logs: unknown[]) {
  return middy<HttpEvent, HttpResult>()
    .use(cors())
    .use(httpErrorHandler({ log: (e) => logs.push(e) }))
    .use(jsonBody())
    .handler(fn);
}

test('the middleware answers thrown errors as JSON with CORS headers, logging only server errors', async () => {
  const logs: unknown[] = [];
  const notFound = chain(async () => {
    throw new NotFoundError('Conversa não encontrada.');
  }, logs);
  const crash = chain(async () => {
    throw new Error('db exploded');
  }, logs);

  const a = await notFound(event(), {} as Context);
  const b = await crash(event(), {} as Context);

  assert.equal(a.statusCode, 404);
  assert.deepEqual(JSON.parse(a.body!), {
    error: { code: 'NOT_FOUND', message: 'Conversa não encontrada.' },
  });
  assert.equal(a.headers['access-control-allow-origin'], 'http://localhost:5173');
  assert.match(a.headers['content-type']!, /application\/json/);
  assert.equal(b.statusCode, 500);
  assert.equal(JSON.parse(b.body!).error.code, 'INTERNAL_ERROR');
  assert.ok(!b.body!.includes('db exploded'));
  assert.equal(logs.length, 1);
});

test('a body that is not JSON is a 400 INVALID_JSON; a non-JSON content type a 415', async () => {
  const ok = chain(async (e) => ({ statusCode: 200, headers: {}, body: JSON.stringify(e.jsonBody) }), []);

  const bad = await ok(
    event({ body: '{nope', headers: { 'content-type': 'application/json' } }),
    {} as Context,
  );
  const form = await ok(event({ body: 'a=1', headers: { 'content-type': 'text/plain' } }), {} as Context);
  const good = await ok(
    event({ body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
    {} as Context,
  );

  assert.equal(bad.statusCode, 400);
  assert.equal(JSON.parse(bad.body!).error.code, 'INVALID_JSON');
  assert.equal(form.statusCode, 415);
  assert.equal(good.body, '{"a":1}');
});
