/**
 * The web app as a person opens it: the login page in Portuguese, the demo login, the
 * inbox with its live connection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';
import { launchBrowser } from './browser.ts';

let stack: LocalStack;
let browser: Browser;
const dataDir = mkdtempSync(join(tmpdir(), 'atende-e2e-'));

before(async () => {
  stack = await startStack({ dataDir, portBase: await freePortBase(), reset: true, log: () => {} });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the web app opens on the login page in Portuguese, and the demo login reaches the live inbox', async () => {
  const page = await browser.newPage();
  await page.goto(stack.urls.web);
  await page.getByRole('heading', { name: 'Entrar no Atende' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');

  await page.getByTestId('email').fill(stack.demo.email!);
  await page.getByTestId('password').fill('senha-errada');
  await page.getByTestId('sign-in').click();
  await page.getByRole('alert').waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /Não foi possível entrar/);

  await page.getByTestId('password').fill(stack.demo.password!);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('conversation-list').waitFor();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();

  await page.getByTestId('language').selectOption('en');
  await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  await page.close();
});
