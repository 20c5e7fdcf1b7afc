/**
 * Web push to the agents' phones (INB-8) through the real engine and the real web-push
 * library, to a push service stand-in started here: the chat's department members are
 * told once per contact, the agent again after opening the chat, nobody when no one holds
 * the chat, a subscription the push service says is gone is forgotten, and a deactivated
 * user is told nothing (issue 12, finding 6).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import webpush from 'web-push';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { rearmNotification, saveSubscription } from '#shared/push/web-push.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import { putDepartment } from '#shared/store/catalog.ts';
import { keys } from '#shared/store/keys.ts';
import { createUser, updateUserFields } from '#shared/store/users.ts';
import { userPushSubscriptions } from '#shared/store/push-subscriptions.ts';
import { deactivateUser } from '#shared/api/users-service.ts';
import type { ApiDeps } from '#shared/api/api-deps.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
let deps: EngineDeps;
let server: Server;
let base: string;
const received: string[] = [];
const gone = new Set<string>();
const users: Record<string, string> = {};

/** A browser's subscription keys (P-256 public key and auth secret, base64url). */
function clientKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

beforeAll(async () => {
  kit = await engineKit();
  const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:teste@atende.local' };
  deps = { ...kit.deps, vapid: async () => vapid };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const who = req.url!.slice(1);
      assert.match(String(req.headers.authorization), /^vapid t=/);
      assert.equal(req.headers['content-encoding'], 'aes128gcm');
      if (gone.has(who)) {
        res.writeHead(410).end();
        return;
      }
      received.push(who);
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The push service stand-in is plain http on this machine: the operator's allow-list says so.
  deps.outbound = outboundPolicy(base);
  const accountId = kit.number.accountId;
  const suporte = (
    await putDepartment(kit.deps.ddb, kit.deps.tableName, { id: 'dept-suporte', accountId, name: 'Suporte' })
  ).id;
  for (const [name, departmentIds] of [
    ['ana', [suporte]],
    ['bia', [suporte]],
    ['caio', []],
  ] as const) {
    const u = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: `user-${name}`,
      accountId,
      name,
      email: `${name}-${randomBytes(3).toString('hex')}@example.com`,
      role: 'agent',
      passwordHash: 'x',
      departmentIds: [...departmentIds],
    });
    users[name] = u.id;
    await saveSubscription(deps, accountId, u.id, { endpoint: `${base}/${name}`, keys: clientKeys() });
  }
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await kit.stop();
});

async function set(conversationId: string, attrs: Record<string, string>) {
  const names = Object.keys(attrs);
  await kit.deps.ddb.send(
    new UpdateCommand({
      TableName: kit.deps.tableName,
      Key: keys.conversation(kit.number.accountId, conversationId),
      UpdateExpression: `SET ${names.map((n, i) => `#n${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, attrs[n]])),
    }),
  );
}

const writes = async (body: string, from = '5511977770000') => {
  received.length = 0;
  await processInboundItem(kit.text(from, body), deps);
  return [...received].sort();
};

describe('web push (INB-8)', () => {
  test('once per contact to the department, again to an agent who opened the chat, never to others', async () => {
    assert.deepEqual(await writes('oi'), [], 'a chat of no one notifies no one');
    const conv = (await kit.conversations())[0]!;
    await set(conv.id, { departmentId: 'dept-suporte' });
    assert.deepEqual(await writes('alguém aí?'), ['ana', 'bia']);
    assert.deepEqual(await writes('olá??'), [], 'twenty messages, one notification');
    await rearmNotification(kit.deps, kit.number.accountId, conv.id, users.ana!);
    assert.deepEqual(await writes('preciso de ajuda'), ['ana']);
    await set(conv.id, { agentId: users.caio! });
    assert.deepEqual(await writes('oi Caio'), ['caio']);
  });

  test('a subscription the push service says is gone (410) is forgotten', async () => {
    const conv = (await kit.conversations())[0]!;
    gone.add('caio');
    await rearmNotification(kit.deps, kit.number.accountId, conv.id, users.caio!);
    assert.deepEqual(await writes('ainda aí?'), []);
    gone.delete('caio');
    await rearmNotification(kit.deps, kit.number.accountId, conv.id, users.caio!);
    assert.deepEqual(await writes('e agora?'), [], 'no subscription left to notify');
  });

  test('a deactivated member of the department is told nothing; deactivation forgets their phones', async () => {
    const accountId = kit.number.accountId;
    const from = '5511966660000';
    assert.deepEqual(await writes('bom dia', from), []);
    const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
    await set(conv.id, { departmentId: 'dept-suporte' });
    // Bia was deactivated with her phone still subscribed (as before this rule existed).
    await updateUserFields(kit.deps.ddb, kit.deps.tableName, accountId, users.bia!, {
      set: { deactivatedAt: kit.clock.now },
    });
    assert.deepEqual(await writes('alguém?', from), ['ana'], 'the deactivated member is skipped');

    // Deactivating through the team page's service deletes her subscriptions: even a chat
    // still assigned to her notifies nobody.
    await updateUserFields(kit.deps.ddb, kit.deps.tableName, accountId, users.bia!, {
      remove: ['deactivatedAt'],
    });
    assert.equal(
      (await userPushSubscriptions(kit.deps.ddb, kit.deps.tableName, accountId, users.bia!)).length,
      1,
    );
    const apiDeps = {
      ...kit.deps,
      getJwtKey: () => Promise.reject(new Error('unused')),
    } as unknown as ApiDeps;
    await deactivateUser(apiDeps, { userId: 'user-admin', accountId, role: 'admin' }, users.bia!);
    assert.deepEqual(
      await userPushSubscriptions(kit.deps.ddb, kit.deps.tableName, accountId, users.bia!),
      [],
    );
    await set(conv.id, { agentId: users.bia! });
    assert.deepEqual(await writes('Bia?', from), [], 'her chat notifies no one');
  });
});
