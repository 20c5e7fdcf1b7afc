/**
 * Browser: the composer's media (MSG-3). An emoji from the picker goes in at the cursor; a
 * pasted image (Ctrl+V) and a dropped video are sent as the paperclip's attachments; a voice
 * note recorded from Chromium's fake microphone reaches the simulated phone as an Ogg/Opus
 * WhatsApp voice message (also with "Confirmar antes de enviar": discard, then send); a
 * contact card received shows as a card and one the agent sends reaches the phone. No
 * request leaves this machine (the emoji picker fetches nothing from a CDN).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { type E2E, adminApi, customerSends, eventually, launchBrowser, login, startE2E } from './browser.ts';

let e2e: E2E;
/** Chromium with a fake microphone (a beep) that needs no permission prompt. */
let browser: Browser;
beforeAll(async () => {
  e2e = await startE2E('composer-media');
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
});
afterAll(async () => {
  await browser?.close();
  await e2e?.close();
});

const PHONE = '5521977772001';
const NAME = 'Rita Campos';

type Media = { id: string; caption?: string; voice?: boolean };
type PhoneMessage = {
  direction: string;
  type: string;
  payload: {
    text: { body: string };
    image: Media;
    video: Media;
    audio: Media;
    contacts: unknown[];
  };
};
const outbox = async (): Promise<PhoneMessage[]> => {
  const res = await fetch(`${e2e.stack.urls.simulator}/sim/outbox?to=${PHONE}`);
  const body = (await res.json()) as { messages: PhoneMessage[] };
  return body.messages.filter((m) => m.direction === 'business');
};
const sentOfType = async (type: string, n: number) =>
  eventually(async () => {
    const list = (await outbox()).filter((m) => m.type === type);
    return list.length >= n ? list[n - 1] : undefined;
  }, `the phone to receive ${type} #${n}`);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let page: Page;
const hosts = new Set<string>();
const pageErrors: string[] = [];

test('emoji at the cursor, a pasted image and a dropped video are sent', async () => {
  const { stack } = e2e;
  await customerSends(stack, PHONE, NAME, 'Oi, tudo bem?');
  const api = await adminApi(stack);
  const conv = await eventually(async () => {
    const p = await api<{ items: { id: string }[] }>(
      'GET',
      `/api/conversations?q=${encodeURIComponent(NAME)}`,
    );
    return p.items[0];
  }, 'the conversation');

  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') || u.protocol.startsWith('ws')) hosts.add(u.hostname);
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await login(page, stack);
  await page.goto(`${stack.urls.web}/conversas/${conv.id}`);
  const composer = page.getByTestId('composer');
  await composer.waitFor();

  // The emoji goes where the cursor is, not at the end.
  await composer.fill('Olá mundo');
  await composer.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(4, 4));
  await page.getByTestId('emoji-button').click();
  const panel = page.getByTestId('emoji-panel');
  const cell = panel.getByRole('gridcell').first();
  await cell.waitFor();
  await cell.click();
  const value = await composer.inputValue();
  const m = /^Olá (.+)mundo$/u.exec(value);
  assert.ok(m && /\p{Extended_Pictographic}/u.test(m[1]!), `an emoji inserted at the cursor: ${value}`);
  await composer.press('Escape');
  await composer.press('Enter');
  await sentOfType('text', 1).then((x) => assert.equal(x.payload.text.body, value));

  // Ctrl+V of an image: attached like the paperclip's, sent as an image.
  await composer.evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'colado.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, PNG.toString('base64'));
  await page.getByTestId('attachment-chip').filter({ hasText: 'colado.png' }).waitFor();
  await composer.fill('print da tela');
  await page.getByTestId('send').click();
  const image = await sentOfType('image', 1);
  assert.equal(image.payload.image.caption, 'print da tela');
  const img = await fetch(`${stack.urls.simulator}/sim/media/${image.payload.image.id}`);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);

  // A video dropped on the composer: sent as video.
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(
      new File([new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112])], 'tutorial.mp4', { type: 'video/mp4' }),
    );
    return dt;
  });
  await page.getByTestId('composer-footer').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('composer-footer').dispatchEvent('drop', { dataTransfer });
  await page.getByTestId('attachment-chip').filter({ hasText: 'tutorial.mp4' }).waitFor();
  await page.getByTestId('send').click();
  const video = await sentOfType('video', 1);
  assert.ok(video.payload.video.id);
  await page.getByTestId('message').locator('[data-testid="media-video"]').first().waitFor();
});

/** What the phone got as a voice note: Ogg/Opus that Chromium decodes to about the recorded length. */
async function checkVoice(n: number, minSeconds: number) {
  const voice = await sentOfType('audio', n);
  assert.equal(voice.payload.audio.voice, true, 'sent as a WhatsApp voice message');
  const res = await fetch(`${e2e.stack.urls.simulator}/sim/media/${voice.payload.audio.id}`);
  assert.equal(res.headers.get('content-type'), 'audio/ogg');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'OggS');
  assert.equal(bytes.subarray(28, 36).toString('latin1'), 'OpusHead');
  const seconds = await page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const buf = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(data.buffer);
    return buf.duration;
  }, bytes.toString('base64'));
  assert.ok(seconds >= minSeconds, `decoded ${seconds} s`);
  return voice;
}

test('a voice note recorded in the browser reaches the phone as an Ogg/Opus voice message; with confirmation, discard then send', async () => {
  await page.getByTestId('voice-record').click();
  await page.getByTestId('voice-recording').waitFor();
  await page.waitForTimeout(1500);
  await page.getByTestId('voice-stop').click();
  await page.getByTestId('voice-note').first().waitFor();
  await checkVoice(1, 1);

  // The phone shows it as a voice message with a player.
  const phone = await browser.newPage();
  await phone.goto(e2e.stack.urls.simulator);
  await phone.getByTestId('sim-from').fill(PHONE);
  await phone.getByTestId('sim-from').dispatchEvent('change');
  await phone.getByTestId('sim-voice').first().waitFor();
  await phone.getByTestId('sim-message').filter({ hasText: 'Mensagem de voz' }).first().waitFor();

  // "Confirmar antes de enviar": the agent hears it first; discarded, nothing is sent.
  await page.getByTestId('voice-record').click();
  await page.getByTestId('voice-confirm-setting').check();
  await page.waitForTimeout(800);
  await page.getByTestId('voice-stop').click();
  await page.getByTestId('voice-preview').waitFor();
  await page.getByTestId('voice-discard').click();
  await page.getByTestId('voice-record').waitFor();
  // The setting stays on for the next recording, which is sent after review.
  await page.getByTestId('voice-record').click();
  assert.equal(await page.getByTestId('voice-confirm-setting').isChecked(), true);
  await page.waitForTimeout(1200);
  await page.getByTestId('voice-stop').click();
  await page.getByTestId('voice-preview').waitFor();
  await page.getByTestId('voice-send').click();
  await checkVoice(2, 0.8);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(
    (await outbox()).filter((m) => m.type === 'audio').length,
    2,
    'the discarded one was not sent',
  );
  await phone.close();
});

test('a contact card received shows as a card; one the agent sends reaches the phone', async () => {
  const { stack } = e2e;
  // The customer shares contacts (Meta's payload, as in the pywa fixture).
  const res = await fetch(`${stack.urls.simulator}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: PHONE,
      name: NAME,
      phoneNumberId: stack.demo.phoneNumberId,
      type: 'contacts',
      contacts: [
        {
          name: { first_name: 'Chandler', last_name: 'Bing', formatted_name: 'Chandler Bing' },
          phones: [{ phone: '+1 555-555-5555', wa_id: '15555555555', type: 'CELL' }],
        },
        {
          name: { first_name: 'Monica', formatted_name: 'Monica' },
          phones: [{ phone: '+1 666-666-6666', type: 'HOME' }],
        },
      ],
    }),
  });
  assert.ok(res.ok);
  const card = page.getByTestId('contact-card').filter({ hasText: 'Chandler Bing' });
  await card.waitFor();
  assert.equal(await card.getByTestId('contact-card-phone').textContent(), '+1 555-555-5555');
  assert.match(
    (await card.getByTestId('contact-card-start').getAttribute('href')) ?? '',
    /target_phone=15555555555$/,
  );
  await page
    .getByTestId('contact-card')
    .filter({ hasText: 'Monica' })
    .getByTestId('contact-card-copy')
    .waitFor();

  // The agent sends one.
  await page.getByTestId('contact-button').click();
  await page.getByTestId('contact-name').fill('Maria Souza');
  await page.getByTestId('contact-phone').fill('+55 11 99999-0000');
  await page.getByTestId('contact-send').click();
  await page
    .getByTestId('message')
    .filter({ has: page.getByTestId('contact-card').filter({ hasText: 'Maria Souza' }) })
    .waitFor();
  const sent = await sentOfType('contacts', 1);
  assert.deepEqual(sent.payload.contacts, [
    {
      name: { formatted_name: 'Maria Souza', first_name: 'Maria', last_name: 'Souza' },
      phones: [{ phone: '+55 11 99999-0000', type: 'CELL', wa_id: '5511999990000' }],
    },
  ]);

  // Nothing was fetched from another host (the emoji picker's data is bundled), no page error.
  assert.deepEqual(
    [...hosts].filter((h) => h !== '127.0.0.1' && h !== 'localhost'),
    [],
    `hosts: ${[...hosts].join(', ')}`,
  );
  assert.deepEqual(pageErrors, []);
});
