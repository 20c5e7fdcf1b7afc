/**
 * Browser: the AI pages as an admin uses them. A knowledge base gets a Markdown document
 * (live progress until ready; other file types refused in Portuguese; the try-it search
 * finds the passage); an assistant with that base and the search tool is created; in
 * "Testar" a question makes the (scripted, OpenAI-compatible) model call the search tool
 * and answer: the tool-call record, the reply's cost and the conversation's total show.
 * With the AI connection cleared the page and the panel say "modo offline" and the answer
 * quotes the knowledge base. The conversations appear under "Conversas com assistentes",
 * and the CSV and JSON exports download files.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startScriptedLlm, type ScriptedLlm } from '../integration/llm-server.ts';
import { adminApi, customerSends, type E2E, login, startE2E } from './browser.ts';

const shots = process.env.E2E_SCREENSHOTS;
let e2e: E2E;
let llm: ScriptedLlm;
let dir: string;
let page: Page;
const pageErrors: string[] = [];

const FAQ = `# Política da loja

## Prazo de entrega
O prazo de entrega é de até 5 dias úteis para todo o Brasil. Pedidos pagos até as 14h saem no mesmo dia.

## Trocas e devoluções
Você pode trocar ou devolver um produto em até 30 dias depois de recebê-lo, com a nota fiscal.
`;

beforeAll(async () => {
  llm = await startScriptedLlm();
  // The scripted model is plain http on this machine: the operator's allow-list lets it through.
  e2e = await startE2E('ai', { outboundAllowedOrigins: [new URL(llm.baseUrl).origin] });
  dir = mkdtempSync(join(tmpdir(), 'atende-e2e-ai-files-'));
  page = await e2e.browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => {
  await page?.close();
  await llm?.stop();
  await e2e?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an admin builds a knowledge base and an assistant, and tests it: tool call, reply cost and total', async () => {
  const { stack } = e2e;
  const api = await adminApi(stack);
  await api('PATCH', '/api/ai/settings', { baseUrl: llm.baseUrl, apiKey: 'sk-e2e-test' });
  llm.script.push(
    {
      toolCalls: [['search_knowledge_base', { query: 'prazo de entrega' }]],
      usage: { prompt: 800, completion: 20 },
    },
    {
      content: 'O prazo de entrega é de até 5 dias úteis. 🚚',
      usage: { prompt: 1100, completion: 40, cached: 200 },
    },
  );

  await login(page, stack);
  await page.getByTestId('nav-assistants').click();
  await page.getByTestId('assistants-page').waitFor();
  assert.equal(await page.getByTestId('ai-mode').getAttribute('data-mode'), 'online');
  assert.equal(await page.getByTestId('offline-notice').count(), 0);

  // The AI connection shows the saved key without showing it.
  await page.getByTestId('open-ai-connection').click();
  assert.equal(await page.getByTestId('ai-base-url').inputValue(), llm.baseUrl);
  assert.equal(await page.getByTestId('ai-api-key').inputValue(), '');
  assert.equal(await page.getByTestId('ai-api-key').getAttribute('placeholder'), 'chave salva');
  assert.equal(await page.getByTestId('ai-source').getAttribute('data-source'), 'account');
  if (shots) await page.screenshot({ path: join(shots, 'ai-connection.png') });
  await page.getByTestId('price-row').first().waitFor();

  // A knowledge base with a Markdown document, read in the background with live progress.
  await page.getByTestId('ai-tab-knowledge').click();
  await page.getByTestId('new-kb-name').fill('Política da loja');
  await page.getByTestId('new-kb-submit').click();
  await page.getByTestId('kb-item').filter({ hasText: 'Política da loja' }).waitFor();
  assert.equal(await page.getByTestId('kb-name').inputValue(), 'Política da loja');
  const md = join(dir, 'politica.md');
  writeFileSync(md, FAQ);
  const docx = join(dir, 'contrato.docx');
  writeFileSync(docx, 'not really a docx');
  await page.getByTestId('kb-upload').setInputFiles(docx);
  await page
    .getByTestId('kb-upload-error')
    .filter({ hasText: 'contrato.docx: a base de conhecimento aceita só arquivos .txt, .md ou .pdf.' })
    .waitFor();
  await page.getByTestId('kb-upload').setInputFiles(md);
  const doc = page.getByTestId('kb-document').filter({ hasText: 'politica.md' });
  await doc.waitFor();
  await doc.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 60_000 });
  assert.ok(Number(await doc.getByTestId('doc-passages').textContent()) >= 1, 'passages were counted');
  await page
    .getByTestId('kb-item')
    .filter({ hasText: 'Política da loja' })
    .filter({ hasText: '1 documento' })
    .waitFor();

  // Try it: the search the assistant uses finds the passage.
  await page.getByTestId('kb-search').fill('qual o prazo de entrega?');
  await page.getByTestId('kb-search-submit').click();
  await page.getByTestId('kb-hit').first().filter({ hasText: '5 dias úteis' }).waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'ai-knowledge.png') });

  // An assistant with that base and the search tool.
  await page.getByTestId('ai-tab-assistants').click();
  await page.getByTestId('new-assistant').click();
  const form = page.getByTestId('assistant-form');
  await form.getByTestId('assistant-name').fill('Lia');
  await form.getByTestId('assistant-prompt').fill('Você é a Lia, da loja. Responda com base na política.');
  await form.getByTestId('assistant-tools').getByLabel('Buscar na base de conhecimento').check();
  await form.getByTestId('assistant-bases').getByLabel('Política da loja').check();
  await form.getByTestId('all-day').uncheck();
  await form.getByTestId('weekday-6').getByRole('button', { name: '+ horário' }).click();
  if (shots) await page.screenshot({ path: join(shots, 'ai-hours.png'), fullPage: true });
  await form.getByTestId('all-day').check();
  await form.getByTestId('save-assistant').click();
  await page.getByTestId('assistant-save-ok').waitFor();
  await page.getByTestId('assistant-item').filter({ hasText: 'Lia' }).waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'ai-assistant.png'), fullPage: true });
  const saved = await api<{
    items: { name: string; tools: string[]; knowledgeBaseIds: string[]; workingHours?: unknown }[];
  }>('GET', '/api/assistants');
  const lia = saved.items.find((a) => a.name === 'Lia');
  assert.ok(lia, 'the assistant was created');
  assert.ok(lia.tools.includes('search_knowledge_base'));
  assert.equal(lia.knowledgeBaseIds.length, 1);
  assert.equal(lia.workingHours, undefined, '24 hours');

  // Testar: the question, the tool call, the answer with its cost, the total.
  await page.getByTestId('ai-tab-test').click();
  await page.getByTestId('test-assistant').selectOption({ label: 'Lia' });
  assert.equal(await page.getByTestId('offline-notice').count(), 0);
  await page.getByTestId('test-input').fill('Qual o prazo de entrega?');
  await page.getByTestId('test-input').press('Enter');
  await page
    .getByTestId('test-message')
    .and(page.locator('[data-direction="in"]'))
    .filter({ hasText: 'Qual o prazo de entrega?' })
    .waitFor();
  const call = page.getByTestId('tool-call').and(page.locator('[data-tool="search_knowledge_base"]'));
  await call.waitFor({ timeout: 30_000 });
  await call.locator('summary').click();
  assert.match((await call.getByTestId('tool-arguments').textContent()) ?? '', /prazo de entrega/);
  assert.match((await call.getByTestId('tool-result').textContent()) ?? '', /5 dias úteis/);
  const reply = page
    .getByTestId('test-message')
    .and(page.locator('[data-sender="assistant"]'))
    .filter({ hasText: 'O prazo de entrega é de até 5 dias úteis.' });
  await reply.waitFor({ timeout: 30_000 });
  const cost = (await reply.getByTestId('reply-cost').textContent()) ?? '';
  assert.match(cost, /^US\$\s0,\d+ · [\d.]+ tokens$/, `reply cost: ${cost}`);
  await page
    .getByTestId('test-total')
    .filter({ hasText: /Total da conversa: US\$\s0,0*[1-9]\d* · 1\.960 tokens/ })
    .waitFor({ timeout: 15_000 });
  // The tool call's record sits between the question and the answer.
  const order = await page
    .getByTestId('test-messages')
    .locator('[data-testid="tool-call"], [data-testid="test-message"]')
    .evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-testid') + ':' + (e.getAttribute('data-sender') ?? '')),
    );
  assert.deepEqual(order, ['test-message:contact', 'tool-call:', 'test-message:assistant']);
  if (shots) await page.screenshot({ path: join(shots, 'ai-test.png') });
  assert.equal(llm.requests.length, 2, 'the model was asked twice (tool call, then the answer)');
  assert.equal(llm.requests[0]!.headers.authorization, 'Bearer sk-e2e-test');
  assert.deepEqual(pageErrors, []);
});

test('offline: the page and the Testar panel say so, the answer quotes the knowledge base; the conversations list and its exports', async () => {
  const { stack } = e2e;
  const api = await adminApi(stack);
  const s = await api<{ mode: string; hasApiKey: boolean }>('PATCH', '/api/ai/settings', {
    baseUrl: '',
    apiKey: '',
  });
  assert.equal(s.mode, 'offline');
  assert.equal(s.hasApiKey, false);
  const asked = llm.requests.length;

  await page.getByTestId('ai-tab-test').click(); // a tab reloads the settings
  await page.getByTestId('ai-mode').and(page.locator('[data-mode="offline"]')).waitFor();
  await page.getByTestId('offline-notice').filter({ hasText: 'modo offline' }).waitFor();
  assert.equal(
    await page.locator('.banner', { hasText: /offline/i }).count(),
    1,
    'one offline banner, not two (issue 15)',
  );
  await page.getByTestId('test-new').click();
  assert.equal(await page.getByTestId('test-message').count(), 0, 'a new test conversation starts empty');
  await page.getByTestId('test-assistant').selectOption({ label: 'Lia' });
  await page.getByTestId('test-input').fill('Em quantos dias chega a entrega?');
  await page.getByTestId('test-send').click();
  const reply = page
    .getByTestId('test-message')
    .and(page.locator('[data-sender="assistant"]'))
    .filter({ hasText: 'modo offline' });
  await reply.waitFor({ timeout: 30_000 });
  assert.match((await reply.textContent()) ?? '', /5 dias úteis/, 'the answer quotes the knowledge base');
  assert.equal(await reply.getByTestId('reply-cost').textContent(), 'offline, sem custo');
  assert.equal(llm.requests.length, asked, 'no model was asked');
  if (shots) await page.screenshot({ path: join(shots, 'ai-test-offline.png') });

  // Conversas com assistentes: both test conversations, filtered, exported.
  await page.getByTestId('ai-tab-conversations').click();
  const rows = page.getByTestId('aic-row');
  await rows.nth(1).waitFor({ timeout: 15_000 });
  assert.equal(await rows.count(), 2);
  await page.getByTestId('aic-type').selectOption('whatsapp');
  await page.getByText('Nenhuma conversa com assistentes com esses filtros.').waitFor();
  await page.getByTestId('aic-type').selectOption('test');
  await page.getByTestId('aic-assistant').selectOption({ label: 'Lia' });
  await rows.nth(1).waitFor();
  assert.match((await rows.first().textContent()) ?? '', /Lia.*Teste/);
  // Dates are days in the account's time zone (São Paulo).
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(ms);
  await page.getByTestId('aic-from').fill(day(Date.now()));
  await page.getByTestId('aic-to').fill(day(Date.now()));
  await rows.nth(1).waitFor();
  await page.getByTestId('aic-to').fill(day(Date.now() - 86_400_000));
  await page
    .getByTestId('aic-error')
    .filter({ hasText: 'A data inicial deve ser igual ou anterior à final.' })
    .waitFor();
  await page.getByTestId('aic-from').fill(day(Date.now() - 2 * 86_400_000));
  await page.getByText('Nenhuma conversa com assistentes com esses filtros.').waitFor();
  await page.getByTestId('aic-from').fill('');
  await page.getByTestId('aic-to').fill('');
  await rows.nth(1).waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'ai-conversations.png') });

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  assert.equal(csv.suggestedFilename(), 'conversas-assistentes.csv');
  const csvText = readFileSync((await csv.path())!, 'utf8');
  const lines = csvText.trim().split('\r\n');
  assert.match(
    csvText,
    /^\ufeffconversationId;attendanceId;assistantId;assistantName;type;/,
    'a header row, for Excel in pt-BR',
  );
  assert.equal(lines.length, 3, 'the header and two conversations');

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  assert.equal(json.suggestedFilename(), 'conversas-assistentes.json');
  const parsed = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { items: { type: string }[] };
  assert.deepEqual(
    parsed.items.map((i) => i.type),
    ['test', 'test'],
  );
  assert.deepEqual(pageErrors, []);
});

test('a WhatsApp customer talks to the assistant: the inbox shows its tool calls, the reply cost, the AI total and the variables', async () => {
  const { stack } = e2e;
  const api = await adminApi(stack);
  await api('PATCH', '/api/ai/settings', { baseUrl: llm.baseUrl, apiKey: 'sk-e2e-test' });

  // The variables editor: Lia collects the customer's e-mail.
  await page.getByTestId('ai-tab-assistants').click();
  await page.getByTestId('assistant-item').filter({ hasText: 'Lia' }).click();
  const form = page.getByTestId('assistant-form');
  await form.getByTestId('assistant-tools').getByLabel('Guardar variáveis do cliente').check();
  await form.getByTestId('add-variable').click();
  const variable = form.getByTestId('variable').first();
  await variable.getByLabel('Nome (a-z, 0-9, _)').fill('email');
  await variable.getByLabel('Tipo').selectOption({ label: 'E-mail' });
  await variable.getByLabel('Descrição').fill('O e-mail do cliente');
  // The HTTP endpoints editor: headers as name + write-only value, parameters as a JSON Schema.
  await form.getByTestId('add-http-tool').click();
  const endpoint = form.getByTestId('http-tool').first();
  await endpoint.getByLabel('Nome (a-z, 0-9, _)').fill('consulta_pedido');
  await endpoint.getByLabel('Método').selectOption('GET');
  await endpoint.getByLabel('URL').fill('https://api.loja.example/pedidos');
  await endpoint.getByLabel('Descrição (quando usar)').fill('Consulta um pedido pelo número');
  await endpoint.getByTestId('add-http-header').click();
  await endpoint.getByLabel('Nome do cabeçalho').fill('Authorization');
  await endpoint.getByLabel('Valor').fill('Bearer abc');
  await endpoint.getByLabel('Parâmetros (JSON Schema)').fill('{"type": "object", "properties": {"numero": ');
  await form.getByTestId('save-assistant').click();
  await page.getByTestId('assistant-save-error').filter({ hasText: 'JSON inválido' }).waitFor();
  await endpoint
    .getByLabel('Parâmetros (JSON Schema)')
    .fill('{"type": "object", "properties": {"numero": {"type": "string"}}}');
  if (shots) await page.screenshot({ path: join(shots, 'ai-endpoints.png'), fullPage: true });
  await form.getByTestId('save-assistant').click();
  await page.getByTestId('assistant-save-ok').waitFor();
  // The value is write-only: once saved the form says "definido" and holds no value.
  const header = endpoint.getByTestId('http-header').first();
  await header.getByText('definido', { exact: true }).waitFor();
  assert.equal(await header.getByLabel('Valor').inputValue(), '');

  const assistants = await api<{
    items: {
      id: string;
      name: string;
      variables: { name: string; type: string }[];
      httpTools: {
        name: string;
        method: string;
        headers: { name: string; set: boolean }[];
        parameters: unknown;
      }[];
    }[];
  }>('GET', '/api/assistants');
  const lia = assistants.items.find((a) => a.name === 'Lia')!;
  assert.deepEqual(
    lia.variables.map((v) => [v.name, v.type]),
    [['email', 'email']],
  );
  assert.deepEqual(
    lia.httpTools.map((h) => [h.name, h.method, h.headers, h.parameters]),
    [
      [
        'consulta_pedido',
        'GET',
        [{ name: 'Authorization', set: true }],
        { type: 'object', properties: { numero: { type: 'string' } } },
      ],
    ],
  );
  const numbers = await api<{ items: { id: string; phoneNumberId: string }[] }>('GET', '/api/numbers');
  const demo = numbers.items.find((n) => n.phoneNumberId === stack.demo.phoneNumberId)!;
  const departments = await api<{ items: { id: string }[] }>('GET', '/api/departments');
  // No grouping delay: the assistant's job goes only after the engine wrote that the
  // assistant holds the chat, so it answers a new chat at once.
  await api('PATCH', `/api/numbers/${demo.id}`, {
    routing: { kind: 'assistant', assistantId: lia.id, backupDepartmentId: departments.items[0]!.id },
    groupMessagesSeconds: 0,
  });

  llm.script.push(
    {
      toolCalls: [['set_variable', { name: 'email', value: 'ana@exemplo' }]],
      usage: { prompt: 500, completion: 15 },
    },
    {
      toolCalls: [['set_variable', { name: 'email', value: 'ana@exemplo.com.br' }]],
      usage: { prompt: 600, completion: 15 },
    },
    { content: 'Anotei seu e-mail, Ana. Posso ajudar em algo mais?', usage: { prompt: 700, completion: 20 } },
  );
  await customerSends(stack, '5511987651234', 'Ana Souza', 'Meu e-mail é ana@exemplo.com.br');

  await page.getByTestId('nav-inbox').click();
  await page.getByTestId('conversation-item').filter({ hasText: 'Ana Souza' }).click({ timeout: 30_000 });
  const messages = page.getByTestId('messages');
  const calls = messages.getByTestId('tool-call').and(page.locator('[data-tool="set_variable"]'));
  await calls.nth(1).waitFor({ timeout: 30_000 });
  const refused = calls.and(page.locator('[data-error="true"]'));
  assert.equal(await refused.count(), 1, 'the invalid e-mail was refused (an error record)');
  await refused.locator('summary').click();
  assert.match((await refused.getByTestId('tool-result').textContent()) ?? '', /Valor recusado/);
  const reply = messages.getByTestId('message').filter({ hasText: 'Anotei seu e-mail, Ana.' });
  await reply.waitFor({ timeout: 30_000 });
  assert.match((await reply.getByTestId('reply-cost').textContent()) ?? '', /^US\$\s0,\d+ · 1\.850 tokens$/);
  await page
    .getByTestId('chat-ai-cost')
    .filter({ hasText: /^IA: US\$\s0,\d+ · 1\.850 tokens$/ })
    .waitFor();
  await page.getByTestId('open-variables').click();
  await page
    .getByTestId('panel-variables')
    .getByTestId('variable-item')
    .filter({ hasText: 'email' })
    .filter({ hasText: 'ana@exemplo.com.br' })
    .waitFor();
  if (shots) await page.screenshot({ path: join(shots, 'ai-inbox.png') });

  // The assistant conversations list has it as a WhatsApp conversation.
  await page.getByTestId('nav-assistants').click();
  await page.getByTestId('ai-tab-conversations').click();
  await page.getByTestId('aic-type').selectOption('whatsapp');
  await page.getByTestId('aic-q').fill('Ana');
  await page
    .getByTestId('aic-row')
    .filter({ hasText: 'Ana Souza' })
    .filter({ hasText: 'WhatsApp' })
    .waitFor();
  assert.equal(await page.getByTestId('aic-row').count(), 1);

  // Deleting asks first; a base an assistant uses is not deleted (the API says why).
  await api('POST', '/api/assistants', { name: 'Temporário' });
  await page.getByTestId('ai-tab-assistants').click();
  await page.getByTestId('assistant-item').filter({ hasText: 'Temporário' }).click();
  await page.getByTestId('delete-assistant').click();
  await page.getByTestId('confirm-delete').filter({ hasText: 'Apagar o assistente Temporário?' }).waitFor();
  await page.getByTestId('confirm-delete-yes').click();
  await page.getByTestId('assistant-item').filter({ hasText: 'Temporário' }).waitFor({ state: 'detached' });
  await page.getByTestId('ai-tab-knowledge').click();
  await page.getByTestId('kb-item').filter({ hasText: 'Política da loja' }).click();
  await page.getByTestId('kb-delete').click();
  await page.getByTestId('kb-confirm-delete-yes').click();
  await page.getByTestId('kb-delete-error').filter({ hasText: 'Lia' }).waitFor();
  assert.deepEqual(pageErrors, []);
});

test('an agent without the settings permission sees the AI pages read-only', async () => {
  const { stack, browser } = e2e;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const agent = await context.newPage();
  const errors: string[] = [];
  agent.on('pageerror', (e) => errors.push(e.message));
  await agent.goto(stack.urls.web);
  await agent.getByTestId('email').fill('agente@atende.local');
  await agent.getByTestId('password').fill(stack.demo.password!);
  await agent.getByTestId('sign-in').click();
  await agent.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();
  assert.equal(await agent.getByTestId('nav-integrations').count(), 0);
  await agent.getByTestId('nav-assistants').click();
  await agent.getByTestId('read-only').waitFor();
  await agent.getByTestId('assistant-item').filter({ hasText: 'Lia' }).click();
  assert.equal(await agent.getByTestId('assistant-name').inputValue(), 'Lia');
  assert.ok(await agent.getByTestId('assistant-name').isDisabled(), 'the form is read-only');
  assert.equal(await agent.getByTestId('save-assistant').count(), 0);
  assert.equal(await agent.getByTestId('new-assistant').count(), 0);
  await agent.getByTestId('ai-tab-knowledge').click();
  await agent.getByTestId('kb-item').filter({ hasText: 'Política da loja' }).click();
  await agent.getByTestId('kb-document').filter({ hasText: 'politica.md' }).waitFor();
  assert.equal(await agent.getByTestId('kb-upload').count(), 0);
  await agent.getByTestId('ai-tab-test').click();
  await agent.getByText('Testar assistentes exige a permissão Configurações.').waitFor();
  await agent.getByTestId('ai-tab-conversations').click();
  await agent.getByTestId('aic-row').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
