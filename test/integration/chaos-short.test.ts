/**
 * The chaos run's short variant (`npm run chaos` is the long one, test/chaos/chaos.ts):
 * a few hundred customer messages through the simulator and the webhook, with a share of
 * them delivered twice and statuses shuffled and repeated, an agent replying meanwhile, and
 * one crash injected into fn inbound mid-batch (the worker thread dies; the batch comes back
 * after the visibility timeout, 5 s here, to a new worker). What the customers and the agent would notice must not happen:
 * nothing acknowledged goes missing, nothing shows twice or out of order, no reply
 * reaches the phone twice or stays pending.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { runChaos } from '../chaos/chaos.ts';

test('a crash inside fn inbound, duplicate webhooks and shuffled statuses: nothing lost, duplicated, reordered, sent twice or stuck', async () => {
  const result = await runChaos({
    messages: 200,
    conversations: 20,
    seed: 13,
    // High, but at most one crash: fn inbound crashes within its first batches. (A crash in
    // fn outbound may leave a send in doubt for IN_DOUBT_MS, 3 minutes: `npm run chaos` waits
    // that long, this test does not.)
    crashRate: 0.05,
    maxCrashes: 1,
    crashFunctions: ['inbound'],
    duplicateRate: 0.3,
    statusRepeatRate: 0.3,
    statusDelayMs: 1000,
    replyEvery: 5,
    rate: 100,
    visibilitySeconds: 5,
    settleSeconds: 60,
  });
  const summary = JSON.stringify(result, null, 2);
  assert.equal(result.injectedCrashes, 1, `one injected crash\n${summary}`);
  assert.ok(result.webhook.duplicateDeliveries > 0, 'some webhooks were delivered twice');
  assert.ok(result.webhook.statusRepeats > 0, 'some statuses were delivered twice');
  assert.equal(result.customerMessages.acknowledged, 200, summary);
  assert.equal(result.agentReplies.accepted, 40, summary);
  assert.deepEqual(result.counts, { lost: 0, duplicated: 0, reordered: 0, doubleSent: 0, stuck: 0 }, summary);
  assert.equal(result.agentReplies.missing, 0, summary);
  assert.equal(result.agentReplies.sentNotReceived, 0, summary);
  assert.equal(result.agentReplies.onPhone, 40, `every reply reached the phone\n${summary}`);
});
