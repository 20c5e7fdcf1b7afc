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
