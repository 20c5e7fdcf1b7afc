/**
 * Browser: the layout at desktop and phone width (390 px). Integrações' number form and
 * its triage-menu editor show every control inside the viewport, none covered by another
 * (a global `.list` grid rule once squeezed the form into the left column); an open chat
 * fits a phone (no sideways scroll; Enviar and Ações reachable) and the header folds
 * Ressincronizar, the language and Sair into a user menu.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { customerSends, type E2E, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('layout');
});
afterAll(async () => {
  await e2e?.close();
});

const viewports = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'phone', width: 390, height: 844 },
];

/** Controls under `selector` that are off-screen sideways, empty, or covered at their centre. */
function hiddenControls(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return [`${sel} is missing`];
    const bad: string[] = [];
    // Controls not laid out at all (a hidden file input) are not part of the layout.
    const controls = [...root.querySelectorAll<HTMLElement>('input, select, textarea, button')].filter(
      (el) => getComputedStyle(el).display !== 'none' && !el.closest('[hidden]'),
    );
    controls.forEach((el, i) => {
      el.scrollIntoView({ block: 'center', inline: 'nearest' });
      const r = el.getBoundingClientRect();
      const what = `${el.tagName.toLowerCase()}#${i} ${el.getAttribute('data-testid') ?? el.getAttribute('placeholder') ?? el.textContent?.trim() ?? ''}`;
      if (r.width < 8 || r.height < 8) bad.push(`${what}: ${r.width}×${r.height}`);
      else if (r.left < 0 || r.right > innerWidth + 0.5 || r.top < 0 || r.bottom > innerHeight + 0.5)
        bad.push(
          `${what}: outside the viewport (${Math.round(r.left)}–${Math.round(r.right)} of ${innerWidth})`,
        );
      else {
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !(hit === el || el.contains(hit)))
          bad.push(`${what}: covered by ${hit?.tagName}.${hit?.className}`);
      }
    });
    return bad;
  }, selector);
}

const overflow = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

test('Integrações: the number form and the menu editor show every control, at desktop and phone width', async () => {
  const { stack, browser } = e2e;
  for (const vp of viewports) {
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
    const page = await context.newPage();
    await login(page, stack);
    await page.goto(`${stack.urls.web}/integracoes`);
    await page.getByTestId('number-form').waitFor();
    await page.getByTestId('routing-kind').selectOption('menu');
    await page.getByTestId('menu-editor').waitFor();
    await page.getByTestId('add-option').click();
    await page.getByTestId('option-target').nth(1).selectOption({ index: 1 });
    assert.equal(await overflow(page), 0, `${vp.name}: no sideways scroll`);
    const form = await page.getByTestId('number-form').boundingBox();
    assert.ok(
      form && form.width >= Math.min(320, vp.width - 40),
      `${vp.name}: the form has room (${form?.width} px)`,
    );
    assert.deepEqual(await hiddenControls(page, '[data-testid="number-form"]'), [], vp.name);
    await context.close();
  }
});

test('phone width: an open chat fits, Enviar and Ações work, the header folds into a user menu', async () => {
  const { stack, browser } = e2e;
  await customerSends(stack, '5511977002200', 'Cliente Celular Com Um Nome Bem Comprido', 'Oi, pelo celular');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  await login(page, stack);
  assert.equal(await overflow(page), 0, 'the list fits');
  await page.getByTestId('conversation-item').filter({ hasText: 'Cliente Celular' }).click();
  await page.getByTestId('composer').waitFor();
  assert.equal(await overflow(page), 0, 'the open chat fits: no sideways scroll');
  assert.deepEqual(await hiddenControls(page, '.composer'), [], 'the composer’s controls');

  await page.getByTestId('chat-actions').click();
  await page.getByTestId('chat-actions-menu').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('composer').fill('Resposta pelo celular');
  await page.getByTestId('send').click();
  await page.locator('[data-testid="message"]', { hasText: 'Resposta pelo celular' }).waitFor();

  // The header: one button holds Ressincronizar, the language and Sair.
  assert.equal(await page.getByTestId('resync').isVisible(), false);
  await page.getByTestId('user-menu').click();
  await page.getByTestId('resync').waitFor();
  assert.ok(await page.getByTestId('language').isVisible());
  assert.ok(await page.getByTestId('sign-out').isVisible());
  assert.deepEqual(await hiddenControls(page, '[data-testid="user-menu-items"]'), [], 'the user menu');
  assert.equal(await overflow(page), 0, 'the open menu fits');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('resync').isVisible(), false, 'Escape closes the menu');
  await context.close();
});
