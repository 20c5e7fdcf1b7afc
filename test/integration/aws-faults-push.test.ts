/**
 * The socket fan-out when API Gateway's management API says a connection is gone (410
 * GoneException, which the local gateway cannot be made to answer mid-fan-out): injected
 * with aws-sdk-client-mock on the engine's management client while a customer's message
 * is processed for real (DynamoDB Local). The other agents still get the message, the
 * stale connection is removed, and the message's record is not failed for it.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { getConnection, putConnection, viewerOf } from '#shared/store/connections.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
const ws = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'https://ws.local' });
const wsMock = mockClient(ws);

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  kit = await engineKit();
});
afterAll(async () => {
  wsMock.restore();
  await kit.stop();
});

/** The frames each connection was sent, decoded. */
const framesByConnection = () => {
  const out = new Map<string, string[]>();
  for (const call of wsMock.commandCalls(PostToConnectionCommand)) {
    const { ConnectionId, Data } = call.args[0].input;
    out.set(ConnectionId!, [...(out.get(ConnectionId!) ?? []), new TextDecoder().decode(Data as Uint8Array)]);
  }
  return out;
};

test('a connection gone mid-fan-out: the other agents get the customer’s message, the stale connection is removed', async () => {
  const { accountId } = kit.number;
  const viewer = viewerOf({ role: 'admin', departmentIds: [] });
  for (const [connectionId, userId] of [
    ['conn-a', 'ana'],
    ['conn-gone', 'bruno'],
    ['conn-c', 'carla'],
  ] as const)
    await putConnection(
      kit.deps.ddb,
      kit.deps.tableName,
      { connectionId, accountId, userId, viewer },
      Date.now(),
    );

  // The specific behaviour after the general one (aws-sdk-client-mock matches the last declared).
  wsMock
    .on(PostToConnectionCommand)
    .resolves({})
    .on(PostToConnectionCommand, { ConnectionId: 'conn-gone' })
    .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));

  const deps = { ...kit.deps, ws };
  await processInboundItem(kit.text('5521988887777', 'alguém aí?'), deps);

  const frames = framesByConnection();
  assert.ok(frames.has('conn-gone'), 'the gone connection was tried (and answered 410)');
  for (const live of ['conn-a', 'conn-c'])
    assert.ok(
      frames.get(live)?.some((f) => f.includes('alguém aí?')),
      `${live} got the message: ${JSON.stringify(frames.get(live))}`,
    );
  assert.equal(
    await getConnection(kit.deps.ddb, kit.deps.tableName, 'conn-gone'),
    undefined,
    'the stale connection is removed',
  );
  assert.ok(await getConnection(kit.deps.ddb, kit.deps.tableName, 'conn-a'), 'the live ones stay');
  const [conv] = (await kit.conversations()).filter((c) => c.contactPhone === '5521988887777');
  assert.deepEqual(
    (await kit.messages(conv!.id)).filter((m) => m.direction === 'in').map((m) => m.text),
    ['alguém aí?'],
  );

  // Once the account's connections are read again (at most a second later), the gone one is not tried.
  await new Promise((r) => setTimeout(r, 1100));
  wsMock.resetHistory();
  kit.clock.now += 1000;
  await processInboundItem(kit.text('5521988887777', 'oi de novo'), deps);
  const next = framesByConnection();
  assert.deepEqual([...next.keys()].sort(), ['conn-a', 'conn-c']);
});
