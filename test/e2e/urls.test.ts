/**
 * Browser: every page and every open chat has an address (web/src/routes.ts). A chat's URL
 * opens it, reload keeps it open, Back comes back to it; the old entry link
 * `?conversation=` lands on the chat's address; the AI page's tab survives a reload. A
 * chat's URL opened by a user of another account shows "not found / no access" and none
 * of the chat's data.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Page } from 'playwright-core';
import { createAccount } from '#shared/store/accounts.ts';
import { createUser } from '#shared/store/users.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { type E2E, adminApi, customerSends, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('urls');
});
afterAll(async () => {
  await e2e?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;

async function customerConversation(phone: string, name: string, text: string) {
  const { stack } = e2e;
  await customerSends(stack, phone, name, text);
  const api = await adminApi(stack);
  return eventually(async () => {
    const page = await api<{ items: { id: string; contactPhone: string }[] }>(
      'GET',
      `/api/conversations?q=${phone}`,
    );
    return page.items.find((c) => c.contactPhone === phone);
  }, 'the customer’s conversation');
}

test('a chat’s URL opens it; reload keeps it open; another page and Back come back to it', async () => {
  const { stack, browser } = e2e;
  const conv = await customerConversation('5521977771111', 'Cliente Endereço', 'Oi, tudo bem?');
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, stack);
  assert.equal(pathOf(page), '/conversas', 'the inbox has an address');

  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  const title = page.getByTestId('chat-title').filter({ hasText: 'Cliente Endereço' });
  await title.waitFor();
  await page.locator('[data-testid="message"]', { hasText: 'Oi, tudo bem?' }).waitFor();

  await page.reload();
  await title.waitFor();
  assert.equal(pathOf(page), `/conversas/${conv.id}`);

  await page.getByTestId('nav-team').click();
  await page.getByTestId('team').waitFor();
  assert.equal(pathOf(page), '/equipe');
  await page.goBack();
  await title.waitFor();
  assert.equal(pathOf(page), `/conversas/${conv.id}`);

  // Another page, then the inbox button: the chat that was open.
  await page.getByTestId('nav-assistants').click();
  await page.getByTestId('assistants-page').waitFor();
  await page.getByTestId('nav-inbox').click();
  await title.waitFor();
  assert.equal(pathOf(page), `/conversas/${conv.id}`, 'the inbox comes back to the open chat');

  // A phone notification's link (?conversation=) lands on the chat's address.
  await page.goto(`${stack.urls.web}/?conversation=${conv.id}`);
  await title.waitFor();
  assert.equal(pathOf(page), `/conversas/${conv.id}`);

  // The AI page's tab is in the address too.
  await page.getByTestId('nav-assistants').click();
  await page.getByTestId('ai-tab-knowledge').click();
  await page.getByTestId('knowledge').waitFor();
  assert.equal(pathOf(page), '/assistentes/conhecimento');
  await page.reload();
  await page.getByTestId('knowledge').waitFor();
  assert.equal(await page.getByTestId('ai-tab-knowledge').getAttribute('aria-selected'), 'true');

  assert.deepEqual(errors, []);
  await context.close();
});

test('a chat’s URL opened by a user of another account shows "not found", never the chat', async () => {
  const { stack, browser } = e2e;
  const conv = await customerConversation('5521977772222', 'Cliente Sigiloso', 'Meu pedido secreto');

  // Another account with its own admin (as the account's creation leaves it).
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const accountId = ulid();
  const email = `outra-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'senha-da-outra-conta';
  try {
    await createAccount(ddb, 'atende', {
      id: accountId,
      name: 'Outra Loja',
      timezone: 'America/Sao_Paulo',
      inactivityHours: 24,
    });
    await createUser(ddb, 'atende', {
      id: ulid(),
      accountId,
      name: 'Olga Outra',
      email,
      role: 'admin',
      passwordHash: await hashPassword(password),
      departmentIds: [],
    });
  } finally {
    ddb.destroy();
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The link opened signed out: the login page answers at that address, then the chat's place.
  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  await page.getByTestId('email').fill(email);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('sign-in').click();
  const notFound = page.getByTestId('chat-not-found');
  await notFound.waitFor();
  assert.match(
    (await notFound.textContent()) ?? '',
    /Conversa não encontrada ou sem acesso: ela pode ter sido transferida, ou o link é de outra conta\./,
  );
  assert.equal(pathOf(page), `/conversas/${conv.id}`);
  const body = (await page.locator('body').textContent()) ?? '';
  assert.ok(!body.includes('Cliente Sigiloso'), 'no contact name of the other account');
  assert.ok(!body.includes('Meu pedido secreto'), 'no message of the other account');
  assert.ok(!body.includes('977772222'), 'no phone of the other account');
  assert.equal(await page.getByTestId('chat-title').count(), 0);

  // Back to the list from there.
  await page.getByTestId('chat-not-found-back').click();
  await notFound.waitFor({ state: 'detached' });
  assert.equal(pathOf(page), '/conversas');

  assert.deepEqual(errors, []);
  await context.close();
});
