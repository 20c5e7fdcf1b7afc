/**
 * The post-deploy smoke check (`npm run smoke`, scripts/smoke.ts) run against a local
 * stack, as an operator would run it against AWS after `cdk deploy`: every step passes on
 * a healthy stack, and a verify token that is not fn webhook's makes the handshake step
 * fail with a message saying so, and the run fail. The `--stack` path runs too: a stand-in
 * for CloudFormation's DescribeStacks gives the local stack's resources as the stack's
 * outputs, and the webhook secret is read from the Secrets Manager stand-in.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';
import { localSecretId } from '#infra/local/secrets.ts';
import { atExpression } from '#shared/engine/schedules.ts';
import { getSmokeMarker } from '#shared/store/smoke.ts';
import { main, type SmokeReport } from '../../scripts/smoke.ts';

let stack: LocalStack;
let dataDir: string;
const dirs: string[] = [];

beforeAll(async () => {
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

afterAll(async () => {
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
  const scheduler = new SchedulerClient({
    region: stack.resources.region,
    endpoint: stack.urls.scheduler,
    credentials: { accessKeyId: stack.resources.accessKeyId, secretAccessKey: 'local' },
  });
  await assert.rejects(
    scheduler.send(
      new GetScheduleCommand({ Name: `smoke-${report.smokeId}`, GroupName: stack.resources.schedulerGroup }),
    ),
    ResourceNotFoundException,
    'the smoke schedule deleted itself',
  );
  scheduler.destroy();
});

test('fn timers takes a smoke input only by its contract: a malformed one fires, is dropped, and writes no marker', async () => {
  const r = stack.resources;
  const scheduler = new SchedulerClient({
    region: r.region,
    endpoint: stack.urls.scheduler,
    credentials: { accessKeyId: r.accessKeyId, secretAccessKey: 'local' },
  });
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: r.region,
      endpoint: stack.urls.dynamodb,
      credentials: { accessKeyId: r.accessKeyId, secretAccessKey: 'local' },
    }),
  );
  try {
    const smokeId = 'bad id!';
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'smoke-malformed',
        GroupName: r.schedulerGroup,
        ScheduleExpression: atExpression(Date.now()),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: r.schedulerTargetArn,
          RoleArn: r.schedulerRoleArn,
          Input: JSON.stringify({ kind: 'smoke', smokeId, at: Date.now() }),
        },
      }),
    );
    // Fired (the schedule deleted itself after fn timers ran) …
    for (;;) {
      try {
        await scheduler.send(
          new GetScheduleCommand({ Name: 'smoke-malformed', GroupName: r.schedulerGroup }),
        );
      } catch (err) {
        if (err instanceof ResourceNotFoundException) break;
        throw err;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    // … and dropped: no marker under that id.
    assert.equal(await getSmokeMarker(ddb, r.tableName, smokeId), undefined);
  } finally {
    scheduler.destroy();
    ddb.destroy();
  }
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

/** CloudFormation's DescribeStacks (AWS Query protocol, XML) for one stack and its outputs. */
async function fakeCloudFormation(stackName: string, outputs: Record<string, string>) {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      asked.push(`${form.get('Action')} ${form.get('StackName')}`);
      if (form.get('Action') !== 'DescribeStacks' || form.get('StackName') !== stackName) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${esc(form.get('StackName') ?? '')} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([k, v]) => `<member><OutputKey>${esc(k)}</OutputKey><OutputValue>${esc(v)}</OutputValue></member>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${stackName}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${stackName}/1</StackId><CreationTime>2026-12-03T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, asked, stop: () => new Promise((r) => server.close(r)) };
}

test('npm run smoke -- --stack: the outputs from DescribeStacks, the verify token and app secret from the whatsapp-webhook secret', async () => {
  const r = stack.resources;
  const cfn = await fakeCloudFormation('AtendeSmoke', {
    HttpApiUrl: stack.urls.api,
    WebhookUrl: stack.urls.webhook,
    TableName: r.tableName,
    SchedulerGroupName: r.schedulerGroup,
    SchedulerRoleArn: r.schedulerRoleArn,
    SchedulerTargetArn: r.schedulerTargetArn,
    // CloudFormation drops the dash of the construct id `whatsapp-webhookSecretName`.
    whatsappwebhookSecretName: localSecretId('whatsapp-webhook'),
  });
  // The operator's credentials and the endpoints (on AWS, the SDK's defaults).
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url,
    AWS_ACCESS_KEY_ID: r.accessKeyId,
    SMOKE_PASSWORD: stack.demo.password,
  });
  try {
    const lines: string[] = [];
    const report = await main(
      [
        '--stack',
        'AtendeSmoke',
        '--region',
        r.region,
        '--email',
        stack.demo.email!,
        '--phone-number-id',
        stack.demo.phoneNumberId,
        '--schedule-delay-seconds',
        '1',
      ],
      { line: (l) => lines.push(l) },
    );
    assert.equal(report.exitCode, 0, lines.join('\n'));
    assert.equal(report.source, `stack AtendeSmoke (${r.region})`);
    assert.deepEqual(cfn.asked, ['DescribeStacks AtendeSmoke']);

    // A stack name that does not exist: the check cannot start, and says why.
    const missing = await main(['--stack', 'Nope', '--email', 'a@b.c', '--phone-number-id', '1'], {
      line: () => {},
    });
    assert.equal(missing.exitCode, 2);
    assert.match(missing.error!, /Could not read stack Nope in us-east-1: Stack with id Nope does not exist/);
  } finally {
    for (const k of ['AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_ACCESS_KEY_ID', 'SMOKE_PASSWORD']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await cfn.stop();
  }
});
