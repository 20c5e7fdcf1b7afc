/**
 * What the opening message of a new customer costs in AWS requests (count, not time):
 * every DynamoDB, Scheduler and S3 request fn inbound makes for it, in a warm process (the
 * number and the account settings already cached, as on a busy number), with the
 * conversation clock on (EventBridge Scheduler), the number routing to nobody and no agent
 * connected (a connected agent adds the socket push: the connections read, once a second
 * per account, and one post per connection).
 *
 * Measured 2026-12-03: 12 — contact read, contact create (transaction), protocol counter,
 * conversation + attendance (transaction), message put, conversation touch, routing
 * state, 3 schedules created, their records (batch), the timers-armed mark. Issue 14's
 * target is 8. Merged since: the schedule records and the timers-armed mark are one
 * transaction (11); a new conversation is created with its first message's touch (10);
 * the new contact, the first message and the routing state are written in the
 * conversation's transaction (7, measured here). A race of two first messages of one new
 * person: the loser's transaction is cancelled by the phone lookup's condition, it reads
 * the winner's contact and conversation and stores its message there
 * (engine-inbound.test.ts). A routing decision that sends something before its state is
 * written (the triage menu, a department's automatic message) still writes it after the
 * creation (one UpdateItem more, as before).
 * (Creating the contact without reading first saved one more read for a new customer, but
 * made every returning customer's new attendance pay a cancelled transaction — write units
 * for each of its items — before the same read: undone. The lookup read stays; a returning
 * customer's path is unchanged.)
 *
 * Write units (reasoned, not measured: DynamoDB Local's ConsumedCapacity for a transaction
 * is not the per-item sum AWS bills). AWS bills ceil(size / 1 KB) per item written and
 * twice that in a transaction; here the conversation item is about 1.2 KB (its JSON: 2 units), every
 * other item under 1 KB. Table units before the last merge: contact transaction (lookup,
 * contact) 4 + counter 1 + conversation transaction (link, conversation 2, attendance, 2
 * search terms) 12 + message put 1 + routing update 2 + schedule records and mark 10 = 30.
 * After: counter 1 + one transaction (lookup, contact, link, conversation 2, attendance, 2
 * search terms, message) 18 + schedule records and mark 10 = 29, and one gsi2 write fewer
 * (the routing update rewrote the conversation's inbox entry). The message doubles (+1),
 * the routing update goes (-2).
 *
 * The requests as they are now are listed in OPENING_REQUESTS below, and the bound guards
 * the count from growing.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { createAccount } from '#shared/store/accounts.ts';
import { engineKit, kitScheduler, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
let deps: EngineDeps;
let sched: Awaited<ReturnType<typeof kitScheduler>>;
let counted: string[] | undefined;

/** Counts every request a client sends, by service and command, while `counted` is set. */
function count(service: string, c: { middlewareStack: { add: (...a: never[]) => void } }) {
  (c.middlewareStack.add as (mw: unknown, opts: unknown) => void)(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const input = (args as { input?: { Key?: { sk?: unknown } } }).input;
        // The item's kind (CONV, COUNTER, PHONE…) says which write it is.
        const kind = typeof input?.Key?.sk === 'string' ? ` ${input.Key.sk.split('#')[0]}` : '';
        counted?.push(`${service}:${String(context.commandName).replace(/Command$/, '')}${kind}`);
        return next(args);
      },
    { step: 'initialize', name: `count-${service}` },
  );
}

beforeAll(async () => {
  kit = await engineKit();
  await createAccount(kit.deps.ddb, kit.deps.tableName, {
    id: kit.number.accountId,
    name: 'Loja',
    timezone: 'America/Sao_Paulo',
    inactivityHours: 24,
  });
  sched = await kitScheduler(kit);
  deps = sched.deps;
  count('dynamodb', kit.deps.ddb);
  count('scheduler', sched.client);
  count('s3', kit.deps.s3);
});
afterAll(async () => {
  await sched.stop();
  await kit.stop();
});

/** The opening message's requests, in order (the item's kind, where the request names a key). */
const OPENING_REQUESTS = [
  // The contact, looked up by phone (a returning customer's is found and read here).
  'dynamodb:GetItem PHONE',
  // The attendance's protocol number.
  'dynamodb:UpdateItem COUNTER',
  // One transaction: the new contact (its phone lookup, conditional), the conversation
  // (its contact link, conditional) with its first message's touch (last message, unread,
  // window) and routing state, the attendance, the search terms, and the message.
  'dynamodb:TransactWriteItems',
  // The clock: three schedules, then their records with the timers-armed mark (a transaction).
  'scheduler:CreateSchedule',
  'scheduler:CreateSchedule',
  'scheduler:CreateSchedule',
  'dynamodb:TransactWriteItems',
];

let sequence = 5000;
const record = (): Pick<EngineDeps, 'delivery'> => ({
  delivery: { firstReceivedAt: kit.clock.now, sequenceNumber: String(++sequence).padStart(20, '0') },
});

test('the opening message of a new customer: its AWS requests, counted', async ({ annotate }) => {
  // A warm process: another customer's message read the number and the account's settings.
  await processInboundItem(kit.text('5521900000001', 'oi'), { ...deps, ...record() });
  kit.clock.now += 1000;

  counted = [];
  await processInboundItem(kit.text('5521977776666', 'Olá, quero fazer um pedido'), { ...deps, ...record() });
  const requests = counted;
  counted = undefined;

  await annotate(`requests of the opening message: ${requests.length} — ${requests.join(', ')}`);
  const conv = (await kit.conversations()).find((c) => c.contactPhone === '5521977776666');
  assert.equal(conv?.status, 'open');
  assert.equal(conv?.timersArmedFor, conv?.attendanceId);
  assert.deepEqual(requests, OPENING_REQUESTS, `${requests.length} requests: ${requests.join(', ')}`);
  assert.ok(requests.length <= 8, `${requests.length} requests: ${requests.join(', ')}`);
});
