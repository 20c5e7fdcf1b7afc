/**
 * The local runtime as `npm start` runs it: every stand-in up, the webhook handshake
 * answered through the HTTP gateway, .data/local.json written, data kept across a
 * restart, nothing left running after stop.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOffsets, startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';

const javaOn = (port: number) => {
  try {
    return execSync(`pgrep -f "[D]ynamoDBLocalLoopback.java -port ${port}"`).toString().trim().length > 0;
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

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

/** Local addresses of listening TCP sockets on these ports, from the kernel's table (Linux). */
function listeningAddresses(ports: number[]): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      const port = parseInt(portHex!, 16);
      if (!ports.includes(port)) continue;
      // IPv4 as little-endian hex; IPv6 as four little-endian 32-bit words.
      const words = hex!.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      const addr =
        words.length === 1
          ? words[0]!
              .match(/../g)!
              .map((b) => parseInt(b, 16))
              .join('.')
          : words.join('').toLowerCase();
      found.set(port, [...(found.get(port) ?? []), addr]);
    }
  }
  return found;
}
const LOOPBACK = new Set([
  '127.0.0.1',
  '00000000000000000000ffff7f000001', // ::ffff:127.0.0.1 (a JVM's IPv4 socket)
  '00000000000000000000000000000001', // ::1
]);

test('every port of a started stack (and the test runner’s stand-ins) listens on 127.0.0.1 only; the web app has its security headers', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atende-bind-'));
  const portBase = await freePortBase();
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({ dataDir, portBase, reset: true, ephemeral: true, log: () => {} });
    const ports = Object.values(portOffsets).map((off) => portBase + off);
    // scripts/test.ts's own DynamoDB Local and fauxqs, which every integration test uses.
    for (const v of [process.env.AWS_ENDPOINT_URL_DYNAMODB, process.env.AWS_ENDPOINT_URL_SQS])
      if (v) ports.push(Number(new URL(v).port));

    for (const port of ports)
      assert.ok(await accepts('127.0.0.1', port), `port ${port} answers on 127.0.0.1`);

    if (existsSync('/proc/net/tcp')) {
      const listening = listeningAddresses(ports);
      for (const port of ports) {
        const addrs = listening.get(port) ?? [];
        assert.ok(addrs.length, `port ${port} is listening`);
        for (const a of addrs) assert.ok(LOOPBACK.has(a), `port ${port} listens on ${a}, not only loopback`);
      }
    } else {
      console.log('no /proc/net/tcp on this machine: listening addresses checked by connecting only');
    }

    const outside = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    if (!outside.length)
      console.log(
        'this machine has no non-loopback IPv4 address: the connection attempts from outside are not made',
      );
    for (const host of outside)
      for (const port of ports)
        assert.equal(await accepts(host, port), false, `port ${port} must refuse connections on ${host}`);

    // The web app: CloudFront's headers, locally too (a CSP violation shows in the browser tests).
    const page = await fetch(stack.urls.web);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(csp.includes(`connect-src 'self' ${stack.urls.api} ${stack.urls.ws} ${stack.urls.s3}`));
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.doesNotMatch(await page.text(), /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');

    // The media "bucket" answers CORS for the web app only.
    const preflight = (origin: string) =>
      fetch(`${stack!.urls.s3}/atende-media/acc/x/uploads/y`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT' },
      });
    assert.equal(
      (await preflight(stack.urls.web)).headers.get('access-control-allow-origin'),
      stack.urls.web,
    );
    assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null);
  } finally {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
