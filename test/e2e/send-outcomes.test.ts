/**
 * Browser: what the agent sees of a send the sender could not settle by itself
 * (shared/domain/send-state.ts). A reply resent after its first call went unconfirmed says
 * so under the bubble; a reply the sender gave up on shows its Portuguese reason, without
 * "Erro 0" (0 is our own code, not one of Meta's). The two replies are stored as the
 * sender leaves them (through shared/store), beside a real customer message.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { putMessageOnce } from '#shared/store/messages.ts';
import { SEND_UNCONFIRMED } from '#shared/domain/send-state.ts';
import type { Message } from '#shared/store/types.ts';
import { type E2E, adminApi, customerSends, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('send-outcomes');
});
afterAll(async () => {
  await e2e?.close();
});

test('a resent reply says it was resent; a reply that could not be confirmed shows why, without "Erro 0"', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5521966664444', 'Cliente Reenvio', 'Oi, chegou minha resposta?');
  const api = await adminApi(stack);
  type Conv = { id: string; contactName?: string };
  const conv = await eventually(async () => {
    const page = await api<{ items: Conv[] }>('GET', '/api/conversations?q=reenvio');
    return page.items[0];
  }, 'the customer’s conversation');

  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const now = Date.now();
  const reply = (text: string, at: number, extra: Partial<Message>): Message => ({
    id: ulid(at),
    accountId: stack.demo.accountId!,
    conversationId: conv.id,
    direction: 'out',
    type: 'text',
    text,
    status: 'sent',
    sender: { type: 'agent', name: 'Demo' },
    createdAt: at,
    ...extra,
  });
  await putMessageOnce(
    ddb,
    'atende',
    reply('Chegou sim, reenviei para garantir.', now + 1, {
      status: 'delivered',
      wamid: `wamid.resent-${now}`,
      sendAttempts: 2,
    }),
  );
  await putMessageOnce(
    ddb,
    'atende',
    reply('Esta não pôde ser confirmada.', now + 2, {
      status: 'failed',
      sendAttempts: 2,
      error: {
        code: 0,
        title: 'Envio não confirmado',
        message: 'Não foi possível confirmar o envio desta mensagem pelo WhatsApp.',
        details: SEND_UNCONFIRMED,
      },
    }),
  );
  ddb.destroy();

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, stack);
  await page.goto(`${stack.urls.web}/?conversation=${conv.id}`);

  const resent = page.locator('[data-testid="message"]', { hasText: 'reenviei para garantir' });
  await resent.getByTestId('message-resent').waitFor();
  assert.match(
    (await resent.getByTestId('message-resent').textContent()) ?? '',
    /Reenviada: o WhatsApp não confirmou a primeira tentativa/,
  );
  assert.equal(await resent.getByTestId('message-error').count(), 0);

  const failed = page.locator('[data-testid="message"]', { hasText: 'não pôde ser confirmada' });
  const reason = (await failed.getByTestId('message-error').textContent()) ?? '';
  assert.match(reason, /Não foi possível confirmar o envio desta mensagem pelo WhatsApp/);
  assert.doesNotMatch(reason, /Erro 0/);
  // A failed one is not also called resent: the failure is what the agent must act on.
  assert.equal(await failed.getByTestId('message-resent').count(), 0);

  assert.deepEqual(errors, []);
  await context.close();
});
