/**
 * The conversation engine (fn inbound): one webhook item at a time, in the order of its
 * FIFO group (one group per customer of a number). This file dispatches an item (an
 * event, a status, a customer's message); the rest of shared/engine/inbound/ holds:
 *
 *   number-lookup.ts     webhook → tenant (the number, cached briefly)
 *   customer-message.ts  a customer's message: phone filter, store, routing, media, events
 *   fast-path.ts         an open conversation this process knows: two writes, no read
 *   full-path.ts         the rest: read, claim, open an attendance, store
 *   thread-cache.ts      contact + conversation per customer, remembered per process
 *   incoming-message.ts  the message item and the conversation's touch, built
 *   media-download.ts    media into S3, retried by the queue
 *   statuses.ts          delivery statuses of our messages
 *
 * What follows from a change (socket push, the clock, web push) is a domain event's
 * listeners' (shared/events/).
 *
 * Exactly-once effect per wamid, without a transaction on the hot path:
 *
 *   1. claim the wamid: a conditional put of `WAMID#<wamid>` holding the message id chosen
 *      by the first run; every later run (SQS redelivery, Meta's duplicate) reuses that id;
 *   2. open the conversation if needed (attendance + protocol; conditional on its status);
 *      a new one is created with this message's touch (its last message id: step 4 is a no-op);
 *   3. store the message under that id (conditional put: a second run keeps the first);
 *   4. touch the conversation (conditional on the last message id: applied once);
 *   5. `message.received`: pushed to the agents (best effort; the inbox resyncs on reconnect);
 *   6. media: download into S3; a failure throws, so the queue redelivers the item and the
 *      steps above, all done, are no-ops — the message is visible at once with its media
 *      'pending', and only the download is retried.
 *
 * A crash between any two writes is finished by the redelivery, which replays the same
 * idempotent steps with the same ids. A transaction over claim + message + conversation
 * would cost twice the write units on every message (transactions are billed double).
 */
import { inboundItemProblem } from '#shared/domain/json-limits.ts';
import { REASONS } from '#shared/domain/retry-policy.ts';
import { PermanentError } from '#shared/errors.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { applyWebhookEvent } from '../template-events.ts';
import { storeCustomerMessage } from './customer-message.ts';
import { numberFor } from './number-lookup.ts';
import { applyStatus } from './statuses.ts';

export type { EngineDeps } from '../engine-deps.ts';

export async function processInboundItem(item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  // Template status/quality/category change the stored templates; any event is logged (../template-events.ts).
  if (item.kind === 'event') return applyWebhookEvent(item, deps);
  // Content that can never be stored goes to the dead-letter queue at once, before any
  // write (shared/queue/batch.ts): retrying cannot fix it, and a half-done item would show.
  const problem = inboundItemProblem(item);
  if (problem) throw new PermanentError(problem, REASONS.invalidPayload);
  if (!item.phoneNumberId) {
    deps.log('warn', 'webhook payload without a phone number id acknowledged', {
      kind: item.kind,
      wabaId: item.wabaId,
      rawBytes: item.raw?.length,
    });
    deps.log('debug', 'unroutable payload', { raw: item.raw?.slice(0, 2000) });
    return;
  }
  const number = await numberFor(item.phoneNumberId, deps);
  if (!number) {
    deps.log('warn', 'webhook item for an unknown phone number id acknowledged', {
      phoneNumberId: item.phoneNumberId,
      kind: item.kind,
    });
    return;
  }
  if (item.kind === 'status') return applyStatus(number, item, deps);
  return storeCustomerMessage(number, item, deps);
}
