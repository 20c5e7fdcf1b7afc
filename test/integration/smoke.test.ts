/**
 * The post-deploy smoke check (`npm run smoke`, scripts/smoke.ts) run against a local
 * stack, as an operator would run it against AWS after `cdk deploy`: every step passes on
 * a healthy stack, and a verify token that is not fn webhook's makes the handshake step
 * fail with a message saying so, and the run fail.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';
import { main, type SmokeReport } from '../../scripts/smoke.ts';

let stack: LocalStack;
let dataDir: string;
const dirs: string[] = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'atende-smoke-'));
  dirs.push(dataDir);
  stack = await startStack({
    dataDir,
    portBase: await freePortBase(),
    reset: true,
    ephemeral: true,
    web: false,
    log: () => {},
  });
});

after(async () => {
  await stack?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const summary = (r: SmokeReport) => r.steps.map((s) => [s.step, s.ok]);

test('npm run smoke -- --local: handshake, signed webhook, the message in the API, a schedule that fires and deletes itself', async () => {
  const lines: string[] = [];
  const report = await main(['--local', dataDir, '--schedule-delay-seconds', '2'], {
    line: (l) => lines.push(l),
  });
  assert.equal(report.exitCode, 0, lines.join('\n'));
  assert.deepEqual(summary(report), [
    ['handshake', true],
    ['webhook', true],
    ['api', true],
    ['schedule', true],
  ]);
  assert.match(lines.join('\n'), /✓ 4\. A one-time schedule fires fn timers and deletes itself/);
  assert.match(report.steps[3]!.detail!, /fired fn timers .* and deleted itself/);

  // What the check left behind: its message in the demo inbox, no schedule in the scheduler.
  const login = await fetch(`${stack.urls.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: stack.demo.email, password: stack.demo.password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const convs = (await (
    await fetch(`${stack.urls.api}/api/conversations?q=12025550123`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
  ).json()) as { items: { contactName: string; lastMessage?: { text: string } }[] };
  assert.equal(convs.items[0]?.lastMessage?.text, `Atende smoke check ${report.smokeId}`);
  const schedules = await fetch(`${stack.urls.scheduler}/schedules/smoke-${report.smokeId}?groupName=atende`);
  assert.equal(schedules.status, 404, 'the smoke schedule deleted itself');
});

test('a verify token other than fn webhook’s: the handshake step fails saying so, the run exits non-zero', async () => {
  // The operator's copy of the configuration disagrees with what fn webhook reads.
  const wrongDir = mkdtempSync(join(tmpdir(), 'atende-smoke-wrong-'));
  dirs.push(wrongDir);
  const info = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8'));
  info.demo.verifyToken = 'not-the-deployments-token';
  writeFileSync(join(wrongDir, 'local.json'), JSON.stringify(info));

  const lines: string[] = [];
  let json = '';
  const report = await main(['--local', wrongDir, '--schedule-delay-seconds', '1', '--json'], {
    line: (l) => lines.push(l),
    json: (s) => (json = s),
  });
  assert.equal(report.exitCode, 1);
  assert.equal(report.ok, false);
  const hs = report.steps.find((s) => s.step === 'handshake')!;
  assert.equal(hs.ok, false);
  assert.match(hs.error!, /refused the deployment's verify token \(403\)/);
  assert.match(lines.join('\n'), /✗ 1\. Webhook handshake/);
  // The other checks still ran and passed: the report points at the one fault.
  assert.deepEqual(summary(report).slice(1), [
    ['webhook', true],
    ['api', true],
    ['schedule', true],
  ]);
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(report)));
});
