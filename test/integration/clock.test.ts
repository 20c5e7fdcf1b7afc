/**
 * The conversation clock through the real engine, the real Scheduler SDK client and the
 * local scheduler, on a clock the test moves: timers armed when an attendance opens, the
 * Expirando / Expirado notifications, the auto-close after the account's inactivity
 * period, a timer that re-arms because the customer wrote since, and a stale timer.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { processTimer, type TimerOutcome } from '#shared/engine/timers.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { createAccount } from '#shared/store/accounts.ts';
import type { Conversation } from '#shared/store/types.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/store/keys.ts';
import { windowState } from '#shared/domain/window.ts';
import { engineKit, kitScheduler, type EngineKit } from './engine-kit.ts';
import type { ApiDeps } from '#shared/api/api-deps.ts';
import { postpone } from '#shared/api/conversations-service.ts';
import { createUser } from '#shared/store/users.ts';

const H = 3600_000;
let kit: EngineKit;
let deps: EngineDeps;
let sched: Awaited<ReturnType<typeof kitScheduler>>;
const fired: { kind: string; conversationId: string; outcome: TimerOutcome }[] = [];

beforeAll(async () => {
  kit = await engineKit();
  // The account closes attendances after 2 hours without messages.
  await createAccount(kit.deps.ddb, kit.deps.tableName, {
    id: kit.number.accountId,
    name: 'Loja',
    timezone: 'America/Sao_Paulo',
    inactivityHours: 2,
  });
  sched = await kitScheduler(kit, {
    tickMs: 20,
    fire: async (input) => {
      const outcome = await processTimer(input, deps);
      const i = input as { kind: string; conversationId: string };
      fired.push({ kind: i.kind, conversationId: i.conversationId, outcome });
    },
  });
  deps = sched.deps;
});
afterAll(async () => {
  await sched.stop();
  await kit.stop();
});

async function writes(from: string, body: string): Promise<Conversation> {
  await processInboundItem(kit.text(from, body), deps);
  return (await kit.conversations()).find((c) => c.contactPhone === from)!;
}

/** Moves the clock and waits until the scheduler fired what became due. */
async function advanceTo(at: number, conversationId: string, count: number): Promise<typeof fired> {
  kit.clock.now = at;
  for (let i = 0; i < 200; i++) {
    const mine = fired.filter((f) => f.conversationId === conversationId);
    if (mine.length >= count) return mine;
    await new Promise((r) => setTimeout(r, 25));
  }
  return fired.filter((f) => f.conversationId === conversationId);
}

const schedulesOf = (conversationId: string) =>
  sched.scheduler.list().filter((s) => s.Name.includes(conversationId) && !s.fired);

describe('the conversation clock', () => {
  test('opening arms Expirando, Expirado and the auto-close; inactivity closes the attendance', async () => {
    const t0 = kit.clock.now;
    const conv = await writes('5521960000001', 'Oi');
    assert.deepEqual(
      schedulesOf(conv.id)
        .map((s) => s.Name.split('-')[0])
        .sort(),
      ['close', 'wend', 'wexp'],
    );
    const input = JSON.parse(schedulesOf(conv.id).find((s) => s.Name.startsWith('close'))!.Target.Input!);
    assert.equal(input.attendanceId, conv.attendanceId);

    const mine = await advanceTo(t0 + 2 * H + 1000, conv.id, 1);
    assert.deepEqual(
      mine.map((f) => [f.kind, f.outcome]),
      [['conversation.autoclose', 'close']],
    );
    const closed = (await kit.conversations()).find((c) => c.id === conv.id)!;
    assert.equal(closed.status, 'closed');
    assert.equal(closed.departmentId, undefined);
    assert.equal(closed.agentId, undefined);
    assert.deepEqual(schedulesOf(conv.id), [], 'closing deleted the pending window timers');

    // The next message opens a new attendance with a new protocol, and new timers.
    const reopened = await writes('5521960000001', 'Oi de novo');
    assert.equal(reopened.status, 'open');
    assert.notEqual(reopened.attendanceId, conv.attendanceId);
    assert.notEqual(reopened.protocol, conv.protocol);
    assert.equal(schedulesOf(conv.id).length, 3);

    // A timer of the first attendance that fires now does nothing.
    assert.equal(await processTimer(input, deps), 'stale');
    assert.equal((await kit.conversations()).find((c) => c.id === conv.id)!.status, 'open');
  });

  test('a customer message moves the times: an early timer re-arms instead of acting', async () => {
    const t0 = kit.clock.now;
    const conv = await writes('5521960000002', 'Bom dia');
    kit.clock.now = t0 + 1 * H;
    await writes('5521960000002', 'Ainda está aí?');

    const first = await advanceTo(t0 + 2 * H + 1000, conv.id, 1);
    assert.deepEqual(
      first.map((f) => [f.kind, f.outcome]),
      [['conversation.autoclose', 'rearm']],
    );
    assert.equal((await kit.conversations()).find((c) => c.id === conv.id)!.status, 'open');

    const second = await advanceTo(t0 + 3 * H + 1000, conv.id, 2);
    assert.deepEqual(second.at(-1), {
      kind: 'conversation.autoclose',
      conversationId: conv.id,
      outcome: 'close',
    });
  });

  test('30 minutes before the window ends the agents are told (Expirando), and at its end (Expirado)', async () => {
    // With 48 hours of inactivity allowed, the window ends before the attendance closes.
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.account(kit.number.accountId),
        UpdateExpression: 'SET inactivityHours = :h',
        ExpressionAttributeValues: { ':h': 48 },
      }),
    );
    kit.clock.now += H; // past the settings cache
    const conv = await writes('5521960000003', 'Oi, vou pensar e volto amanhã');
    const expires = conv.windowExpiresAt!;

    const expiring = await advanceTo(expires - 30 * 60_000 + 1000, conv.id, 1);
    assert.deepEqual(
      expiring.map((f) => [f.kind, f.outcome]),
      [['window.expiring', 'notify']],
    );
    assert.equal(windowState(expires, kit.clock.now), 'expiring');

    const expired = await advanceTo(expires + 1000, conv.id, 2);
    assert.deepEqual(expired.at(-1), { kind: 'window.expired', conversationId: conv.id, outcome: 'notify' });
    assert.equal(windowState(expires, kit.clock.now), 'expired');
    assert.equal((await kit.conversations()).find((c) => c.id === conv.id)!.status, 'open');
  });
  test('a postponed chat leaves Open and the scheduler brings it back at its time (INB-9)', async () => {
    const conv = await writes('5521960000004', 'Pode me chamar daqui a uma hora?');
    assert.equal(conv.inboxBucket, 'OPEN');
    const admin = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: `U${conv.id}`,
      accountId: kit.number.accountId,
      name: 'Admin',
      email: `admin-${conv.id}@example.com`.toLowerCase(),
      role: 'admin',
      passwordHash: 'x',
      departmentIds: [],
    });
    const api = { ...deps, getJwtKey: async () => new Uint8Array(32) } as unknown as ApiDeps;
    const auth = { userId: admin.id, accountId: admin.accountId, role: admin.role };
    const res = await postpone(api, auth, conv.id, kit.clock.now + H);
    assert.equal(res.conversation.inboxBucket, 'LATER');
    assert.equal(res.warnWindow, false);

    const back = await advanceTo(kit.clock.now + H + 1000, conv.id, 1);
    assert.deepEqual(back.at(-1), {
      kind: 'conversation.unpostpone',
      conversationId: conv.id,
      outcome: 'unpostpone',
    });
    assert.equal((await kit.conversations()).find((c) => c.id === conv.id)!.inboxBucket, 'OPEN');
  });

  test('a chat postponed beyond the inactivity period comes back instead of being closed first (INB-9)', async () => {
    // Back to 2 hours of inactivity; postponed for 5.
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.account(kit.number.accountId),
        UpdateExpression: 'SET inactivityHours = :h',
        ExpressionAttributeValues: { ':h': 2 },
      }),
    );
    kit.clock.now += H; // past the settings cache
    const t0 = kit.clock.now;
    const conv = await writes('5521960000005', 'Me chama amanhã, por favor');
    const admin = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: `U${conv.id}`,
      accountId: kit.number.accountId,
      name: 'Admin',
      email: `admin-${conv.id}@example.com`.toLowerCase(),
      role: 'admin',
      passwordHash: 'x',
      departmentIds: [],
    });
    const api = { ...deps, getJwtKey: async () => new Uint8Array(32) } as unknown as ApiDeps;
    const auth = { userId: admin.id, accountId: admin.accountId, role: admin.role };
    await postpone(api, auth, conv.id, t0 + 5 * H);
    const current = async () => (await kit.conversations()).find((c) => c.id === conv.id)!;

    const early = await advanceTo(t0 + 2 * H + 1000, conv.id, 1);
    assert.deepEqual(
      early.map((f) => [f.kind, f.outcome]),
      [['conversation.autoclose', 'rearm']],
    );
    assert.equal((await current()).status, 'open');
    assert.equal((await current()).inboxBucket, 'LATER');

    const back = await advanceTo(t0 + 5 * H + 1000, conv.id, 2);
    assert.deepEqual(back.at(-1), {
      kind: 'conversation.unpostpone',
      conversationId: conv.id,
      outcome: 'unpostpone',
    });
    assert.equal((await current()).status, 'open');
    assert.equal((await current()).inboxBucket, 'OPEN');

    // Back in the list, the inactivity period counts from its return.
    const closed = await advanceTo(t0 + 7 * H + 1000, conv.id, 3);
    assert.deepEqual(closed.at(-1), {
      kind: 'conversation.autoclose',
      conversationId: conv.id,
      outcome: 'close',
    });
    assert.equal((await current()).status, 'closed');
  });
});
