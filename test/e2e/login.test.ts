/**
 * The web app as a person opens it: the login page in Portuguese, a refused password, the
 * demo login reaching the live inbox, the language switch, and signing out.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { startE2E, type E2E } from './browser.ts';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E('login');
});

afterAll(async () => {
  await e2e?.close();
});

test('the web app opens on the login page, in Portuguese', async () => {
  const page = await e2e.browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto(e2e.stack.urls.web);

  await page.getByRole('heading', { name: 'Entrar no Atende' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');
  assert.equal(await page.getByTestId('sign-in').textContent(), 'Entrar');
  await page.getByText('Senha', { exact: true }).waitFor();
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('a wrong password is refused in Portuguese; the demo login reaches the live inbox, in either language', async () => {
  const { stack, browser } = e2e;
  const page = await browser.newPage();
  // The static server sends CloudFront's CSP (infra/web-headers.ts): the app must not violate it.
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(stack.urls.web);

  await page.getByTestId('email').fill(stack.demo.email!);
  await page.getByTestId('password').fill('senha-errada');
  await page.getByTestId('sign-in').click();
  await page.getByRole('alert').waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /Não foi possível entrar/);

  await page.getByTestId('password').fill(stack.demo.password!);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('conversation-list').waitFor();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  await page.getByText('Escolha uma conversa à esquerda.').waitFor();

  // The session survives a reload.
  await page.reload();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  assert.deepEqual(cspViolations, [], 'the app loads, signs in and connects within its CSP');

  // An injected inline script (what an XSS would add) does not run.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.append(s);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  assert.equal(ran, false, 'inline script blocked by the CSP');

  await page.getByTestId('language').selectOption('en');
  await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByTestId('live-state').filter({ hasText: 'Connected' }).waitFor();

  await page.getByTestId('sign-out').click();
  await page.getByRole('heading', { name: 'Sign in to Atende' }).waitFor();
  await page.getByTestId('language').selectOption('pt-BR');
  await page.getByRole('heading', { name: 'Entrar no Atende' }).waitFor();
  await page.close();
});
