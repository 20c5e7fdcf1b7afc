import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBody, verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook } from '#shared/whatsapp/split.ts';
import {
  jsonDepthExceeds,
  truncateUtf8,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_MAX_DEPTH,
  webhookBodyProblem,
} from '#shared/domain/json-limits.ts';

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

test('a malformed message beside valid ones: the valid ones are message items, the malformed one is kept raw with where and what is wrong', () => {
  const msg = (id: unknown, body: unknown) => ({
    from: '5511',
    id,
    timestamp: '1',
    type: 'text',
    text: { body },
  });
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              metadata: { phone_number_id: '9' },
              messages: [msg('wamid.a', 'oi'), msg('wamid.b', ['não é texto']), msg('x'.repeat(300), 'oi')],
            },
          },
        ],
      },
    ],
  });
  const entries = splitWebhook(raw, 1);
  assert.deepEqual(
    entries.map((e) => [e.item.kind, e.invalid?.replace(/: [A-Z][a-z]+ [a-z]+: .*/, '') ?? 'ok']),
    [
      ['message', 'ok'],
      ['unparsed', 'INVALID_PAYLOAD: entry[0].changes[0].value.messages[1].text.body'],
      ['unparsed', 'INVALID_PAYLOAD: entry[0].changes[0].value.messages[2].id'],
    ],
  );
  assert.equal(JSON.parse(entries[1]!.item.raw!).text.body[0], 'não é texto');
  assert.equal(entries[1]!.item.phoneNumberId, '9');
  assert.equal(entries[1]!.groupId, '9:5511');
});

test('body limits: size from the raw length, depth from the brackets outside strings', () => {
  const enc = (s: string) => Buffer.from(s);
  assert.equal(webhookBodyProblem(enc('{"a":[1,2,{"b":3}]}')), undefined);
  assert.equal(webhookBodyProblem(enc('x'.repeat(WEBHOOK_MAX_BODY_BYTES + 1)))?.statusCode, 413);
  const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  assert.equal(webhookBodyProblem(enc(nested(WEBHOOK_MAX_DEPTH))), undefined);
  assert.equal(webhookBodyProblem(enc(nested(WEBHOOK_MAX_DEPTH + 1)))?.statusCode, 400);
  // Brackets inside strings (escaped quotes included) do not count.
  const inString = JSON.stringify({ t: `\\"${'['.repeat(500)}` });
  assert.equal(jsonDepthExceeds(enc(inString)), false);
});

test('truncation never cuts a character in half', () => {
  assert.equal(truncateUtf8('aé😀b', 3), 'aé');
  assert.equal(truncateUtf8('aé😀b', 6), 'aé');
  assert.equal(truncateUtf8('aé😀b', 7), 'aé😀');
  assert.equal(truncateUtf8('abc', 10), 'abc');
});
