/**
 * Browser: the inbox's details as reference 003 describes them (issue 15). A chat is found
 * by the last digits of its phone; "Assumir" in the header makes it the admin's; the list
 * says "Você:" before the admin's own reply; "Encaminhar para setor" drops the agent from
 * the header and the row at once (no reload); the postpone presets fill the date field in
 * the account's time zone; closing drops the department tag; a name the agent gives the
 * contact stays when the customer's WhatsApp profile name comes again.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { adminApi, customerSends, type E2E, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('inbox-details');
});
afterAll(async () => {
  await e2e?.close();
});

const row = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });

test('found by its last digits, taken with Assumir, answered (Você:), forwarded to a department (agent gone at once), postpone presets, closed (tag gone), renamed (the profile name does not overwrite it)', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987661234';
  await customerSends(stack, customer, 'Otávio Reis', 'Preciso de ajuda com a fatura');
  const api = await adminApi(stack);
  await eventually(async () => {
    const page = await api<{ items: { contactPhone: string }[] }>('GET', `/api/conversations?q=${customer}`);
    return page.items.find((c) => c.contactPhone === customer);
  }, 'the conversation');

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, stack);

  // The phone's last digits, formatted or not, without country code or DDD.
  for (const q of ['98766-1234', '1234']) {
    await page.getByTestId('conversation-search').fill(q);
    await row(page, 'Otávio Reis').waitFor();
  }
  await row(page, 'Otávio Reis').click();

  // "Assumir": the chat becomes the admin's.
  await page.getByTestId('take-chat').click();
  await page.getByTestId('chat-agent').filter({ hasText: 'Administrador Demo' }).waitFor();
  await page.getByTestId('take-chat').waitFor({ state: 'detached' });

  // The admin's own reply: "Você:" in the list.
  await page.getByTestId('composer').fill('Claro, Otávio! Vou verificar.');
  await page.getByTestId('send').click();
  await row(page, 'Otávio Reis')
    .getByTestId('conversation-preview')
    .filter({ hasText: 'Você: Claro, Otávio! Vou verificar.' })
    .waitFor();

  // To a department: the header and the row drop the agent at once.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-assign-department').click();
  await page.getByTestId('assign-department-select').selectOption({ label: 'Vendas' });
  await page.getByTestId('assign-department-submit').click();
  await page.getByTestId('chat-department').filter({ hasText: 'Vendas' }).waitFor();
  await page.getByTestId('chat-agent').filter({ hasText: 'Sem agente' }).waitFor({ timeout: 5000 });
  await row(page, 'Otávio Reis').getByTestId('agent-icon').waitFor({ state: 'detached', timeout: 5000 });
  await row(page, 'Otávio Reis').getByTestId('department-tag').filter({ hasText: 'Vendas' }).waitFor();

  // Postpone presets fill the date field (the account's zone: São Paulo).
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-postpone').click();
  const expected = await page.evaluate(() => {
    const parts = (at: number) =>
      Object.fromEntries(
        new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/Sao_Paulo',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(at)
          .map((p) => [p.type, p.value]),
      );
    const today = parts(Date.now());
    const tomorrow = new Date(Date.UTC(+today.year!, +today.month! - 1, +today.day! + 1));
    return `${tomorrow.toISOString().slice(0, 10)}T09:00`;
  });
  await page.getByTestId('postpone-preset-tomorrow').click();
  assert.equal(await page.getByTestId('postpone-until').inputValue(), expected);
  await page.getByTestId('postpone-preset-monday').click();
  assert.match(await page.getByTestId('postpone-until').inputValue(), /T09:00$/);
  await page.getByTestId('postpone-preset-hour').click();
  assert.match(await page.getByTestId('postpone-until').inputValue(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);

  // Closed: the department tag goes (the dialog says so), without a reload.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-close').click();
  await page.getByTestId('confirm-yes').click();
  await page.getByTestId('assignment').getByText('Encerrada').waitFor();
  await page.getByTestId('view-all').click();
  await row(page, 'Otávio Reis').waitFor();
  assert.equal(await row(page, 'Otávio Reis').getByTestId('department-tag').count(), 0);

  // The agent names the contact; the WhatsApp profile name that comes with the next message
  // does not overwrite it (it is shown beside it).
  await page.getByTestId('edit-contact-name').click();
  await page.getByTestId('contact-name-input').fill('Otávio Cliente VIP');
  await page.getByTestId('contact-name-save').click();
  await page.getByTestId('chat-title').filter({ hasText: 'Otávio Cliente VIP' }).waitFor();
  await row(page, 'Otávio Cliente VIP').waitFor();
  await customerSends(stack, customer, 'Otávio Reis', 'Ainda estão aí?');
  await row(page, 'Otávio Cliente VIP')
    .getByTestId('conversation-preview')
    .filter({ hasText: 'Ainda estão aí?' })
    .waitFor();
  assert.equal(await page.getByTestId('chat-title').textContent(), 'Otávio Cliente VIP');
  await page.getByTestId('profile-name').filter({ hasText: 'Otávio Reis' }).waitFor();

  assert.deepEqual(errors, []);
  await context.close();
});

test('Integrações: "Confirmação de leitura (tiques azuis)" is on by default and an admin turns it off', async () => {
  const { stack, browser } = e2e;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, stack);
  await page.getByTestId('nav-integrations').click();
  const box = page.getByTestId('read-receipts');
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  const form = page.locator('form').filter({ has: box });
  await box.uncheck();
  await form.locator('button[type="submit"]').click();
  await form.getByTestId('save-ok').waitFor();
  const api = await adminApi(stack);
  assert.equal((await api<{ readReceipts: boolean }>('GET', '/api/settings')).readReceipts, false);
  await page.reload();
  await page.getByTestId('read-receipts').waitFor();
  assert.equal(await page.getByTestId('read-receipts').isChecked(), false);
  assert.deepEqual(errors, []);
  await context.close();
});
