/**
 * Browser: accessibility. An automated WCAG 2.1 A/AA audit (axe-core, its source injected
 * into the page) finds nothing on any page: login, the inbox with an open chat, Equipe,
 * Integrações, Assistentes, Falhas, Respostas prontas and the simulator's phone page.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { adminApi, customerSends, type E2E, eventually, login, startE2E } from './browser.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('a11y');
});
afterAll(async () => {
  await e2e?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now. */
async function audit(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    const r = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })) as { violations: Violation[] };
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

const describe = (name: string, vs: Violation[]) =>
  vs.flatMap((v) => v.nodes.map((n) => `${name}: ${v.id} ${n.target.join(' ')} — ${n.failureSummary ?? ''}`));

test('WCAG 2.1 A/AA: axe-core finds nothing on any page', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5511977001100', 'Cliente Acessível', 'Olá, preciso de ajuda');
  const api = await adminApi(stack);
  const conv = await eventually(async () => {
    const r = await api<{ items: { id: string; contactPhone: string }[] }>(
      'GET',
      '/api/conversations?q=5511977001100',
    );
    return r.items.find((c) => c.contactPhone === '5511977001100');
  }, 'the conversation');

  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    // The app's CSP (script-src 'self') would refuse the injected audit.
    bypassCSP: true,
  });
  const page = await context.newPage();
  const found: string[] = [];
  const check = async (name: string) => {
    const vs = await audit(page);
    found.push(...describe(name, vs));
  };

  await page.goto(stack.urls.web);
  await page.getByTestId('sign-in').waitFor();
  await check('login');

  await login(page, stack);
  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  await page.locator('[data-testid="message"]', { hasText: 'Olá, preciso de ajuda' }).waitFor();
  await check('inbox');

  await page.getByTestId('nav-team').click();
  await page.getByTestId('team').waitFor();
  await page.waitForLoadState('networkidle');
  await check('equipe');

  await page.getByTestId('nav-integrations').click();
  await page.getByTestId('number-form').waitFor();
  await check('integrações');
  await page.getByTestId('routing-kind').selectOption('menu');
  await page.getByTestId('menu-editor').waitFor();
  await check('integrações (menu)');

  await page.getByTestId('nav-assistants').click();
  await page.getByTestId('assistants-page').waitFor();
  await page.waitForLoadState('networkidle');
  await check('assistentes');

  await page.getByTestId('nav-failures').click();
  await page.waitForLoadState('networkidle');
  await check('falhas');

  await page.getByTestId('nav-quick-replies').click();
  await page.waitForLoadState('networkidle');
  await check('respostas prontas');

  await page.goto(stack.urls.simulator);
  await page.getByTestId('sim-send').waitFor();
  await check('simulador');

  await context.close();
  if (process.env.A11Y_REPORT) console.log(`${found.length} violating elements\n${found.join('\n')}`);
  assert.deepEqual(found, [], `${found.length} elements in violation`);
});

test('the inbox by keyboard alone: arrows between chats, Enter opens, Tab to the composer and reply, open Ações', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5511977001201', 'Teclado Um', 'Primeira pelo teclado');
  await customerSends(stack, '5511977001202', 'Teclado Dois', 'Segunda pelo teclado');
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await login(page, stack);
  await page.getByTestId('conversation-item').filter({ hasText: 'Teclado Dois' }).waitFor();
  await page.getByTestId('conversation-item').filter({ hasText: 'Teclado Um' }).waitFor();

  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { testid: el?.dataset.testid, id: el?.dataset.conversationId, text: el?.textContent ?? '' };
    });
  /** Tab (or Shift+Tab) until the focused element has this test id. */
  const tabTo = async (testid: string, key = 'Tab') => {
    for (let i = 0; i < 80; i++) {
      if ((await focused()).testid === testid) return;
      await page.keyboard.press(key);
    }
    throw new Error(`Tab never reached ${testid}`);
  };

  // Rows have one height, whatever tags they carry.
  const heights = await page
    .getByTestId('conversation-item')
    .evaluateAll((rows) => rows.map((r) => Math.round(r.getBoundingClientRect().height)));
  assert.ok(heights.length >= 3 && new Set(heights).size === 1, `equal row heights: ${heights.join(', ')}`);

  await tabTo('conversation-item');
  const first = await focused();
  await page.keyboard.press('ArrowDown');
  const second = await focused();
  assert.equal(second.testid, 'conversation-item', 'ArrowDown moves to the next chat');
  assert.notEqual(second.id, first.id);
  await page.keyboard.press('ArrowUp');
  assert.equal((await focused()).id, first.id, 'ArrowUp comes back');
  await page.keyboard.press('ArrowDown');

  await page.keyboard.press('Enter');
  const name = second.text.includes('Teclado Um') ? 'Teclado Um' : 'Teclado Dois';
  await page.getByTestId('chat-title').filter({ hasText: name }).waitFor();

  await tabTo('composer');
  await page.keyboard.type('Resposta só pelo teclado');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="message"]', { hasText: 'Resposta só pelo teclado' }).waitFor();

  await tabTo('chat-actions', 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.getByTestId('chat-actions-menu').waitFor();
  await context.close();
});
