/**
 * Browser: quick replies (respostas prontas, MSG-7) and variables (MSG-2). `/` in the
 * composer opens the replies the agent may use; picking one by keyboard and sending it
 * reaches the customer's phone with its variables rendered by the server. An agent proposes
 * a sent message as a reply; the admin approves it on /respostas-prontas, and then it is
 * offered in the agent's composer.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { type E2E, adminApi, customerSends, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('quick-replies');
});
afterAll(async () => {
  await e2e?.close();
});

type Conv = { id: string; contactName?: string };

async function conversationOf(phone: string, name: string): Promise<Conv> {
  const api = await adminApi(e2e.stack);
  return eventually(async () => {
    const page = await api<{ items: Conv[] }>('GET', `/api/conversations?q=${encodeURIComponent(name)}`);
    return page.items[0];
  }, `the conversation of ${phone}`);
}

const outboxTexts = async (to: string): Promise<string[]> => {
  const res = await fetch(`${e2e.stack.urls.simulator}/sim/outbox?to=${to}`);
  const body = (await res.json()) as {
    messages: { direction: string; payload: { text?: { body?: string } } }[];
  };
  return body.messages.filter((m) => m.direction === 'business').map((m) => m.payload.text?.body ?? '');
};

test('"/" opens the quick replies; picked by keyboard and sent, the customer receives the variables rendered', async () => {
  const { stack, browser } = e2e;
  const api = await adminApi(stack);
  const me = await api<{ name: string }>('GET', '/api/me');
  await api('POST', '/api/quick-replies', {
    shortcut: 'boasvindas',
    title: 'Boas-vindas',
    text: 'Olá, {primeiro_nome}! Sou {atendente}, como posso ajudar?',
    scope: { type: 'all' },
  });
  await api('POST', '/api/quick-replies', {
    shortcut: 'horario',
    title: 'Horário de atendimento',
    text: 'Atendemos de segunda a sexta, das 8h às 18h.',
    scope: { type: 'all' },
  });
  await customerSends(stack, '5521977770001', 'Paula Mendes', 'Oi, preciso de ajuda');
  const conv = await conversationOf('5521977770001', 'Paula Mendes');

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await login(page, stack);
  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  const composer = page.getByTestId('composer');
  await composer.waitFor();

  // "/" alone lists them all; Esc closes the list and keeps the text.
  await composer.fill('/');
  const popup = page.getByTestId('quick-replies-popup');
  await popup.getByTestId('quick-reply-option').first().waitFor();
  assert.deepEqual(
    await popup.getByTestId('quick-reply-option').evaluateAll((els) => els.map((e) => e.dataset.shortcut)),
    ['boasvindas', 'horario'],
  );
  await composer.press('Escape');
  await popup.waitFor({ state: 'hidden' });
  assert.equal(await composer.inputValue(), '/');

  // The search narrows; arrows move; Enter inserts the reply's text (not yet rendered).
  await composer.fill('/b');
  await popup.waitFor();
  await composer.fill('/');
  await composer.pressSequentially('ho');
  await eventually(
    async () => (await popup.getByTestId('quick-reply-option').count()) === 1,
    'the search to keep one reply',
  );
  await composer.fill('/');
  await composer.press('ArrowDown');
  assert.equal(
    await popup.locator('[role="option"][aria-selected="true"]').getAttribute('data-shortcut'),
    'horario',
  );
  await composer.press('ArrowUp');
  await composer.press('Enter');
  await popup.waitFor({ state: 'hidden' });
  assert.equal(await composer.inputValue(), 'Olá, {primeiro_nome}! Sou {atendente}, como posso ajudar?');

  // Sent: the chat and the phone get the rendered text.
  await composer.press('Enter');
  const rendered = `Olá, Paula! Sou ${me.name}, como posso ajudar?`;
  await page.getByTestId('message').filter({ hasText: rendered }).waitFor();
  await eventually(
    async () => (await outboxTexts('5521977770001')).includes(rendered),
    'the phone to receive it',
  );

  // The variables menu inserts one at the cursor.
  await page.getByTestId('variables-button').click();
  await page.getByTestId('variable-nome').click();
  assert.equal(await composer.inputValue(), '{nome}');
  assert.deepEqual(pageErrors, []);
  await page.close();
});

/** Signs in as another user in a context of its own (its own session). */
async function loginAs(email: string, password: string): Promise<Page> {
  const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(e2e.stack.urls.web);
  await page.getByTestId('email').fill(email);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  return page;
}

test('an agent proposes a sent message as a quick reply; the admin approves it and the agent can use it', async () => {
  const { stack, browser } = e2e;
  const api = await adminApi(stack);
  const email = `agente-qr-${Date.now()}@example.com`;
  const agentUser = await api<{ id: string }>('POST', '/api/users', {
    name: 'Rafael Agente',
    email,
    password: 'senha-do-rafael',
    role: 'agent',
  });
  await customerSends(stack, '5521977770002', 'Bruno Lima', 'Quando sai meu pedido?');
  const conv = await conversationOf('5521977770002', 'Bruno Lima');
  await api('POST', `/api/conversations/${conv.id}/assign`, { agentId: agentUser.id });

  const agent = await loginAs(email, 'senha-do-rafael');
  await agent.goto(`${stack.urls.web}/conversas/${conv.id}`);
  const composer = agent.getByTestId('composer');
  await composer.fill('Seu pedido sai hoje à tarde.');
  await composer.press('Enter');
  const sent = agent.getByTestId('message').filter({ hasText: 'Seu pedido sai hoje à tarde.' });
  // Once WhatsApp took it, the bubble offers "Propor como resposta pronta".
  await sent.getByTestId('propose-quick-reply').click({ timeout: 30_000 });
  const form = agent.getByTestId('quick-reply-form');
  assert.equal(await form.getByTestId('qr-text').inputValue(), 'Seu pedido sai hoje à tarde.');
  await form.getByTestId('qr-text').fill('Olá, {primeiro_nome}! Seu pedido sai hoje à tarde.');
  await form.getByTestId('qr-shortcut').fill('pedido');
  await form.getByTestId('qr-title').fill('Pedido sai hoje');
  await form.getByTestId('qr-save').click();
  await agent.getByTestId('qr-proposed').waitFor();
  await form.waitFor({ state: 'hidden' });

  // Pending: not offered yet.
  await composer.fill('/pedido');
  await agent.getByTestId('quick-replies-empty').waitFor();
  await composer.press('Escape');

  // The admin approves it on the quick-replies page.
  const admin = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await login(admin, stack);
  await admin.getByTestId('nav-quick-replies').click();
  await admin.waitForURL(/\/respostas-prontas$/);
  const row = admin.locator('[data-testid="qr-row"][data-shortcut="pedido"]');
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await row.getByTestId('qr-approve').click();
  await admin.locator('[data-testid="qr-row"][data-shortcut="pedido"][data-status="approved"]').waitFor();

  // Now the agent's "/" offers it.
  await composer.fill('');
  await composer.fill('/pedido');
  await agent.locator('[data-testid="quick-reply-option"][data-shortcut="pedido"]').waitFor();
  await composer.press('Enter');
  assert.equal(await composer.inputValue(), 'Olá, {primeiro_nome}! Seu pedido sai hoje à tarde.');

  // The team page offers the approve permission; those without a feature yet are hidden.
  await admin.getByTestId('nav-team').click();
  const perms = admin.getByTestId('new-user-permissions');
  await perms.getByLabel('Aprovar respostas prontas').waitFor();
  assert.equal(await perms.getByLabel('Notas de contato').count(), 0);
  assert.equal(await perms.getByLabel('Código de suporte').count(), 0);
  await admin.close();
  await agent.context().close();
});
