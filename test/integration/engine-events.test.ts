/**
 * The engine's domain events and their listeners' failures (shared/events/): a listener
 * whose side effect matters (the timers) fails the item, so the queue redelivers it and the
 * idempotent redelivery does it; a courtesy (the socket push) is logged (shared/push/push.ts)
 * and the item is done.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { createAccount } from '#shared/store/accounts.ts';
import { putConnection } from '#shared/store/connections.ts';
import { freePort } from '#infra/local/ports.ts';
import { engineKit, kitScheduler, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
let deps: EngineDeps;
let sched: Awaited<ReturnType<typeof kitScheduler>>;
let failSchedules = 0;

beforeAll(async () => {
  kit = await engineKit();
  await createAccount(kit.deps.ddb, kit.deps.tableName, {
    id: kit.number.accountId,
    name: 'Loja',
    timezone: 'America/Sao_Paulo',
    inactivityHours: 24,
  });
  sched = await kitScheduler(kit, { maxAttempts: 1 });
  const client = sched.client;
  // The Scheduler answers 500 while `failSchedules` > 0.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'CreateScheduleCommand' && failSchedules > 0) {
        failSchedules--;
        throw Object.assign(new Error('Internal server error'), {
          name: 'InternalServerException',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failSchedules' },
  );
  deps = sched.deps;
});
afterAll(async () => {
  await sched.stop();
  await kit.stop();
});

let sequence = 7000;
const record = (): Pick<EngineDeps, 'delivery'> => ({
  delivery: { firstReceivedAt: kit.clock.now, sequenceNumber: String(++sequence).padStart(20, '0') },
});

test('the Scheduler failing on an opening message fails the item; its redelivery arms the timers, the message stays one', async () => {
  const from = '5521955550001';
  const item = kit.text(from, 'Olá');
  const rec = record();
  failSchedules = 1;
  await assert.rejects(processInboundItem(item, { ...deps, ...rec }), /Internal server error/);
  let conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
  assert.equal(conv.status, 'open');
  assert.equal(conv.timersArmedFor, undefined, 'not marked armed after a failure');

  await processInboundItem(item, { ...deps, ...rec }); // the queue's redelivery
  conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
  assert.equal(conv.timersArmedFor, conv.attendanceId);
  const kinds = sched.scheduler
    .list()
    .map((s) => JSON.parse(s.Target.Input ?? '{}') as { kind: string; conversationId: string });
  assert.deepEqual(
    kinds
      .filter((k) => k.conversationId === conv.id)
      .map((k) => k.kind)
      .sort(),
    ['conversation.autoclose', 'window.expired', 'window.expiring'],
  );
  const messages = (await kit.messages(conv.id)).filter((m) => m.direction === 'in');
  assert.equal(messages.length, 1);
  assert.equal(conv.unread, 1);
});

test('a socket push that fails does not fail the customer message, nor what follows it (the timers)', async () => {
  await putConnection(
    kit.deps.ddb,
    kit.deps.tableName,
    {
      connectionId: 'conn-down',
      accountId: kit.number.accountId,
      userId: 'u1',
      viewer: { role: 'admin', departmentIds: [] },
    },
    kit.clock.now,
  );
  // A management API nobody listens on: every post fails with a network error.
  const ws = new ApiGatewayManagementApiClient({
    endpoint: `http://127.0.0.1:${await freePort()}`,
    maxAttempts: 1,
  });
  const from = '5521955550002';
  await processInboundItem(kit.text(from, 'Oi'), {
    ...deps,
    ...record(),
    ws,
  });
  ws.destroy();
  const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
  assert.equal((await kit.messages(conv.id)).filter((m) => m.direction === 'in').length, 1);
  assert.equal(conv.timersArmedFor, conv.attendanceId);
});
