/**
 * The whole pipeline as two people use it: a customer writes on the simulator's phone
 * page, the agent sees it arrive live, answers, the phone shows the answer, and the
 * inbox shows the read tick. Then the agent's connection drops while a message arrives,
 * and the inbox catches up by itself and says so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';
import { launchBrowser } from './browser.ts';

let stack: LocalStack;
let browser: Browser;
const dataDir = mkdtempSync(join(tmpdir(), 'atende-e2e-live-'));

before(async () => {
  stack = await startStack({ dataDir, portBase: await freePortBase(), reset: true, log: () => {} });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function login(page: Page) {
  await page.goto(stack.urls.web);
  await page.getByTestId('email').fill(stack.demo.email!);
  await page.getByTestId('password').fill(stack.demo.password!);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
}

test('a customer writes, the agent answers live, the phone reads it and the inbox shows the read tick', async () => {
  const inbox = await browser.newPage();
  const pageErrors: string[] = [];
  inbox.on('pageerror', (e) => pageErrors.push(e.message));
  await login(inbox);

  const phone = await browser.newPage();
  await phone.goto(stack.urls.simulator);
  await phone.getByTestId('sim-from').fill('5521987650001');
  await phone.getByTestId('sim-from').dispatchEvent('change');
  await phone.getByTestId('sim-name').fill('Carla Souza');
  await phone.getByTestId('sim-name').dispatchEvent('change');
  await phone.getByTestId('sim-text').fill('Bom dia! Meu pedido ainda não chegou.');
  await phone.getByTestId('sim-send').click();

  const row = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Souza' });
  await row.waitFor();
  await row.filter({ hasText: 'Meu pedido ainda não chegou' }).waitFor();
  await row.click();
  await inbox.getByTestId('message').filter({ hasText: 'Bom dia! Meu pedido ainda não chegou.' }).waitFor();

  await inbox.getByTestId('composer').fill('Olá, Carla! Vou verificar agora mesmo.');
  await inbox.getByTestId('composer').press('Enter');

  // The phone shows the answer; showing it sends the read receipt back to the business.
  await phone.getByTestId('sim-message').filter({ hasText: 'Vou verificar agora mesmo' }).waitFor();
  const reply = inbox.getByTestId('message').filter({ hasText: 'Vou verificar agora mesmo' });
  await reply.and(inbox.locator('[data-status="read"]')).waitFor({ timeout: 20_000 });
  assert.match((await reply.getByTestId('message-status').textContent()) ?? '', /Lida/);
  if (process.env.E2E_SCREENSHOTS)
    await inbox.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/inbox.png` });
  assert.deepEqual(pageErrors, []);
  await phone.close();
  await inbox.close();
});

test('after a dropped connection the inbox resynchronises by itself and says so', async () => {
  const inbox = await browser.newPage();
  await login(inbox);
  await inbox.getByTestId('conversation-item').first().waitFor();

  // The connection drops; a customer writes while the inbox is not connected.
  stack.dropWebSockets();
  await fetch(`${stack.urls.simulator}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: '5521987650002',
      name: 'Durante a Queda',
      phoneNumberId: stack.demo.phoneNumberId,
      type: 'text',
      text: 'Mensagem enviada enquanto o agente estava desconectado',
    }),
  });
  await inbox.getByTestId('resync-notice').waitFor({ timeout: 20_000 });
  assert.match((await inbox.getByTestId('resync-notice').textContent()) ?? '', /Sincronizado/);
  await inbox
    .getByTestId('conversation-item')
    .filter({ hasText: 'Durante a Queda' })
    .waitFor({ timeout: 20_000 });
  await inbox.close();
});
