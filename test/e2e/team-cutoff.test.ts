/**
 * Browser: cutting an agent off and letting them back in, as an admin and an agent would
 * live it (issue 12, finding 6). The admin adds an agent on the team page; the agent signs
 * in in a browser of their own; "Desativar" ends the agent's open inbox within seconds
 * (the socket closes, the old token is refused, the agent is back on the login page with
 * a message) and a new login says the access was deactivated. "Reativar" and "Gerar link
 * de redefinição": the agent opens the link, chooses a new password and signs in with it;
 * the old password is refused and the link does not work twice. "Esqueci a senha" tells
 * an agent to ask their admin.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { type E2E, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('team-cutoff');
});
afterAll(async () => {
  await e2e?.close();
});

const agent = { name: 'Renata Lima', email: 'renata@atende.local', password: 'senha-da-renata' };
const newPassword = 'nova-senha-da-renata';

/** A browser of its own (its own localStorage session), as a second person would have. */
async function person(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sockets: WebSocket[] = [];
  page.on('websocket', (ws) => sockets.push(ws));
  return { page, errors, sockets, close: () => context.close() };
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByTestId('email').fill(email);
  await page.getByTestId('password').fill(password);
  await page.getByTestId('sign-in').click();
}

const alertText = async (page: Page) => {
  await page.getByRole('alert').waitFor();
  return (await page.getByRole('alert').textContent()) ?? '';
};

test('an admin deactivates a signed-in agent: the open inbox ends at once; reactivated, the agent resets the password with a one-time link', async () => {
  const { stack, browser } = e2e;
  const admin = await person(browser);
  await login(admin.page, stack);
  const dialogs: string[] = [];
  admin.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });

  // The admin adds the agent on the team page.
  await admin.page.getByTestId('nav-team').click();
  await admin.page.getByTestId('team').waitFor();
  const form = admin.page.getByTestId('new-user-form');
  await form.getByTestId('new-user-name').fill(agent.name);
  await form.getByTestId('new-user-email').fill(agent.email);
  await form.getByTestId('new-user-password').fill(agent.password);
  await form.getByTestId('new-user-role').selectOption('agent');
  await form.getByTestId('new-user-submit').click();
  await admin.page.getByTestId('new-user-ok').waitFor();
  const userRow = admin.page.getByTestId('user-row').filter({ hasText: agent.email });
  await userRow.waitFor();

  // The agent signs in in a browser of their own and has the live inbox.
  const renata = await person(browser);
  await renata.page.goto(stack.urls.web);
  await signIn(renata.page, agent.email, agent.password);
  await renata.page.getByTestId('conversation-list').waitFor();
  await renata.page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  const live = renata.sockets.filter((s) => !s.isClosed());
  assert.equal(live.length, 1, 'one live connection');
  const session = JSON.parse(
    (await renata.page.evaluate(() => localStorage.getItem('atende.session'))) ?? 'null',
  ) as { accessToken: string; refreshToken: string };
  const me = (token: string) =>
    fetch(`${stack.urls.api}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await me(session.accessToken)).status, 200);

  // "Desativar", confirmed.
  await userRow.getByTestId('user-deactivate').click();
  await userRow.getByTestId('user-deactivated').filter({ hasText: 'Desativado' }).waitFor();
  assert.deepEqual(dialogs, [
    `Desativar ${agent.name}? As sessões abertas são encerradas e o histórico é mantido.`,
  ]);

  // The agent's open inbox is cut off: the socket closes, the token and the refresh token
  // she held are refused, and her browser is back on the login page saying why.
  await eventually(async () => live[0]!.isClosed(), 'the agent’s socket to close');
  await eventually(async () => (await me(session.accessToken)).status === 401, 'the old token refused');
  const refreshed = await fetch(`${stack.urls.api}/api/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  assert.equal(refreshed.status, 401);
  await renata.page.getByTestId('login-form').waitFor();
  assert.equal(
    await renata.page.getByTestId('session-expired').textContent(),
    'Sua sessão expirou. Entre novamente.',
  );
  assert.equal(await renata.page.evaluate(() => localStorage.getItem('atende.session')), null);
  // A reconnection attempt may still be settling: none of them stays open.
  await eventually(
    async () => renata.sockets.every((s) => s.isClosed()),
    'no socket left open for the deactivated agent',
  );

  // The right password no longer lets her in, and the page says why.
  await signIn(renata.page, agent.email, agent.password);
  assert.equal(
    await alertText(renata.page),
    'Seu acesso foi desativado. Fale com o administrador da sua conta.',
  );

  // The admin reactivates her and generates a reset link ("Esqueci a senha").
  await userRow.getByTestId('user-reactivate').click();
  await userRow.getByTestId('user-deactivated').waitFor({ state: 'detached' });
  await userRow.getByRole('button', { name: 'Gerar link de redefinição' }).click();
  const url = await userRow.getByTestId('reset-link-url').inputValue();
  assert.ok(url.startsWith(`${new URL(stack.urls.web).origin}/redefinir-senha?token=`), url);

  // The agent opens the link and chooses a new password.
  await renata.page.goto(url);
  await renata.page.getByRole('heading', { name: 'Definir nova senha' }).waitFor();
  await renata.page.getByTestId('reset-password').fill(newPassword);
  await renata.page.getByTestId('reset-confirm').fill(newPassword);
  await renata.page.getByTestId('reset-submit').click();
  await renata.page
    .getByTestId('login-notice')
    .filter({ hasText: 'Senha alterada. Entre com a nova senha.' })
    .waitFor();
  assert.equal(new URL(renata.page.url()).pathname, '/');

  // The old password is refused; the new one opens the inbox.
  await signIn(renata.page, agent.email, agent.password);
  assert.equal(await alertText(renata.page), 'Não foi possível entrar. Confira e-mail e senha.');
  await signIn(renata.page, agent.email, newPassword);
  await renata.page.getByTestId('conversation-list').waitFor();
  await renata.page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();

  // The same link, opened again, is no longer valid (and changes nothing).
  await renata.page.goto(url);
  await renata.page.getByRole('heading', { name: 'Definir nova senha' }).waitFor();
  await renata.page.getByTestId('reset-password').fill('outra-senha-qualquer');
  await renata.page.getByTestId('reset-confirm').fill('outra-senha-qualquer');
  await renata.page.getByTestId('reset-submit').click();
  assert.equal(
    await renata.page.getByTestId('reset-error').textContent(),
    'Este link é inválido, já foi usado ou expirou. Peça um novo ao administrador.',
  );
  const relogin = await fetch(`${stack.urls.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: agent.email, password: newPassword }),
  });
  assert.equal(relogin.status, 200, 'the password set through the link still holds');

  assert.deepEqual(admin.errors, []);
  assert.deepEqual(renata.errors, []);
  await renata.close();
  await admin.close();
});

test('"Esqueci a senha" on the login page tells the agent to ask their admin for a link', async () => {
  const { stack, browser } = e2e;
  const visitor = await person(browser);
  await visitor.page.goto(stack.urls.web);
  await visitor.page.getByRole('button', { name: 'Esqueci a senha' }).click();
  const help = visitor.page.getByTestId('forgot-password-help');
  await help.waitFor();
  assert.equal(
    await help.textContent(),
    'Peça ao administrador da sua conta um link de redefinição de senha (Equipe → Gerar link de redefinição). O link vale por 1 hora e funciona uma vez.',
  );
  assert.deepEqual(visitor.errors, []);
  await visitor.close();
});
