import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mediaIdOf, previewText, toMessageFields } from '#shared/engine/message-fields.ts';
import type { InboundMessage } from '#shared/whatsapp/webhook-schema.ts';

const msg = (m: Record<string, unknown>) =>
  ({ from: '5511987654321', id: 'wamid.1', timestamp: '1764000000', ...m }) as unknown as InboundMessage;

test('text, with a quoted reply and the forwarded flag', () => {
  const f = toMessageFields(
    msg({ type: 'text', text: { body: 'oi' }, context: { id: 'wamid.0', forwarded: true } }),
  );
  assert.deepEqual(f, {
    wamid: 'wamid.1',
    type: 'text',
    text: 'oi',
    replyTo: { wamid: 'wamid.0' },
    forwarded: true,
  });
});

test('media waits for its download, keeping caption, file name and voice flag', () => {
  const doc = msg({
    type: 'document',
    document: { id: 'm1', mime_type: 'application/pdf', filename: 'nota.pdf', caption: 'segue' },
  });
  assert.equal(mediaIdOf(doc), 'm1');
  assert.deepEqual(toMessageFields(doc).media, {
    mimeType: 'application/pdf',
    caption: 'segue',
    filename: 'nota.pdf',
    status: 'pending',
  });
  const voice = toMessageFields(
    msg({ type: 'audio', audio: { id: 'm2', mime_type: 'audio/ogg', voice: true } }),
  );
  assert.equal(voice.media?.voice, true);
  assert.equal(previewText(voice), '🎤 Áudio');
});

test('location, reaction and interactive replies', () => {
  const loc = toMessageFields(
    msg({ type: 'location', location: { latitude: -23.5, longitude: -46.6, name: 'Loja' } }),
  );
  assert.deepEqual(loc.location, { latitude: -23.5, longitude: -46.6, name: 'Loja' });
  const r = toMessageFields(msg({ type: 'reaction', reaction: { message_id: 'wamid.9', emoji: '👍' } }));
  assert.deepEqual(r.reaction, { emoji: '👍', messageId: 'wamid.9' });
  const i = toMessageFields(
    msg({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'b1', title: 'Sim' } },
    }),
  );
  assert.equal(i.text, 'Sim');
});

test('anything unknown is kept, unsupported, with its JSON and Meta’s errors', () => {
  const poll = msg({ type: 'poll', poll: { question: '?' } });
  const f = toMessageFields(poll, undefined, [{ code: 131051, title: 'Unsupported message type' }]);
  assert.equal(f.type, 'unsupported');
  assert.deepEqual(JSON.parse(f.raw!).errors, [{ code: 131051, title: 'Unsupported message type' }]);
  assert.equal(previewText({ type: 'unsupported' }), 'Mensagem não suportada');
  assert.deepEqual(toMessageFields(undefined, '{"x":1}'), { type: 'unsupported', raw: '{"x":1}' });
});
