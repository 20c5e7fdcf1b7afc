/**
 * The whole pipeline as two people use it: a customer writes on the simulator's phone
 * page, the agent sees it arrive live, answers, the phone shows the answer, and the inbox
 * shows the read tick; media both ways; the 24-hour window; and a dropped connection
 * that the inbox recovers from by itself, saying so.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { apiAs, closeWindow, customerSends, eventually, login, startE2E, type E2E } from './browser.ts';

let e2e: E2E;
const shots = process.env.E2E_SCREENSHOTS;

beforeAll(async () => {
  e2e = await startE2E('live');
});

afterAll(async () => {
  await e2e?.close();
});

async function openPhone(from: string, name: string): Promise<Page> {
  const phone = await e2e.browser.newPage();
  await phone.goto(e2e.stack.urls.simulator);
  await phone.getByTestId('sim-from').fill(from);
  await phone.getByTestId('sim-from').dispatchEvent('change');
  await phone.getByTestId('sim-name').fill(name);
  await phone.getByTestId('sim-name').dispatchEvent('change');
  return phone;
}

test('a customer writes, the agent answers live, the phone reads it and the inbox shows the read tick', async () => {
  const { stack, browser } = e2e;
  const inbox = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  inbox.on('pageerror', (e) => pageErrors.push(e.message));
  await login(inbox, stack);

  const phone = await openPhone('5521987650001', 'Carla Souza');
  await phone.getByTestId('sim-text').fill('Bom dia! Meu pedido ainda não chegou.');
  await phone.getByTestId('sim-send').click();

  // Live: the conversation appears at the top of the list, unread, with the preview.
  const row = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Souza' });
  await row.filter({ hasText: 'Meu pedido ainda não chegou' }).waitFor();
  await row.getByTestId('unread-dot').waitFor();
  assert.equal(
    await inbox.getByTestId('conversation-item').first().getAttribute('data-conversation-id'),
    await row.getAttribute('data-conversation-id'),
  );

  await row.click();
  const incoming = inbox.getByTestId('message').filter({ hasText: 'Bom dia! Meu pedido ainda não chegou.' });
  await incoming.waitFor();
  assert.equal(await incoming.getAttribute('data-direction'), 'in');
  assert.equal(await row.getByTestId('unread-dot').count(), 0, 'opening the conversation marks it read');

  // A second message arrives while the conversation is open.
  await phone.getByTestId('sim-text').fill('O número é 4521.');
  await phone.getByTestId('sim-send').click();
  await inbox.getByTestId('message').filter({ hasText: 'O número é 4521.' }).waitFor();

  await inbox.getByTestId('composer').fill('Olá, Carla! Vou verificar agora mesmo.');
  await inbox.getByTestId('composer').press('Enter');
  assert.equal(await inbox.getByTestId('composer').inputValue(), '', 'Enter sends and clears the composer');

  // The phone shows the answer; showing it sends the read receipt back to the business.
  await phone.getByTestId('sim-message').filter({ hasText: 'Vou verificar agora mesmo' }).waitFor();
  const outbox = (await (await fetch(`${stack.urls.simulator}/sim/outbox?to=5521987650001`)).json()) as {
    messages: { direction: string; payload: { text?: { body?: string } } }[];
  };
  assert.ok(
    outbox.messages.some(
      (m) => m.direction === 'business' && m.payload.text?.body === 'Olá, Carla! Vou verificar agora mesmo.',
    ),
    'the simulator received the agent’s answer through the Graph API',
  );
  const reply = inbox.getByTestId('message').filter({ hasText: 'Vou verificar agora mesmo' });
  assert.equal(await reply.getAttribute('data-direction'), 'out');
  await reply.and(inbox.locator('[data-status="read"]')).waitFor({ timeout: 20_000 });
  assert.match((await reply.getByTestId('message-status').textContent()) ?? '', /Lida/);
  // The list shows the reply as the last message, live (no reload): the settled send's
  // push carries the conversation showing it, also when the touch's answer was lost.
  await row
    .getByTestId('conversation-preview')
    .filter({ hasText: /Você: Olá, Carla! Vou verificar agora mesmo\./ })
    .waitFor({ timeout: 5_000 });

  // Shift+Enter breaks the line instead of sending.
  await inbox.getByTestId('composer').fill('Linha 1');
  await inbox.getByTestId('composer').press('Shift+Enter');
  await inbox.getByTestId('composer').pressSequentially('Linha 2');
  assert.equal(await inbox.getByTestId('composer').inputValue(), 'Linha 1\nLinha 2');
  await inbox.getByTestId('composer').fill('');

  if (shots) await inbox.screenshot({ path: join(shots, 'inbox.png') });
  assert.deepEqual(pageErrors, []);
  await phone.close();
  await inbox.close();
});

/** A solid-colour PNG (what a phone camera would send, much smaller). */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('media both ways: the customer’s photo and location show inline, the agent’s attachment reaches the phone', async () => {
  const { stack, browser } = e2e;
  const inbox = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await login(inbox, stack);
  const customer = '5521987650003';
  const phone = await openPhone(customer, 'Bruno Alves');

  const photo = png(48, 32, [30, 130, 200]);
  const sent = await fetch(`${stack.urls.simulator}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: customer,
      name: 'Bruno Alves',
      phoneNumberId: stack.demo.phoneNumberId,
      type: 'image',
      media: { base64: photo.toString('base64'), mimeType: 'image/png', caption: 'Foto da caixa amassada' },
    }),
  });
  assert.equal(sent.status, 200);
  await phone.locator('#b-loc').click(); // the phone page's "send my location"

  const row = inbox.getByTestId('conversation-item').filter({ hasText: 'Bruno Alves' });
  await row.click();
  const image = inbox
    .getByTestId('message')
    .filter({ hasText: 'Foto da caixa amassada' })
    .getByTestId('media-image');
  await image.waitFor({ timeout: 20_000 });
  await eventually(
    () => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 48),
    'the photo to load from its presigned URL',
  );
  const location = inbox.getByTestId('location-link');
  await location.waitFor();
  assert.match((await location.textContent()) ?? '', /Av\. Paulista/);
  assert.match((await location.getAttribute('href')) ?? '', /-23\.5614,-46\.6559/);

  // The agent attaches a picture with a caption.
  const dir = mkdtempSync(join(tmpdir(), 'atende-e2e-upload-'));
  const file = join(dir, 'etiqueta.png');
  writeFileSync(file, png(40, 40, [220, 60, 60]));
  await inbox.getByTestId('attach-input').setInputFiles(file);
  await inbox.getByTestId('attachment-chip').filter({ hasText: 'etiqueta.png' }).waitFor();
  await inbox.getByTestId('composer').fill('Etiqueta da troca');
  await inbox.getByTestId('composer').press('Enter');

  const onPhone = phone.getByTestId('sim-message').filter({ hasText: 'Etiqueta da troca' });
  await onPhone.waitFor({ timeout: 20_000 });
  await eventually(
    () => onPhone.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 40),
    'the phone to show the agent’s picture',
  );
  await inbox
    .getByTestId('message')
    .filter({ hasText: 'Etiqueta da troca' })
    .and(inbox.locator('[data-status="read"]'))
    .waitFor({ timeout: 20_000 });
  rmSync(dir, { recursive: true, force: true });
  if (shots) await inbox.screenshot({ path: join(shots, 'inbox-media.png') });
  await phone.close();
  await inbox.close();
});

test('outside the 24-hour window the agent is told, in Portuguese, that only templates can be sent', async () => {
  const { stack, browser } = e2e;
  const customer = '5521987650004';
  await customerSends(stack, customer, 'Diana Prado', 'Oi, vocês abrem amanhã?');
  const api = await apiAs(stack);
  type Conv = { id: string; contactName: string; windowExpiresAt?: number };
  const conv = await eventually(async () => {
    const page = await api<{ items: Conv[] }>('/api/conversations');
    return page.items.find((c) => c.contactName === 'Diana Prado' && c.windowExpiresAt);
  }, 'the conversation with its window open');

  await closeWindow(stack, conv.id);

  const inbox = await browser.newPage();
  await login(inbox, stack);
  await inbox.getByTestId('conversation-item').filter({ hasText: 'Diana Prado' }).click();
  await inbox.getByTestId('window-closed').waitFor();
  await inbox.getByTestId('composer').fill('Abrimos sim, das 9h às 18h.');
  await inbox.getByTestId('composer').press('Enter');

  const error = inbox.getByTestId('send-error');
  await error.waitFor();
  assert.equal(
    await error.textContent(),
    'A janela de 24 horas está fechada: só é possível enviar modelos (templates).',
  );
  assert.equal(
    await inbox.getByTestId('composer').inputValue(),
    'Abrimos sim, das 9h às 18h.',
    'the unsent text stays in the composer',
  );
  assert.equal(await inbox.getByTestId('message').filter({ hasText: 'Abrimos sim' }).count(), 0);
  await inbox.close();
});

test('after a dropped connection the inbox resynchronises by itself and says so', async () => {
  const { stack, browser } = e2e;
  const inbox = await browser.newPage();
  // The WebSocket goes through the test, which can make the gateway unreachable for a while.
  let unreachable = false;
  await inbox.routeWebSocket(
    (url) => url.port === new URL(stack.urls.ws).port,
    (ws: WebSocketRoute) => {
      if (unreachable) void ws.close({ code: 4000, reason: 'unreachable' });
      else ws.connectToServer();
    },
  );
  await login(inbox, stack);
  const renata = '5521987650005';
  await customerSends(stack, renata, 'Renata Lima', 'Primeira mensagem');
  await inbox.getByTestId('conversation-item').filter({ hasText: 'Renata Lima' }).click();
  await inbox.getByTestId('message').filter({ hasText: 'Primeira mensagem' }).waitFor();

  // The connection drops and stays down while customers write.
  unreachable = true;
  stack.dropWebSockets();
  await inbox.getByTestId('connection-banner').filter({ hasText: 'Reconectando…' }).waitFor();
  await customerSends(stack, renata, 'Renata Lima', 'Segunda mensagem, durante a queda');
  await customerSends(
    stack,
    '5521987650006',
    'Paulo Queiroz',
    'Mensagem enviada enquanto o agente estava desconectado',
  );
  const api = await apiAs(stack);
  await eventually(async () => {
    const page = await api<{ items: { contactName: string; lastMessage?: { text: string } }[] }>(
      '/api/conversations',
    );
    return (
      page.items.some((c) => c.contactName === 'Paulo Queiroz') &&
      page.items.some((c) => c.lastMessage?.text === 'Segunda mensagem, durante a queda')
    );
  }, 'the back end to store both messages');
  // Pushes for these two went nowhere (no connection of this inbox existed): from here on
  // they can only reach the page through the resynchronisation. (Playwright opens a refused
  // routed socket before closing it, so the page may already have resynchronised once.)

  // The gateway is back: the inbox reconnects by itself, catches up and says so.
  unreachable = false;
  await inbox.getByTestId('resync-notice').waitFor({ timeout: 30_000 });
  assert.match((await inbox.getByTestId('resync-notice').textContent()) ?? '', /Sincronizado/);
  await inbox.getByTestId('message').filter({ hasText: 'Segunda mensagem, durante a queda' }).waitFor();
  await inbox.getByTestId('conversation-item').filter({ hasText: 'Paulo Queiroz' }).waitFor();
  await inbox.getByTestId('live-state').filter({ hasText: 'Conectado' }).waitFor();

  // And live events flow again on the new connection.
  await customerSends(stack, renata, 'Renata Lima', 'Terceira mensagem, já conectado');
  await inbox.getByTestId('message').filter({ hasText: 'Terceira mensagem, já conectado' }).waitFor();

  // The manual button does the same on demand.
  await inbox.getByTestId('resync-notice').waitFor({ state: 'detached' });
  await inbox.getByTestId('resync').click();
  await inbox.getByTestId('resync-notice').waitFor();
  await inbox.close();
});
