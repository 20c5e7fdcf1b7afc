/**
 * Property-based tests of the webhook split (fast-check): Meta's real payloads, mutated,
 * never make the split throw, and every valid message and status of the body is in its
 * output beside the malformed ones (each kept raw, with a reason). On a failure
 * fast-check prints the seed and the shrunk counterexample.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { asciiJson } from '#shared/domain/json-limits.ts';
import { QUEUE_ITEM_MAX_BYTES, splitWebhook } from '#shared/whatsapp/split.ts';
import { validItems, webhookBody } from './webhook-fuzz-kit.ts';

const SQS_ID = /^[\x21-\x7e]{1,128}$/;

test('any mutated webhook body: the split never throws and keeps every valid item, each queue item fits SQS', () => {
  fc.assert(
    fc.property(webhookBody, ({ json }) => {
      const out = splitWebhook(JSON.stringify(json), 1);
      for (const e of out) {
        assert.match(e.groupId, SQS_ID);
        assert.match(e.dedupId, SQS_ID);
        assert.ok(asciiJson(e.item).length <= QUEUE_ITEM_MAX_BYTES, 'item fits a queue message');
        if (e.invalid) {
          assert.equal(e.item.kind, 'unparsed');
          assert.match(e.invalid, /^INVALID_PAYLOAD: \S/);
          assert.equal(typeof e.item.raw, 'string');
        } else assert.notEqual(e.item.kind, 'unparsed');
      }
      for (const want of validItems(json)) {
        const found = out.find(
          (e) =>
            !e.invalid &&
            e.item.kind === want.kind &&
            e.dedupId === want.dedupId &&
            isDeepStrictEqual(want.kind === 'message' ? e.item.message : e.item.status, want.value),
        );
        if (found) continue;
        assert.ok(want.big, `valid ${want.kind} ${want.dedupId} is missing from the split`);
        assert.ok(out.some((e) => e.invalid && /truncated copy/.test(e.invalid)));
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
  );
});

test('any text, however deep or broken, splits without throwing into items that fit SQS', () => {
  const deep = fc
    .integer({ min: 1, max: 20_000 })
    .map(
      (n) =>
        `{"object":"x","entry":[{"changes":[{"field":"messages","value":${'['.repeat(n)}${']'.repeat(n)}}]}]}`,
    );
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), deep), (body) => {
      for (const e of splitWebhook(body, 1)) {
        assert.ok(asciiJson(e.item).length <= QUEUE_ITEM_MAX_BYTES);
        assert.match(e.dedupId, SQS_ID);
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
  );
});
