/**
 * Browser: the shared inbox as a team uses it. An admin forwards a chat to an agent (it
 * leaves "Abertos" for "Em atendimento", the agent finds it in "Meus", the conversation
 * records who did it, and replacing the agent asks first); internal messages, by the
 * switch and by "/interna", show in red for the team and never reach the customer's
 * phone; the list's search (protocol, name) and unread filter; and a search inside a
 * conversation that scrolls back to a message older than the loaded page.
 */
import { afterAll, beforeAll, test } from 'vitest';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { LocalStack } from '#infra/local/stack.ts';
import { adminApi, closeWindow, customerSends, type E2E, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
const shots = process.env.E2E_SCREENSHOTS;
beforeAll(async () => {
  e2e = await startE2E('inbox');
});
afterAll(async () => {
  await e2e?.close();
});

interface Conv {
  id: string;
  contactName: string;
  contactPhone: string;
  protocol?: string;
  agentId?: string;
}

async function conversationOf(stack: LocalStack, phone: string): Promise<Conv> {
  const api = await adminApi(stack);
  return eventually(async () => {
    const page = await api<{ items: Conv[] }>('GET', `/api/conversations?q=${phone}`);
    return page.items.find((c) => c.contactPhone === phone);
  }, `the conversation with ${phone}`);
}

async function signIn(browser: Browser, stack: LocalStack, who?: { email: string; password: string }) {
  // A context of its own: its own session (localStorage), as a second person would have.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (!who) await login(page, stack);
  else {
    await page.goto(stack.urls.web);
    await page.getByTestId('email').fill(who.email);
    await page.getByTestId('password').fill(who.password);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  }
  return { page, errors, close: () => context.close() };
}

const row = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });

async function openPhone(from: string, name: string): Promise<Page> {
  const phone = await e2e.browser.newPage();
  await phone.goto(e2e.stack.urls.simulator);
  await phone.getByTestId('sim-from').fill(from);
  await phone.getByTestId('sim-from').dispatchEvent('change');
  await phone.getByTestId('sim-name').fill(name);
  await phone.getByTestId('sim-name').dispatchEvent('change');
  return phone;
}

test('an admin forwards a chat to an agent: it moves from Abertos to Em atendimento, the agent finds it in Meus, the log says who did it, and replacing the agent asks first', async () => {
  const { stack, browser } = e2e;
  const api = await adminApi(stack);
  await api('POST', '/api/users', {
    name: 'Bruno Lima',
    email: 'bruno@atende.local',
    password: 'senha-do-bruno',
    role: 'agent',
    departmentIds: [],
  });
  const customer = '5521987660001';
  await customerSends(stack, customer, 'Marina Costa', 'Olá, preciso de ajuda com a minha fatura');
  await conversationOf(stack, customer);

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.getByTestId('view-open').click();
  await row(page, 'Marina Costa').waitFor();
  const openCount = Number(await page.getByTestId('count-open').textContent());
  assert.ok(openCount >= 1, 'the Abertos tab counts it');

  await row(page, 'Marina Costa').click();
  await page.getByTestId('chat-agent').filter({ hasText: 'Sem agente' }).waitFor();
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-assign-agent').click();
  await page.getByTestId('assign-agent-select').selectOption({ label: 'Bruno Lima' });
  await page.getByTestId('assign-agent-submit').click();

  // The chat stays open with its new agent; the list (Abertos) lets it go.
  await page.getByTestId('chat-agent').filter({ hasText: 'Bruno Lima' }).waitFor();
  await row(page, 'Marina Costa').waitFor({ state: 'detached' });
  const log = page.locator('[data-testid="message"][data-event="agent"]');
  await log.filter({ hasText: 'Administrador Demo atribuiu a Bruno Lima' }).waitFor();
  await page.getByTestId('view-service').click();
  const inService = row(page, 'Marina Costa');
  await inService.waitFor();
  assert.match((await inService.getByTestId('agent-icon').getAttribute('title')) ?? '', /Bruno Lima/);
  await eventually(
    async () => Number(await page.getByTestId('count-service').textContent()) >= 1,
    'the Em atendimento count',
  );

  // The agent, in another browser session: it is theirs.
  const bruno = await signIn(browser, stack, { email: 'bruno@atende.local', password: 'senha-do-bruno' });
  await bruno.page.getByTestId('view-mine').click();
  await row(bruno.page, 'Marina Costa').waitFor();
  assert.equal(await bruno.page.getByTestId('nav-team').count(), 0, 'agents do not manage the team');

  // Replacing the agent needs a confirmation.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-assign-agent').click();
  await page.getByTestId('assign-agent-select').selectOption({ label: 'Ana Agente' });
  await page.getByTestId('assign-agent-submit').click();
  const confirm = page.getByTestId('confirm-dialog');
  await confirm.waitFor();
  assert.match((await confirm.textContent()) ?? '', /Tem certeza que deseja alterar o agente\?/);
  assert.equal(
    await page
      .getByTestId('chat-agent')
      .textContent()
      .then((t) => t?.includes('Bruno Lima')),
    true,
    'nothing changes before the confirmation',
  );
  await page.getByTestId('confirm-yes').click();
  await page.getByTestId('chat-agent').filter({ hasText: 'Ana Agente' }).waitFor();
  await log.filter({ hasText: 'Administrador Demo atribuiu a Ana Agente' }).waitFor();

  if (shots) await page.screenshot({ path: join(shots, 'inbox-assigned.png') });
  // Live, in the agent's "Meus": the chat is no longer theirs.
  await row(bruno.page, 'Marina Costa').waitFor({ state: 'detached' });

  assert.deepEqual(admin.errors, []);
  assert.deepEqual(bruno.errors, []);
  await bruno.close();
  await admin.close();
});

test('internal messages, by the switch and by /interna, show in red for the team and never reach the phone', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660002';
  const phone = await openPhone(customer, 'Otávio Reis');
  await phone.getByTestId('sim-text').fill('Bom dia, meu boleto venceu ontem.');
  await phone.getByTestId('sim-send').click();

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Otávio Reis').click();
  await page.getByTestId('message').filter({ hasText: 'meu boleto venceu' }).waitFor();

  // The switch: the send button turns red, the message is internal.
  await page.getByTestId('internal-switch').check();
  assert.equal(await page.getByTestId('send').getAttribute('data-internal'), 'true');
  assert.equal(
    await page.getByTestId('send').evaluate((el) => getComputedStyle(el).backgroundColor),
    'rgb(179, 38, 30)',
    'the send button is red while Interna? is on',
  );
  await page.getByTestId('composer').fill('Cliente VIP, tratar com prioridade');
  await page.getByTestId('composer').press('Enter');
  const stored = page.locator('[data-direction="internal"]:not([data-message-id^="~"])');
  const first = page.getByTestId('message').filter({ hasText: 'Cliente VIP, tratar com prioridade' });
  await first.and(stored).waitFor();
  assert.equal(
    await first.getByTestId('internal-label').textContent(),
    'Mensagem interna, não enviada ao contato',
  );
  assert.equal(await first.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(253, 236, 234)');

  // The prefix, with the switch off.
  await page.getByTestId('internal-switch').uncheck();
  assert.equal(await page.getByTestId('send').getAttribute('data-internal'), null);
  await page.getByTestId('composer').fill('/interna Verificar o pagamento no sistema');
  assert.equal(
    await page.getByTestId('send').getAttribute('data-internal'),
    'true',
    '/interna turns it red too',
  );
  await page.getByTestId('composer').press('Enter');
  const second = page.getByTestId('message').filter({ hasText: 'Verificar o pagamento no sistema' });
  await second.and(stored).waitFor();
  await second.getByTestId('internal-label').waitFor();
  // Once stored, the text is without the prefix.
  await eventually(
    async () => !((await second.textContent()) ?? '').includes('/interna'),
    'the stored internal message',
  );

  if (shots) await page.screenshot({ path: join(shots, 'inbox-internal.png') });
  // A normal answer does reach the phone; the internal ones never do.
  await page.getByTestId('composer').fill('Olá, Otávio! Vou gerar um novo boleto.');
  await page.getByTestId('composer').press('Enter');
  await phone.getByTestId('sim-message').filter({ hasText: 'Vou gerar um novo boleto' }).waitFor();
  await new Promise((r) => setTimeout(r, 1000));
  const onPhone = (await phone.getByTestId('sim-message').allTextContents()).join('\n');
  assert.doesNotMatch(onPhone, /VIP|Verificar o pagamento|interna/i);
  const outbox = (await (await fetch(`${stack.urls.simulator}/sim/outbox?to=${customer}`)).json()) as {
    messages: unknown[];
  };
  assert.doesNotMatch(JSON.stringify(outbox), /VIP|Verificar o pagamento/);

  assert.deepEqual(admin.errors, []);
  await phone.close();
  await admin.close();
});

test('the list: search by name (the server answers), and only unread chats', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5521987660011', 'Helena Duarte', 'Quero trocar o produto');
  await customerSends(stack, '5521987660012', 'Igor Nunes', 'Qual o prazo de entrega?');
  await conversationOf(stack, '5521987660011');
  await conversationOf(stack, '5521987660012');

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Helena Duarte').waitFor();
  await row(page, 'Igor Nunes').waitFor();

  // By name (any case, a word's start).
  await page.getByTestId('conversation-search').fill('igor');
  await row(page, 'Helena Duarte').waitFor({ state: 'detached' });
  await row(page, 'Igor Nunes').waitFor();
  assert.equal(await page.getByTestId('conversation-item').count(), 1);
  // By phone digits.
  await page.getByTestId('conversation-search').fill('21987660011');
  await row(page, 'Igor Nunes').waitFor({ state: 'detached' });
  await row(page, 'Helena Duarte').waitFor();
  assert.equal(await page.getByTestId('conversation-item').count(), 1);

  // Nothing found.
  await page.getByTestId('conversation-search').fill('Zuleica Inexistente');
  await page.getByTestId('no-conversations').waitFor();
  await page.getByTestId('conversation-search').fill('');
  await row(page, 'Helena Duarte').waitFor();
  await row(page, 'Igor Nunes').waitFor();

  // Reading Helena's chat, then "only unread": Igor stays, Helena goes.
  await row(page, 'Helena Duarte').click();
  await page.getByTestId('message').filter({ hasText: 'Quero trocar o produto' }).waitFor();
  await page.getByTestId('toggle-filters').click();
  await page.getByTestId('unread-filter').check();
  await row(page, 'Igor Nunes').waitFor();
  await row(page, 'Helena Duarte').waitFor({ state: 'detached' });
  await row(page, 'Igor Nunes').getByTestId('unread-dot').waitFor();

  // Marked unread, she is back (with the dot), and the chat closes.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-unread').click();
  await row(page, 'Helena Duarte').getByTestId('unread-dot').waitFor();
  await page.getByTestId('chat-title').waitFor({ state: 'detached' });
  // The filter is the server's too: a fresh load shows the same.
  await page.reload();
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  await page.getByTestId('toggle-filters').click();
  await page.getByTestId('unread-filter').check();
  await row(page, 'Helena Duarte').waitFor();
  await row(page, 'Igor Nunes').waitFor();

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('the list: search by protocol, as the chat header shows it', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5521987660013', 'Júlia Ramos', 'Preciso da segunda via');
  const julia = await eventually(async () => {
    const c = await conversationOf(stack, '5521987660013');
    return c.protocol ? c : undefined;
  }, 'Júlia’s protocol');

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Júlia Ramos').waitFor();
  await row(page, 'Júlia Ramos').click();
  assert.match((await page.locator('.chat-title').textContent()) ?? '', new RegExp(julia.protocol!));

  await page.getByTestId('conversation-search').fill(julia.protocol!);
  await page.getByTestId('conversation-list').getByText('Carregando…').waitFor({ state: 'detached' });
  await eventually(
    async () => (await page.getByTestId('conversation-item').count()) === 1,
    'only the searched chat listed',
  );
  await row(page, 'Júlia Ramos').waitFor();

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('searching inside a conversation scrolls back to an older message and highlights it', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660021';
  await customerSends(stack, customer, 'Sofia Prates', 'Meu código de rastreio é BR123XYZ');
  const conv = await conversationOf(stack, customer);
  const api = await adminApi(stack);
  // Sixty team notes after it: the customer's message is beyond the first page (50).
  for (let i = 1; i <= 60; i++)
    await api('POST', `/api/conversations/${conv.id}/messages`, {
      text: `Nota de acompanhamento ${i}`,
      internal: true,
      clientId: `nota-${i}`,
    });

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Sofia Prates').click();
  await page.getByTestId('message').filter({ hasText: 'Nota de acompanhamento 60' }).waitFor();
  assert.equal(await page.getByTestId('message').filter({ hasText: 'BR123XYZ' }).count(), 0);

  await page.getByTestId('open-chat-search').click();
  await page.getByTestId('chat-search-input').fill('CODIGO DE RASTREIO'); // no accent, other case
  const hit = page.getByTestId('chat-search-hit').filter({ hasText: 'BR123XYZ' });
  await hit.waitFor();
  await hit.click();

  const target = page.getByTestId('message').filter({ hasText: 'BR123XYZ' });
  await target.waitFor();
  await page.locator('.message-wrap[data-highlight="true"]').filter({ hasText: 'BR123XYZ' }).waitFor();
  await eventually(
    () =>
      target.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('[data-testid="messages"]')!.getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      }),
    'the message to be scrolled into view',
  );

  // A resynchronisation refreshes the thread (same messages, the last one ours): the agent
  // stays on the message they jumped to instead of being pulled to the bottom.
  stack.dropWebSockets();
  await page.getByTestId('resync-notice').waitFor({ timeout: 30_000 });
  await page.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  assert.ok(
    await target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const view = el.closest('[data-testid="messages"]')!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    }),
    'the message the agent jumped to is still in view after the resynchronisation',
  );

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('from the chat header: forward to a department, postpone past the window (warned), close the attendance; each is logged', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660051';
  await customerSends(stack, customer, 'Paula Vieira', 'Meu pedido veio errado');
  await conversationOf(stack, customer);

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.getByTestId('view-open').click();
  await row(page, 'Paula Vieira').click();
  const logLine = (text: string) =>
    page.locator('[data-testid="message"][data-type="system"]').filter({ hasText: text });

  // To a department: still open, now the department's.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-assign-department').click();
  await page.getByTestId('assign-department-select').selectOption({ label: 'Vendas' });
  await page.getByTestId('assign-department-submit').click();
  await page.getByTestId('chat-department').filter({ hasText: 'Vendas' }).waitFor();
  await logLine('Administrador Demo encaminhou ao setor Vendas').waitFor();
  await row(page, 'Paula Vieira').getByTestId('department-tag').filter({ hasText: 'Vendas' }).waitFor();

  // Postponed to the day after tomorrow: past the 24-hour window, so the page warns.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-postpone').click();
  const later = await page.evaluate(() => {
    const d = new Date(Date.now() + 2 * 24 * 3600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  await page.getByTestId('postpone-until').fill(later);
  await page.getByTestId('postpone-window-warning').waitFor();
  await page.getByTestId('postpone-submit').click();
  const result = page.getByTestId('postpone-result');
  await result.waitFor();
  assert.match((await result.textContent()) ?? '', /Adiada até .*modelo \(template\)/);
  await row(page, 'Paula Vieira').waitFor({ state: 'detached' }); // out of Abertos until then
  await page.getByTestId('view-all').click();
  await row(page, 'Paula Vieira').getByTestId('postponed-tag').waitFor();

  // Closed now, after a confirmation.
  await page.getByTestId('chat-actions').click();
  await page.getByTestId('action-close').click();
  await page.getByTestId('confirm-dialog').waitFor();
  await page.getByTestId('confirm-yes').click();
  await logLine('Atendimento encerrado por Administrador Demo').waitFor();
  await page.getByTestId('assignment').getByText('Encerrada').waitFor();
  assert.equal(await page.getByTestId('chat-department').count(), 0);

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('with the 24-hour window closed, the composer still sends internal messages', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660061';
  await customerSends(stack, customer, 'Renan Costa', 'Oi, tudo bem?');
  const conv = await eventually(async () => {
    const api = await adminApi(stack);
    const page = await api<{ items: (Conv & { windowExpiresAt?: number })[] }>(
      'GET',
      `/api/conversations?q=${customer}`,
    );
    return page.items.find((c) => c.windowExpiresAt);
  }, 'the conversation with its window open');
  await closeWindow(stack, conv.id);

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Renan Costa').click();
  await page.getByTestId('window-closed').waitFor();
  assert.match((await page.getByTestId('window-closed').textContent()) ?? '', /Interna\?/);
  await page.getByTestId('internal-switch').check();
  await page.getByTestId('composer').fill('Cliente voltou a escrever depois de 24 h, aguardar template');
  await page.getByTestId('send').click();
  await page
    .getByTestId('message')
    .filter({ hasText: 'aguardar template' })
    .and(page.locator('[data-direction="internal"]:not([data-message-id^="~"])'))
    .waitFor();
  assert.equal(await page.getByTestId('send-error').count(), 0);

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('a link with ?target_phone= opens that contact’s chat, or a new-chat panel that explains templates', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660031';
  await customerSends(stack, customer, 'Rafael Gomes', 'Oi, podem me ligar?');
  await conversationOf(stack, customer);

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.goto(`${stack.urls.web}/?target_phone=${customer}`);
  await page.getByTestId('chat-title').filter({ hasText: 'Rafael Gomes' }).waitFor();
  await page.getByTestId('message').filter({ hasText: 'podem me ligar' }).waitFor();
  assert.ok(!page.url().includes('target_phone'), 'the link is consumed');

  await page.goto(`${stack.urls.web}/?target_phone=5511999990000`);
  const panel = page.getByTestId('new-chat');
  await panel.waitFor();
  assert.equal(await panel.getByTestId('new-chat-phone').inputValue(), '5511999990000');
  assert.match((await panel.getByTestId('new-chat-notice').textContent()) ?? '', /modelo de mensagem/);

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('the bell lists chats forwarded to the agent’s department and their customers’ new messages while she is not on the Chat page; a click opens the chat', async () => {
  const { stack, browser } = e2e;
  const api = await adminApi(stack);
  const { items: departments } = await api<{ items: { id: string; name: string }[] }>(
    'GET',
    '/api/departments',
  );
  const suporte = departments.find((d) => d.name === 'Suporte')!;
  await api('POST', '/api/users', {
    name: 'Carla Mendes',
    email: 'carla@atende.local',
    password: 'senha-da-carla',
    role: 'agent',
    departmentIds: [suporte.id],
  });
  const customer = '5521987660041';
  await customerSends(stack, customer, 'Tiago Barros', 'Minha internet caiu');
  const conv = await conversationOf(stack, customer);

  const carla = await signIn(browser, stack, { email: 'carla@atende.local', password: 'senha-da-carla' });
  const page = carla.page;
  // The reference: notifications are registered only when the agent is not on the Chat
  // page — she is on Respostas prontas.
  await page.getByTestId('nav-quick-replies').click();
  await api('POST', `/api/conversations/${conv.id}/assign`, { departmentId: suporte.id });
  await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor();
  await customerSends(stack, customer, 'Tiago Barros', 'Ainda sem conexão aqui');
  await page.getByTestId('notification-count').filter({ hasText: '2' }).waitFor();

  await page.getByTestId('notifications').click();
  const items = page.getByTestId('notification');
  await items.filter({ hasText: 'Encaminhada ao setor Suporte' }).waitFor();
  await items.filter({ hasText: 'Ainda sem conexão aqui' }).waitFor();
  // Muting is remembered.
  if (shots) await page.screenshot({ path: join(shots, 'inbox-bell.png') });
  await page.getByTestId('notification-mute').check();
  assert.equal(await page.evaluate(() => localStorage.getItem('atende.notifications.muted')), '1');
  await items.filter({ hasText: 'Encaminhada ao setor Suporte' }).getByTestId('notification-remove').click();
  assert.equal(await items.count(), 1);
  // The list survives a reload (this browser, this agent).
  await page.reload();
  await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor();
  await page.getByTestId('notifications').click();
  await items.filter({ hasText: 'Ainda sem conexão aqui' }).waitFor();
  assert.equal(await items.count(), 1);
  await items.filter({ hasText: 'Ainda sem conexão aqui' }).locator('.notice-open').click();
  await page.getByTestId('chat-title').filter({ hasText: 'Tiago Barros' }).waitFor();
  assert.equal(await page.getByTestId('notification-count').count(), 0);

  // While she is on the Chat page, nothing notifies: neither the chat on screen nor another
  // chat of her department (its row is in the list).
  await customerSends(stack, customer, 'Tiago Barros', 'Voltou agora, obrigado');
  await page.getByTestId('message').filter({ hasText: 'Voltou agora, obrigado' }).waitFor();
  const another = '5521987660042';
  await customerSends(stack, another, 'Luíza Prado', 'Também estou sem internet');
  const second = await conversationOf(stack, another);
  await api('POST', `/api/conversations/${second.id}/assign`, { departmentId: suporte.id });
  await customerSends(stack, another, 'Luíza Prado', 'Alguém pode ver?');
  await row(page, 'Luíza Prado').filter({ hasText: 'Alguém pode ver?' }).waitFor();
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(await page.getByTestId('notification-count').count(), 0);

  assert.deepEqual(carla.errors, []);
  await carla.close();
});

test('the Chatbot switch: "Desligar chatbot" puts the chat in Abertos, "Reativar automação" appears for it and turns the automation back on', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987660051';
  await customerSends(stack, customer, 'Otávio Reis', 'Quero falar com alguém');
  const conv = await conversationOf(stack, customer);
  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  await page.getByTestId('chat-title').filter({ hasText: 'Otávio Reis' }).waitFor();
  const menu = page.getByTestId('chat-actions-menu');
  await page.getByTestId('chat-actions').click();
  await menu.waitFor();
  if (await menu.getByTestId('action-stop-bot').count()) {
    await menu.getByTestId('action-stop-bot').click();
    await page.getByTestId('chat-actions').click();
  }
  // The automation is off: the chat is in Abertos and the menu offers to turn it back on.
  await menu.getByTestId('action-reactivate-bot').waitFor();
  assert.equal(await menu.getByTestId('action-stop-bot').count(), 0);
  await page.getByTestId('view-open').click();
  await row(page, 'Otávio Reis').waitFor();
  if (!(await menu.isVisible())) await page.getByTestId('chat-actions').click();
  await menu.getByTestId('action-reactivate-bot').click();
  await eventually(async () => {
    const api = await adminApi(stack);
    const c = await api<{ routingStage?: string }>('GET', `/api/conversations/${conv.id}`);
    return c.routingStage === 'new';
  }, 'the automation back on');
  await page.getByTestId('chat-actions').click();
  await menu.getByTestId('action-stop-bot').waitFor();
  assert.equal(await menu.getByTestId('action-reactivate-bot').count(), 0);

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('the team page: an admin adds an agent with departments and permissions, edits them, and adds and renames a department', async () => {
  const { stack, browser } = e2e;
  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.getByTestId('nav-team').click();
  await page.getByTestId('team').waitFor();

  // A department first.
  await page.getByTestId('new-department-name').fill('Financeiro');
  await page.getByTestId('new-department-submit').click();
  const names = page.getByTestId('department-name');
  await eventually(
    async () =>
      (await names.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).includes(
        'Financeiro',
      ),
    'the new department listed',
  );
  const index = await names.evaluateAll((els) =>
    els.findIndex((e) => (e as HTMLInputElement).value === 'Financeiro'),
  );
  const dept = page.getByTestId('department-row').nth(index);
  await dept.getByTestId('department-name').fill('Financeiro e Cobrança');
  await dept.getByTestId('department-save').click();
  await page.getByTestId('department-save-ok').waitFor();

  // A new agent in that department.
  const form = page.getByTestId('new-user-form');
  await form.getByTestId('new-user-name').fill('Diego Faria');
  await form.getByTestId('new-user-email').fill('diego@atende.local');
  await form.getByTestId('new-user-password').fill('senha-do-diego');
  await form.getByTestId('new-user-role').selectOption('agent');
  await form.getByTestId('new-user-departments').getByLabel('Financeiro e Cobrança').check();
  await form.getByTestId('new-user-submit').click();
  await page.getByTestId('new-user-ok').waitFor();
  const userRow = page.getByTestId('user-row').filter({ hasText: 'diego@atende.local' });
  await userRow.waitFor();
  assert.equal(await userRow.getByTestId('user-role').inputValue(), 'agent');
  assert.equal(
    await userRow.getByTestId('user-departments').getByLabel('Financeiro e Cobrança').isChecked(),
    true,
  );

  // An extra permission, saved.
  await userRow.getByTestId('user-permissions').getByLabel('Ver todas as conversas').check();
  await userRow.getByTestId('user-save').click();
  await userRow.getByTestId('user-save-ok').waitFor();
  const api = await adminApi(stack);
  const { items } = await api<{ items: { email: string; permissions: string[]; departmentIds: string[] }[] }>(
    'GET',
    '/api/users',
  );
  const diego = items.find((u) => u.email === 'diego@atende.local')!;
  assert.ok(diego.permissions.includes('seeAllChats'));
  assert.equal(diego.departmentIds.length, 1);

  if (shots) await page.screenshot({ path: join(shots, 'inbox-team.png') });
  // The inbox knows the new names: the department filter and the agent picker.
  await page.getByTestId('nav-inbox').click();
  await page
    .getByTestId('department-filter')
    .locator('option', { hasText: 'Financeiro e Cobrança' })
    .waitFor({ state: 'attached' });
  await page.getByTestId('toggle-filters').click();
  await page
    .getByTestId('agent-filter')
    .locator('option', { hasText: 'Diego Faria' })
    .waitFor({ state: 'attached' });

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('a long list is virtualised and pages in as the agent scrolls', async () => {
  const { stack, browser } = e2e;
  // 45 more customers (the list's page is 30): the oldest are only reachable by scrolling.
  const names = Array.from({ length: 45 }, (_, i) => `Cliente Lote ${String(i + 1).padStart(2, '0')}`);
  for (let i = 0; i < names.length; i += 5)
    await Promise.all(
      names
        .slice(i, i + 5)
        .map((n, j) =>
          customerSends(stack, `55219877001${String(i + j).padStart(2, '0')}`, n, `Mensagem de ${n}`),
        ),
    );
  const api = await adminApi(stack);
  await eventually(async () => {
    const page = await api<{ items: Conv[] }>('GET', '/api/conversations?q=lote&limit=100');
    return page.items.length === names.length;
  }, 'every customer’s conversation');

  const admin = await signIn(browser, stack);
  const page = admin.page;
  await row(page, 'Cliente Lote 45').waitFor();
  const total = await page.evaluate(
    () => document.querySelectorAll('[data-testid="conversation-item"]').length,
  );
  assert.ok(total < 30, `only the rows on screen are in the page (${total})`);
  assert.equal(await row(page, 'Cliente Lote 01').count(), 0);

  // Scrolling to the end loads the next pages, until the oldest is there.
  await eventually(async () => {
    await page.getByTestId('conversation-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    return (await row(page, 'Cliente Lote 01').count()) === 1;
  }, 'the oldest conversation after scrolling');

  assert.deepEqual(admin.errors, []);
  await admin.close();
});

test('Integrações: "Setores isolados" is off by default; an admin turns it on and off again', async () => {
  const { stack, browser } = e2e;
  const admin = await signIn(browser, stack);
  const page = admin.page;
  await page.getByTestId('nav-integrations').click();
  const box = page.getByTestId('isolated-departments');
  await box.waitFor();
  assert.equal(await box.isChecked(), false);
  const form = page.locator('form').filter({ has: box });
  await box.check();
  await form.locator('button[type="submit"]').click();
  await form.getByTestId('save-ok').waitFor();
  const api = await adminApi(stack);
  assert.equal(
    (await api<{ isolatedDepartments: boolean }>('GET', '/api/settings')).isolatedDepartments,
    true,
  );
  await page.reload();
  await page.getByTestId('isolated-departments').waitFor();
  assert.equal(await page.getByTestId('isolated-departments').isChecked(), true);
  // Off again (the default the other tests of this file expect).
  await page.getByTestId('isolated-departments').uncheck();
  await page
    .locator('form')
    .filter({ has: page.getByTestId('isolated-departments') })
    .locator('button[type="submit"]')
    .click();
  await page.getByTestId('save-ok').first().waitFor();
  assert.equal(
    (await api<{ isolatedDepartments: boolean }>('GET', '/api/settings')).isolatedDepartments,
    false,
  );
  assert.deepEqual(admin.errors, []);
  await admin.close();
});
