/**
 * Cutting users off (issue 12, findings 6 and 7): deactivation, password changes and
 * resets, role changes, refresh-token reuse, the absolute session lifetime and login
 * throttling — each test performs the attack and checks it fails.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashPassword } from '#shared/auth/password.ts';
import { handleWsEvent } from '#shared/api/websocket.ts';
import { keys } from '#shared/store/keys.ts';
import { createUser, getUser } from '#shared/store/users.ts';
import type { Role } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('cutting users off', () => {
  let kit: ApiKit;
  let admin: SeededTenant;
  let adminToken: string;
  let other: SeededTenant;
  let otherToken: string;

  /** A user in the admin's account (own e-mail and password), as a tenant-shaped handle. */
  async function addMember(role: Role = 'agent', cost?: { N: number; r: number; p: number }) {
    const password = `pw-${randomBytes(4).toString('hex')}`;
    const user = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: admin.accountId,
      name: 'Joana Agente',
      email: `joana-${randomBytes(4).toString('hex')}@example.com`,
      role,
      passwordHash: await hashPassword(password, cost),
      departmentIds: [],
    });
    return { ...admin, user, password };
  }

  /** Runs `fn` with the clock moved by `ms`, then puts it back. */
  async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    const start = kit.clock.now;
    kit.clock.now = start + ms;
    try {
      return await fn();
    } finally {
      kit.clock.now = start;
    }
  }

  const me = (token: string) => kit.call('GET', '/api/me', { token });
  const refresh = (refreshToken: string) => kit.call('POST', '/api/auth/refresh', { body: { refreshToken } });

  beforeAll(async () => {
    kit = await createApiKit();
    admin = await seedTenant(kit, { name: 'Loja A', role: 'admin' });
    other = await seedTenant(kit, { name: 'Loja B', role: 'admin' });
    adminToken = (await loginAs(kit, admin)).accessToken;
    otherToken = (await loginAs(kit, other)).accessToken;
  });

  test("a deactivated user's access token is refused at once, and their refresh and login fail", async () => {
    const agent = await addMember();
    const tokens = await loginAs(kit, agent);
    assert.equal((await me(tokens.accessToken)).status, 200);

    const off = await kit.call('POST', `/api/users/${agent.user.id}/deactivate`, { token: adminToken });

    assert.equal(off.status, 200);
    assert.equal(typeof off.body.deactivatedAt, 'number');
    const after = await me(tokens.accessToken);
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'SESSION_REVOKED');
    assert.equal((await refresh(tokens.refreshToken)).status, 401);
    const login = await kit.call('POST', '/api/auth/login', {
      body: { email: agent.user.email, password: agent.password },
    });
    assert.equal(login.status, 403);
    assert.equal(login.body.error.code, 'USER_DEACTIVATED');
    const list = await kit.call('GET', '/api/users', { token: adminToken });
    assert.ok(
      list.body.items.some((u: { id: string }) => u.id === agent.user.id),
      'history keeps the user',
    );

    const on = await kit.call('POST', `/api/users/${agent.user.id}/reactivate`, { token: adminToken });
    assert.equal(on.status, 200);
    assert.equal(on.body.deactivatedAt, undefined);
    assert.equal((await loginAs(kit, agent)).accessToken.split('.').length, 3);
    // The tokens from before the deactivation stay dead after reactivation.
    assert.equal((await me(tokens.accessToken)).status, 401);
  });

  test("a deactivated user's access token opens no WebSocket", async () => {
    const agent = await addMember();
    const { accessToken } = await loginAs(kit, agent);
    const connect = (connectionId: string) =>
      handleWsEvent(
        {
          requestContext: { routeKey: '$connect', connectionId },
          queryStringParameters: { token: accessToken },
        },
        kit.deps,
      );
    assert.equal((await connect('before=')).statusCode, 200);

    await kit.call('POST', `/api/users/${agent.user.id}/deactivate`, { token: adminToken });

    assert.equal((await connect('after=')).statusCode, 401);
  });

  test('a user deactivated by another process is refused once the 5 s user cache expires', async () => {
    const agent = await addMember();
    const tokens = await loginAs(kit, agent);
    assert.equal((await me(tokens.accessToken)).status, 200); // warms this process's cache
    // Another instance deactivates the user: this process's cache is not told.
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.user(agent.accountId, agent.user.id),
        UpdateExpression: 'SET deactivatedAt = :t, tokenVersion = :v',
        ExpressionAttributeValues: { ':t': kit.clock.now, ':v': 1 },
      }),
    );

    const res = await later(6000, () => me(tokens.accessToken));

    assert.equal(res.status, 401);
  });

  test("changing one's password ends the other sessions; this device gets new tokens", async () => {
    const agent = await addMember();
    const phone = await loginAs(kit, agent);
    const laptop = await loginAs(kit, agent);

    const wrong = await kit.call('POST', '/api/me/password', {
      token: laptop.accessToken,
      body: { currentPassword: 'not-it', newPassword: 'nova-senha-123' },
    });
    const changed = await kit.call('POST', '/api/me/password', {
      token: laptop.accessToken,
      body: { currentPassword: agent.password, newPassword: 'nova-senha-123' },
    });

    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'WRONG_PASSWORD');
    assert.equal(changed.status, 200);
    assert.equal((await refresh(phone.refreshToken)).status, 401);
    assert.equal((await me(phone.accessToken)).status, 401);
    assert.equal((await refresh(laptop.refreshToken)).status, 401);
    assert.equal((await me(changed.body.accessToken)).status, 200);
    assert.equal((await refresh(changed.body.refreshToken)).status, 200);
    const oldLogin = await kit.call('POST', '/api/auth/login', {
      body: { email: agent.user.email, password: agent.password },
    });
    assert.equal(oldLogin.status, 401);
    assert.equal(
      (await loginAs(kit, { ...agent, password: 'nova-senha-123' })).refreshToken.length > 0,
      true,
    );
  });

  test("an admin's change of role or password ends the user's sessions", async () => {
    const agent = await addMember();
    const first = await loginAs(kit, agent);

    const promoted = await kit.call('PATCH', `/api/users/${agent.user.id}`, {
      token: adminToken,
      body: { role: 'supervisor' },
    });

    assert.equal(promoted.status, 200);
    assert.equal((await me(first.accessToken)).status, 401);
    assert.equal((await refresh(first.refreshToken)).status, 401);
    const second = await loginAs(kit, agent);
    assert.equal((await me(second.accessToken)).body.role, 'supervisor');

    // A rename, or saving the permissions the user already has (as the team page does), cuts no one off.
    await kit.call('PATCH', `/api/users/${agent.user.id}`, {
      token: adminToken,
      body: {
        name: 'Joana S.',
        role: 'supervisor',
        permissions: (await me(second.accessToken)).body.permissions,
      },
    });
    assert.equal((await me(second.accessToken)).status, 200);
    await kit.call('PATCH', `/api/users/${agent.user.id}`, { token: adminToken, body: { permissions: [] } });
    assert.equal((await me(second.accessToken)).status, 401);
    const third = await loginAs(kit, agent);
    assert.deepEqual((await me(third.accessToken)).body.permissions, []);

    await kit.call('PATCH', `/api/users/${agent.user.id}`, {
      token: adminToken,
      body: { password: 'definida-pelo-admin' },
    });
    assert.equal((await refresh(third.refreshToken)).status, 401);
  });

  test('presenting a rotated refresh token again revokes the newest session of its chain', async () => {
    const agent = await addMember();
    const stolen = await loginAs(kit, agent);
    const otherDevice = await loginAs(kit, agent);
    const r2 = (await refresh(stolen.refreshToken)).body;
    const r3 = await later(60_000, async () => (await refresh(r2.refreshToken)).body);

    const replay = await later(120_000, () => refresh(stolen.refreshToken));
    const newest = await later(120_000, () => refresh(r3.refreshToken));

    assert.equal(replay.status, 401);
    assert.equal(newest.status, 401);
    assert.equal(newest.body.error.code, 'INVALID_REFRESH_TOKEN');
    // Another login of the same user is another family: untouched.
    assert.equal((await later(120_000, () => refresh(otherDevice.refreshToken))).status, 200);
  });

  test('a login ends 30 days after it began, however often it was refreshed', async () => {
    const agent = await addMember();
    let token = (await loginAs(kit, agent)).refreshToken;
    const start = kit.clock.now;
    try {
      for (let day = 6; day <= 24; day += 6) {
        kit.clock.now = start + day * DAY;
        const res = await refresh(token);
        assert.equal(res.status, 200, `day ${day}`);
        token = res.body.refreshToken;
      }
      kit.clock.now = start + 30 * DAY;
      const res = await refresh(token);

      assert.equal(res.status, 401);
    } finally {
      kit.clock.now = start;
    }
  });

  test('a refresh session unused for more than 7 days expires', async () => {
    const agent = await addMember();
    const { refreshToken } = await loginAs(kit, agent);

    assert.equal((await later(8 * DAY, () => refresh(refreshToken))).status, 401);
  });

  test('a password-reset link works once, ends the sessions, and expires after an hour', async () => {
    const agent = await addMember();
    const session = await loginAs(kit, agent);
    const link = await kit.call('POST', `/api/users/${agent.user.id}/reset-link`, { token: adminToken });
    assert.equal(link.status, 201);
    assert.equal(link.body.expiresAt, kit.clock.now + 60 * 60 * 1000);

    const used = await kit.call('POST', '/api/auth/reset-password', {
      body: { token: link.body.token, password: 'redefinida-1' },
    });
    const again = await kit.call('POST', '/api/auth/reset-password', {
      body: { token: link.body.token, password: 'redefinida-2' },
    });

    assert.equal(used.status, 204);
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'INVALID_RESET_TOKEN');
    assert.equal((await refresh(session.refreshToken)).status, 401);
    assert.equal((await loginAs(kit, { ...agent, password: 'redefinida-1' })).accessToken.length > 0, true);

    const late = await kit.call('POST', `/api/users/${agent.user.id}/reset-link`, { token: adminToken });
    const expired = await later(61 * 60 * 1000, () =>
      kit.call('POST', '/api/auth/reset-password', {
        body: { token: late.body.token, password: 'tarde-demais' },
      }),
    );
    assert.equal(expired.status, 400);
    const forged = `${admin.accountId}.${late.body.token.split('.')[1]}.${'A'.repeat(43)}`;
    const guessed = await kit.call('POST', '/api/auth/reset-password', {
      body: { token: forged, password: 'adivinhada' },
    });
    assert.equal(guessed.status, 400);
  });

  test('only a user nobody has used can be deleted; the others are deactivated instead', async () => {
    const created = await kit.call('POST', '/api/users', {
      token: adminToken,
      body: {
        name: 'Digitado errado',
        email: `erro-${kit.ids()}@example.com`,
        password: '12345678',
        role: 'agent',
      },
    });
    const signedIn = await kit.call('POST', '/api/users', {
      token: adminToken,
      body: {
        name: 'Já entrou',
        email: `entrou-${kit.ids()}@example.com`,
        password: '12345678',
        role: 'agent',
      },
    });
    const assigned = await kit.call('POST', '/api/users', {
      token: adminToken,
      body: {
        name: 'Recebeu conversa',
        email: `conv-${kit.ids()}@example.com`,
        password: '12345678',
        role: 'agent',
      },
    });
    await kit.call('POST', '/api/auth/login', { body: { email: signedIn.body.email, password: '12345678' } });
    const conv = await putConversation(kit, admin);
    const assign = await kit.call('POST', `/api/conversations/${conv.id}/assign`, {
      token: adminToken,
      body: { agentId: assigned.body.id },
    });
    assert.equal(assign.status, 200);

    const deleted = await kit.call('DELETE', `/api/users/${created.body.id}`, { token: adminToken });
    const refused = await kit.call('DELETE', `/api/users/${signedIn.body.id}`, { token: adminToken });
    const refusedToo = await kit.call('DELETE', `/api/users/${assigned.body.id}`, { token: adminToken });
    const self = await kit.call('DELETE', `/api/users/${admin.user.id}`, { token: adminToken });

    assert.equal(deleted.status, 204);
    assert.equal(
      await getUser(kit.deps.ddb, kit.deps.tableName, admin.accountId, created.body.id),
      undefined,
    );
    const login = await kit.call('POST', '/api/auth/login', {
      body: { email: created.body.email, password: '12345678' },
    });
    assert.equal(login.status, 401);
    for (const res of [refused, refusedToo]) {
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'USER_IN_USE');
      assert.match(res.body.error.message, /Desative/);
    }
    assert.equal(self.status, 409);
    // The e-mail of the deleted user is free again.
    const reused = await kit.call('POST', '/api/users', {
      token: adminToken,
      body: { name: 'De novo', email: created.body.email, password: '12345678', role: 'agent' },
    });
    assert.equal(reused.status, 201);
  });

  test("an admin of another account cannot deactivate, reactivate, delete or reset this account's users (404)", async () => {
    const agent = await addMember();
    const tokens = await loginAs(kit, agent);

    for (const [method, path] of [
      ['POST', `/api/users/${agent.user.id}/deactivate`],
      ['POST', `/api/users/${agent.user.id}/reactivate`],
      ['DELETE', `/api/users/${agent.user.id}`],
      ['POST', `/api/users/${agent.user.id}/reset-link`],
    ] as const) {
      const res = await kit.call(method, path, { token: otherToken });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await me(tokens.accessToken)).status, 200);
    assert.equal((await refresh(tokens.refreshToken)).status, 200);
    assert.equal(other.accountId !== admin.accountId, true);
  });

  test('agents cannot deactivate, delete or reset anyone', async () => {
    const agent = await addMember();
    const victim = await addMember();
    const { accessToken } = await loginAs(kit, agent);

    for (const [method, path] of [
      ['POST', `/api/users/${victim.user.id}/deactivate`],
      ['DELETE', `/api/users/${victim.user.id}`],
      ['POST', `/api/users/${victim.user.id}/reset-link`],
    ] as const) {
      assert.equal((await kit.call(method, path, { token: accessToken })).status, 403, `${method} ${path}`);
    }
  });

  test('a login with a hash of a lower scrypt cost upgrades it to the current cost', async () => {
    const agent = await addMember('agent', { N: 2 ** 14, r: 8, p: 1 });
    assert.match(agent.user.passwordHash, /^scrypt\$16384\$/);

    await loginAs(kit, agent);

    const stored = await getUser(kit.deps.ddb, kit.deps.tableName, agent.accountId, agent.user.id);
    assert.match(stored!.passwordHash, /^scrypt\$131072\$8\$1\$/);
    assert.equal((await loginAs(kit, agent)).accessToken.length > 0, true);
  });
});

describe('login throttling', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit);
  });

  const attempt = (email: string, password: string, sourceIp: string) =>
    kit.call('POST', '/api/auth/login', { body: { email, password }, sourceIp });

  test('after 5 attempts on one e-mail the next is refused with 429 and Retry-After, even with the right password', async () => {
    const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
    for (const ip of ips) assert.equal((await attempt(tenant.user.email, 'errada', ip)).status, 401);

    const blocked = await attempt(tenant.user.email, tenant.password, '198.51.100.6');

    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.match(blocked.body.error.message, /Tente novamente em \d+ minutos?/);
    const retryAfter = Number(blocked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, String(retryAfter));
    const start = kit.clock.now;
    try {
      kit.clock.now = start + retryAfter * 1000;
      assert.equal((await attempt(tenant.user.email, tenant.password, '198.51.100.6')).status, 200);
    } finally {
      kit.clock.now = start;
    }
  });

  test('a successful login clears the e-mail count', async () => {
    const user = await seedTenant(kit);
    for (let i = 0; i < 4; i++)
      assert.equal((await attempt(user.user.email, 'errada', '203.0.113.9')).status, 401);
    assert.equal((await attempt(user.user.email, user.password, '203.0.113.9')).status, 200);

    const next = await attempt(user.user.email, 'errada', '203.0.113.9');

    assert.equal(next.status, 401);
  });

  test('after 20 failures from one address, it is refused with 429 whatever the e-mail; other addresses are not', async () => {
    const ip = '192.0.2.77';
    const victim = await seedTenant(kit);
    // Side by side, as a script would (and each waits for its scrypt anyway).
    const failures = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(`ninguem-${i}@example.com`, 'chute', ip)),
    );
    assert.deepEqual(
      failures.map((r) => r.status),
      Array(20).fill(401),
    );

    const blocked = await attempt(victim.user.email, victim.password, ip);
    const elsewhere = await attempt(victim.user.email, victim.password, '192.0.2.78');

    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal(elsewhere.status, 200);
  });
});
