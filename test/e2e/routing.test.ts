/**
 * Browser: an admin configures a triage menu for the demo number on the integrations
 * page; a customer on the simulator's phone page gets the menu and picks an option; the
 * conversation lands in that department's list, with the number's colour.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { customerSends, eventually, login, startE2E, type E2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('routing');
});
afterAll(async () => {
  await e2e?.close();
});

test('an admin sets up a triage menu; the customer picks an option; the chat lands in that department', async () => {
  const { stack, browser } = e2e;
  const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  admin.on('pageerror', (e) => pageErrors.push(e.message));
  await login(admin, stack);

  await admin.getByTestId('nav-integrations').click();
  await admin.getByTestId('number-item').filter({ hasText: 'Demo' }).first().click();
  const form = admin.getByTestId('number-form');
  await form.getByTestId('number-color').fill('#d946ef');
  await form.getByTestId('routing-kind').selectOption('menu');
  await form.getByTestId('menu-body').fill('Olá! Sobre o que você quer falar?');
  await form.getByTestId('menu-button').fill('Ver opções');
  const first = form.getByTestId('menu-option').nth(0);
  await first.getByTestId('option-title').fill('Comprar');
  await first.getByTestId('option-target').selectOption({ label: 'Setor: Vendas' });
  await form.getByTestId('add-option').click();
  const second = form.getByTestId('menu-option').nth(1);
  await second.getByTestId('option-title').fill('Suporte técnico');
  await second.getByTestId('option-target').selectOption({ label: 'Setor: Suporte' });
  await form.getByTestId('save-number').click();
  await admin.getByTestId('save-ok').waitFor();

  // A title over Meta's limit is refused by the API, in Portuguese (the page shows why).
  await second
    .getByTestId('option-title')
    .evaluate((el: HTMLInputElement) => el.removeAttribute('maxlength'));
  await second.getByTestId('option-title').fill('Um título bem maior que o limite');
  await form.getByTestId('save-number').click();
  await admin.getByTestId('save-error').waitFor();
  await second.getByTestId('option-title').fill('Suporte técnico');
  await form.getByTestId('save-number').click();
  await admin.getByTestId('save-ok').waitFor();

  // The customer writes to the demo number and gets the menu as a WhatsApp list.
  const phone = await browser.newPage();
  await phone.goto(stack.urls.simulator);
  await phone.getByTestId('sim-from').fill('5521987650101');
  await phone.getByTestId('sim-from').dispatchEvent('change');
  await phone.getByTestId('sim-name').fill('Lúcia Prado');
  await phone.getByTestId('sim-name').dispatchEvent('change');
  await phone.getByTestId('sim-text').fill('Oi, boa tarde!');
  await phone.getByTestId('sim-send').click();
  const option = phone.locator('.opt', { hasText: 'Suporte técnico' });
  await option.waitFor({ timeout: 20_000 });
  await option.click();

  // The inbox: filtered to Suporte, the conversation is there with its tag and colour.
  await admin.getByTestId('nav-inbox').click();
  await admin.getByTestId('department-filter').selectOption({ label: 'Suporte' });
  const row = admin.getByTestId('conversation-item').filter({ hasText: 'Lúcia Prado' });
  await row.getByTestId('department-tag').filter({ hasText: 'Suporte' }).waitFor({ timeout: 20_000 });
  assert.equal(
    await row.evaluate((el) => getComputedStyle(el).borderLeftColor),
    'rgb(217, 70, 239)',
    'the row carries the number’s new colour',
  );
  await admin.getByTestId('department-filter').selectOption({ label: 'Vendas' });
  assert.equal(await admin.getByTestId('conversation-item').filter({ hasText: 'Lúcia Prado' }).count(), 0);
  assert.deepEqual(pageErrors, []);
  await phone.close();
  await admin.close();
});

test('an admin connects a number from the page, keeps its app secret write-only, and a new colour recolours existing chats', async () => {
  const { stack, browser } = e2e;
  const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  admin.on('pageerror', (e) => pageErrors.push(e.message));
  await login(admin, stack);
  await customerSends(stack, '5521987650202', 'Rui Costa', 'Olá, tudo bem?');
  const row = admin.getByTestId('conversation-item').filter({ hasText: 'Rui Costa' });
  await row.waitFor();

  // The business first creates the number at Meta; Atende checks it there when it is connected.
  const registered = await fetch(`${stack.urls.simulator}/sim/numbers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      phoneNumberId: '100000000000999',
      displayPhone: '5511955554444',
      name: 'Loja Centro',
    }),
  });
  assert.equal(registered.status, 200);
  await admin.getByTestId('nav-integrations').click();
  await admin.getByTestId('add-number').click();
  await admin.getByTestId('new-number-name').fill('Loja Centro');
  await admin.getByTestId('new-number-digits').fill('5511955554444');
  await admin.getByTestId('new-number-pnid').fill('100000000000999');
  await admin.getByTestId('new-number-waba').fill('200000000000999');
  await admin.getByTestId('save-new-number').click();
  await admin.getByTestId('number-item').filter({ hasText: 'Loja Centro' }).waitFor();
  const form = admin.getByTestId('number-form');
  await form.getByTestId('app-secret').fill('segredo-do-app-da-loja');
  await form.getByTestId('save-number').click();
  await admin.getByTestId('save-ok').waitFor();
  assert.equal(await form.getByTestId('app-secret').inputValue(), '');
  assert.match((await form.getByTestId('app-secret').getAttribute('placeholder')) ?? '', /Salvo/);
  assert.match(
    (await form.getByTestId('callback-url').textContent()) ?? '',
    /\/webhook\/whatsapp\?pnid=100000000000999$/,
  );

  await admin.getByTestId('number-item').filter({ hasText: 'Demo' }).first().click();
  await admin.getByTestId('number-form').getByTestId('number-color').fill('#ff0000');
  await admin.getByTestId('number-form').getByTestId('save-number').click();
  await admin.getByTestId('save-ok').waitFor();
  await admin.getByTestId('nav-inbox').click();
  // A chat opened before the change shows the number's new colour.
  await eventually(
    async () => (await row.evaluate((el) => getComputedStyle(el).borderLeftColor)) === 'rgb(255, 0, 0)',
    'the row to take the new colour',
  );
  assert.deepEqual(pageErrors, []);
  await admin.close();
});
