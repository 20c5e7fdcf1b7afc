/**
 * The local runtime as `npm start` runs it: every stand-in up, the webhook handshake
 * answered through the HTTP gateway, .data/local.json written, data kept across a
 * restart, nothing left running after stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';

const javaOn = (port: number) => {
  try {
    return execSync(`pgrep -f "[D]ynamoDBLocal.jar -port ${port}"`).toString().trim().length > 0;
  } catch {
    return false;
  }
};

test('npm start’s stack: handshake through the gateway, local.json, restart keeps data, stop leaves nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atende-stack-'));
  const portBase = await freePortBase();
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({ dataDir, portBase, reset: true, web: false, log: () => {} });
    const info = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8'));
    assert.equal(info.urls.webhook, stack.urls.webhook);
    assert.equal(info.demo.phoneNumberId, '100000000000001');
    assert.ok(info.demo.appSecret && info.demo.verifyToken);

    const url = new URL(stack.urls.webhook);
    url.search = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.verify_token': info.demo.verifyToken,
      'hub.challenge': 'desafio-123',
    }).toString();
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'desafio-123');
    url.searchParams.set('hub.verify_token', 'wrong');
    assert.equal((await fetch(url)).status, 403);

    const login = await fetch(`${stack.urls.api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: info.demo.email, password: info.demo.password }),
    });
    assert.equal(login.status, 200, 'the seeded demo user can log in');

    // Browsers upload attachments straight to S3: the preflight must pass, as on AWS.
    const preflight = await fetch(`${stack.urls.s3}/atende-media/acc/x/uploads/y`, {
      method: 'OPTIONS',
      headers: { origin: stack.urls.web, 'access-control-request-method': 'PUT' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), stack.urls.web);
    await stack.stop();
    stack = undefined;
    assert.ok(!javaOn(portBase + 5), 'DynamoDB Local stopped');

    // Restart on the same data: the demo account is the same one, secrets unchanged.
    stack = await startStack({ dataDir, portBase, web: false, log: () => {} });
    assert.equal(stack.demo.accountId, info.demo.accountId);
    assert.equal(stack.demo.appSecret, info.demo.appSecret);
  } finally {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
