import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#shared/store/table.ts';
import { keys } from '#shared/store/keys.ts';
import { listConnections } from '#shared/store/connections.ts';
import { createUser } from '#shared/store/users.ts';
import { jwtKeyFromSecret, signAccessToken } from '#shared/auth/tokens.ts';
import type { WsDeps, WsEvent } from '#shared/api/websocket.ts';
import { buildWsHandler, defaultWsDeps } from '#functions/ws/build.ts';
import { WebSocket } from 'ws';
import { loadConfig } from '#shared/config.ts';
import { dynamo } from '#shared/aws/clients.ts';
import { freePort } from '#infra/local/ports.ts';
import { startWsGateway, type WsGateway } from '#infra/local/ws-gateway.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

/** A user for a token: $connect refuses a token whose user does not exist. */
const userFor = (
  ddb: DynamoDBDocumentClient,
  tableName: string,
  u: { userId: string; accountId: string; role: 'agent' | 'admin'; departmentIds?: string[] },
) =>
  createUser(ddb, tableName, {
    id: u.userId,
    accountId: u.accountId,
    name: u.userId,
    email: `${u.userId.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`,
    role: u.role,
    passwordHash: 'x',
    departmentIds: u.departmentIds ?? [],
  });

/** An event as API Gateway sends it (the function reads only part of it). */
function wsEvent(routeKey: string, connectionId: string, extra: Partial<WsEvent> = {}): WsEvent {
  const event: APIGatewayProxyWebsocketEventV2 = {
    requestContext: {
      routeKey,
      connectionId,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      messageId: 'm1',
      extendedRequestId: 'x',
      requestTime: '',
      messageDirection: 'IN',
      stage: '$default',
      connectedAt: T0,
      requestTimeEpoch: T0,
      requestId: 'r1',
      domainName: 'localhost',
      apiId: 'local',
    },
    isBase64Encoded: false,
  };
  return { ...event, ...extra };
}

describe('WebSocket function', () => {
  let deps: WsDeps;
  let ddb: DynamoDBDocumentClient;
  let tableName: string;
  const key = jwtKeyFromSecret(randomBytes(32).toString('hex'));
  const posted: { connectionId: string; data: unknown }[] = [];

  beforeAll(async () => {
    tableName = `test-ws-${randomBytes(4).toString('hex')}`;
    const raw = new DynamoDBClient({});
    await ensureTable(raw, tableName);
    ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    deps = { ddb, tableName, getJwtKey: async () => key, now: () => T0 };
  });

  const connect = (handler: ReturnType<typeof buildWsHandler>, connectionId: string, token?: string) =>
    handler(
      wsEvent('$connect', connectionId, {
        queryStringParameters: token === undefined ? undefined : { token },
      }),
      {} as Context,
    );

  test('$connect without a token, or with a bad or expired one, is refused with 401 and stores nothing', async () => {
    const handler = buildWsHandler(() => deps);
    const expired = await signAccessToken(
      { userId: 'U1', accountId: 'A1', role: 'agent' },
      key,
      T0 - 20 * 60 * 1000,
    );
    const foreign = await signAccessToken(
      { userId: 'U1', accountId: 'A1', role: 'agent' },
      jwtKeyFromSecret('z'.repeat(32)),
      T0,
    );

    for (const token of [undefined, 'garbage', expired, foreign]) {
      const res = await connect(handler, 'bad-conn', token);
      assert.equal(res.statusCode, 401, String(token));
    }
    const stored = await ddb.send(
      new GetCommand({ TableName: tableName, Key: keys.connectionById('bad-conn') }),
    );
    assert.equal(stored.Item, undefined);
    assert.deepEqual(await listConnections(ddb, tableName, 'A1', T0), []);
  });

  test('$connect with a valid token stores the connection for its account with a 2 h TTL', async () => {
    const handler = buildWsHandler(() => deps);
    await userFor(ddb, tableName, { userId: 'U7', accountId: 'A7', role: 'agent', departmentIds: ['D1'] });
    const token = await signAccessToken({ userId: 'U7', accountId: 'A7', role: 'agent' }, key, T0);

    const res = await connect(handler, 'conn-7=', token);

    assert.equal(res.statusCode, 200);
    const conns = await listConnections(ddb, tableName, 'A7', T0);
    assert.deepEqual(conns, [
      {
        connectionId: 'conn-7=',
        accountId: 'A7',
        userId: 'U7',
        connectedAt: T0,
        ttl: T0 / 1000 + 7200,
        // What the push filter needs of the user, stored with the connection.
        viewer: { role: 'agent', departmentIds: ['D1'] },
      },
    ]);
    const byId = await ddb.send(
      new GetCommand({ TableName: tableName, Key: keys.connectionById('conn-7=') }),
    );
    assert.equal(byId.Item?.accountId, 'A7');
  });

  test('$connect with a valid token of a user who no longer exists is refused and stores nothing', async () => {
    const handler = buildWsHandler(() => deps);
    const token = await signAccessToken({ userId: 'U-GONE', accountId: 'A7', role: 'admin' }, key, T0);

    const res = await connect(handler, 'conn-gone', token);

    assert.equal(res.statusCode, 401);
    assert.ok((await listConnections(ddb, tableName, 'A7', T0)).every((c) => c.userId !== 'U-GONE'));
  });

  test('$disconnect forgets the connection', async () => {
    const handler = buildWsHandler(() => deps);
    await userFor(ddb, tableName, { userId: 'U8', accountId: 'A8', role: 'admin' });
    const token = await signAccessToken({ userId: 'U8', accountId: 'A8', role: 'admin' }, key, T0);
    await connect(handler, 'conn-8', token);

    const res = await handler(wsEvent('$disconnect', 'conn-8'), {} as Context);

    assert.equal(res.statusCode, 200);
    assert.deepEqual(await listConnections(ddb, tableName, 'A8', T0), []);
    const byId = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.connectionById('conn-8') }));
    assert.equal(byId.Item, undefined);
  });

  test('ping gets a pong: in the route response, or through the management API when configured', async () => {
    const inline = buildWsHandler(() => deps);
    const managed = buildWsHandler(() => ({
      ...deps,
      post: async (connectionId, data) => {
        posted.push({ connectionId, data });
      },
    }));

    const a = await inline(
      wsEvent('$default', 'c1', { body: JSON.stringify({ action: 'ping' }) }),
      {} as Context,
    );
    const b = await managed(
      wsEvent('$default', 'c2', { body: JSON.stringify({ action: 'ping' }) }),
      {} as Context,
    );
    const c = await inline(wsEvent('$default', 'c1', { body: 'not json' }), {} as Context);

    assert.deepEqual(JSON.parse(a.body!), { type: 'pong' });
    assert.equal(b.statusCode, 200);
    assert.deepEqual(posted, [{ connectionId: 'c2', data: { type: 'pong' } }]);
    assert.equal(JSON.parse(c.body!).code, 'UNKNOWN_ACTION');
  });
});

describe('WebSocket function behind the local WebSocket gateway', () => {
  let gateway: WsGateway;
  let tableName: string;
  const key = jwtKeyFromSecret(randomBytes(32).toString('hex'));

  beforeAll(async () => {
    tableName = `test-ws-${randomBytes(4).toString('hex')}`;
    await ensureTable(new DynamoDBClient({}), tableName);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // The production wiring (management API client included), with the test's key and table.
    const handler = buildWsHandler(() => ({
      ...defaultWsDeps(loadConfig({ TABLE_NAME: tableName, WS_MANAGEMENT_ENDPOINT: endpoint })),
      getJwtKey: async () => key,
    }));
    gateway = await startWsGateway({
      port,
      handler: () => (event, ctx) => handler(event, ctx as Context),
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  const open = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
      ws.once('error', reject);
    });

  test('a bad token is refused with 401; a good one connects and ping gets pong', async () => {
    await userFor(dynamo(), tableName, { userId: 'U1', accountId: 'A1', role: 'agent' });
    const token = await signAccessToken({ userId: 'U1', accountId: 'A1', role: 'agent' }, key, Date.now());

    await assert.rejects(open(`${gateway.url}?token=nope`), /401/);
    const ws = await open(`${gateway.url}?token=${encodeURIComponent(token)}`);
    const pong = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send(JSON.stringify({ action: 'ping' }));

    assert.deepEqual(JSON.parse(await pong), { type: 'pong' });
    const conns = await listConnections(dynamo(), tableName, 'A1', Date.now());
    assert.deepEqual(
      conns.map((c) => c.connectionId),
      gateway.connections(),
    );
    ws.close();
  });
});
