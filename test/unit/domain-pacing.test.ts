import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createPacer } from '#shared/outbound/pacer.ts';

test('a number sends a burst of 80 at once, then one every 12.5 ms; other numbers are not held back', () => {
  const clock = { now: 0 };
  const pacer = createPacer(80, () => clock.now);

  const burst = Array.from({ length: 80 }, () => pacer.reserve('pn-1'));
  assert.ok(burst.every((wait) => wait === 0));
  assert.equal(pacer.reserve('pn-1'), 13);
  assert.equal(pacer.reserve('pn-1'), 25);
  assert.equal(pacer.reserve('pn-2'), 0);

  clock.now = 1000;
  // A second later the bucket refilled what the two waiting sends did not use.
  assert.equal(pacer.reserve('pn-1'), 0);
});

test('take() waits for the token it reserved', async () => {
  const clock = { now: 0 };
  const slept: number[] = [];
  const pacer = createPacer(
    2,
    () => clock.now,
    async (ms) => {
      slept.push(ms);
    },
  );
  await pacer.take('pn');
  await pacer.take('pn');
  await pacer.take('pn');
  assert.deepEqual(slept, [500]);
});
