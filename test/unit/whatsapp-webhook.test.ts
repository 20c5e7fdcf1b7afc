import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBody, verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook } from '#shared/whatsapp/split.ts';

const dir = join(import.meta.dirname, '../fixtures/meta-webhooks');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('every real webhook payload splits into queue items and loses nothing', () => {
  for (const file of fixtures) {
    test(file, () => {
      const raw = readFileSync(join(dir, file), 'utf8');
      const json = JSON.parse(raw) as {
        entry: { changes: { field: string; value: { messages?: unknown[]; statuses?: unknown[] } }[] }[];
      };
      let expected = 0;
      for (const e of json.entry) {
        for (const c of e.changes) {
          const n = (c.value.messages?.length ?? 0) + (c.value.statuses?.length ?? 0);
          expected += c.field === 'messages' && n > 0 ? n : 1;
        }
      }
      const entries = splitWebhook(raw, 1);
      assert.equal(entries.length, expected);
      for (const e of entries) {
        assert.ok(e.groupId.length <= 128 && e.dedupId.length <= 128);
        if (e.item.kind === 'message') assert.equal(e.dedupId, e.item.message!.id);
        if (e.item.kind === 'status')
          assert.equal(e.dedupId, `${e.item.status!.id}:${e.item.status!.status}`);
      }
    });
  }
});

test('a message is grouped by number and customer, a status by number and recipient', () => {
  const raw = readFileSync(join(dir, 'pywa-message--text.json'), 'utf8');
  const [entry] = splitWebhook(raw, 1);
  assert.equal(entry!.groupId, '1122334455667:972987654321');
  assert.equal(entry!.item.contact?.name, 'Test Name');
  assert.equal(entry!.item.contact?.userId, 'US.13491208655302741918');
  const st = splitWebhook(readFileSync(join(dir, 'pywa-message_status--failed.json'), 'utf8'), 1)[0]!;
  assert.equal(st.item.kind, 'status');
  assert.equal(st.groupId, '1122334455667:972987654321');
  assert.equal(st.item.status?.errors?.[0]?.code, 130472);
});

test('what does not fit the schemas is kept raw, never dropped', () => {
  for (const body of [
    'not json',
    '{"hello":"world"}',
    '{"object":"x","entry":[{"changes":[{"field":"messages","value":{}}]}]}',
  ]) {
    const entries = splitWebhook(body, 1);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.item.kind, 'unparsed');
    assert.ok(entries[0]!.item.raw);
  }
  const weird = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          { field: 'messages', value: { metadata: { phone_number_id: '9' }, messages: [{ type: 'text' }] } },
        ],
      },
    ],
  };
  const [e] = splitWebhook(JSON.stringify(weird), 1);
  assert.equal(e!.item.kind, 'unparsed');
  assert.equal(e!.item.phoneNumberId, '9');
});

test('signature: valid, wrong, missing, or for another body', () => {
  const body = '{"a":1}';
  const sig = signBody(body, 'secret');
  assert.ok(verifySignature(body, sig, 'secret'));
  assert.ok(!verifySignature(body, sig, 'other'));
  assert.ok(!verifySignature(body, undefined, 'secret'));
  assert.ok(!verifySignature('{"a":2}', sig, 'secret'));
  assert.ok(!verifySignature(body, 'sha256=abc', 'secret'));
});
