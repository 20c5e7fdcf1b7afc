/**
 * The local stack runs what CDK deploys (issue 13): each function has only the variables
 * its grants imply, and every stand-in refuses, with AWS's own error, a call its grants do
 * not allow — so a missing grant fails here, not after `cdk deploy`. The stack is started
 * once, with fn api's `table:write` removed (an altered grants map, as a mistake in
 * infra/topology.ts would be), to show a handler that lacks a grant fails locally.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startStack, type LocalStack } from '#infra/local/stack.ts';
import { freePortBase } from '#infra/local/ports.ts';
import {
  envNames,
  fifoQueueAttributes,
  functionNames,
  functions,
  queueNames,
  queues,
  type FunctionName,
} from '#infra/topology.ts';

const credentials = (fn: FunctionName | 'poller' | 'nobody') => ({
  accessKeyId: `local${fn}`,
  secretAccessKey: 'local',
});
const region = 'us-east-1';

/** The error a call fails with (its SDK name and HTTP status), or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return `${e.name} ${e.$metadata?.httpStatusCode ?? '?'}`;
  }
}

describe('the local stack applies each function’s grants, as IAM does on AWS', () => {
  let stack: LocalStack;
  let dataDir: string;
  const clients: { destroy(): void }[] = [];
  const track = <C extends { destroy(): void }>(c: C) => (clients.push(c), c);
  const ddb = (fn: FunctionName | 'poller' | 'nobody') =>
    track(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region, credentials: credentials(fn) }));
  const sqs = (fn: FunctionName | 'poller') =>
    track(
      new SQSClient({
        endpoint: stack.urls.sqs,
        region,
        credentials: credentials(fn),
        useQueueUrlAsEndpoint: false,
      }),
    );
  const s3 = (fn: FunctionName) =>
    track(
      new S3Client({ endpoint: stack.urls.s3, region, credentials: credentials(fn), forcePathStyle: true }),
    );
  const scheduler = (fn: FunctionName) =>
    track(new SchedulerClient({ endpoint: stack.urls.scheduler, region, credentials: credentials(fn) }));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'atende-grants-'));
    stack = await startStack({
      dataDir,
      portBase: await freePortBase(),
      reset: true,
      ephemeral: true,
      web: false,
      log: () => {},
      // As if someone dropped fn api's table:write from the topology.
      grants: { api: functions.api.grants.filter((g) => g !== 'table:write') },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('each function has exactly the variables its grants imply, and its own key', async () => {
    const env = (fn: FunctionName) => stack.functionEnv[fn];
    for (const fn of functionNames) assert.equal(env(fn).AWS_ACCESS_KEY_ID, `local${fn}`, fn);
    // fn webhook reads the table, sends to the inbound queue, reads its secrets: nothing else.
    const webhook = env('webhook');
    assert.ok(webhook[envNames.table] && webhook[envNames.queueUrl('inbound')]);
    assert.ok(webhook[envNames.secretId('whatsapp-webhook')]);
    for (const absent of [
      envNames.queueUrl('outbound'),
      envNames.queueUrl('assistant'),
      envNames.dlqUrl('outbound'),
      envNames.mediaBucket,
      envNames.secretId('whatsapp'),
      envNames.secretId('auth'),
      envNames.schedulerGroup,
      envNames.schedulerTargetArn,
      envNames.wsEndpoint,
    ])
      assert.equal(webhook[absent], undefined, `fn webhook has no ${absent}`);
    // fn ws pushes and reads its session key; it sends to no queue and holds no bucket.
    assert.ok(env('ws')[envNames.wsEndpoint] && env('ws')[envNames.secretId('auth')]);
    assert.equal(env('ws')[envNames.queueUrl('outbound')], undefined);
    assert.equal(env('ws')[envNames.mediaBucket], undefined);
    // fn outbound has its own DLQ, no scheduler, no other queue.
    assert.ok(env('outbound')[envNames.dlqUrl('outbound')]);
    assert.equal(env('outbound')[envNames.schedulerGroup], undefined);
    assert.equal(env('outbound')[envNames.queueUrl('assistant')], undefined);
    // Only the timers function is the scheduler's target, by its exact name.
    assert.equal(
      env('inbound')[envNames.schedulerTargetArn],
      'arn:aws:lambda:us-east-1:000000000000:function:atende-timers',
    );

    // What the handlers see inside their threads is the same: no variable of another function.
    for (const fn of ['webhook', 'api', 'ws', 'timers'] as const) {
      const seen = await stack.handlerEnv(fn);
      assert.equal(seen.AWS_ACCESS_KEY_ID, `local${fn}`, `${fn}'s thread signs as itself`);
      for (const [k, v] of Object.entries(env(fn))) assert.equal(seen[k], v, `${fn} sees ${k}`);
    }
    const webhookSees = await stack.handlerEnv('webhook');
    assert.equal(webhookSees[envNames.mediaBucket], undefined);
    assert.equal(webhookSees[envNames.queueUrl('outbound')], undefined);
  });

  test('DynamoDB: fn webhook may read the table but not write it (AccessDeniedException, 400)', async () => {
    const key = { pk: { S: 'GRANTS#test' }, sk: { S: 'x' } };
    const table = stack.env[envNames.table]!;
    assert.equal(
      await outcome(ddb('webhook').send(new GetItemCommand({ TableName: table, Key: key }))),
      'ok',
    );
    assert.equal(
      await outcome(ddb('webhook').send(new PutItemCommand({ TableName: table, Item: key }))),
      'AccessDeniedException 400',
    );
    try {
      await ddb('webhook').send(new PutItemCommand({ TableName: table, Item: key }));
    } catch (err) {
      assert.match(
        (err as Error).message,
        /^User: arn:aws:sts::000000000000:assumed-role\/atende-webhook\/atende-webhook is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/atende/,
      );
    }
    assert.equal(
      await outcome(ddb('inbound').send(new PutItemCommand({ TableName: table, Item: key }))),
      'ok',
    );
    // A key nobody was given is not a caller at all.
    assert.equal(
      await outcome(ddb('nobody').send(new GetItemCommand({ TableName: table, Key: key }))),
      'UnrecognizedClientException 400',
    );
  });

  test('SQS: fn ws may not send to the outbound queue; fn inbound may; the pollers only consume', async () => {
    const outbound = stack.env[envNames.queueUrl('outbound')]!;
    const msg = (QueueUrl: string) =>
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      });
    assert.match(await outcome(sqs('ws').send(msg(outbound))), /^AccessDenied/);
    assert.equal(await outcome(sqs('inbound').send(msg(outbound))), 'ok');
    // Dead letters: fn inbound may send to its own DLQ, not to outbound's.
    assert.equal(await outcome(sqs('inbound').send(msg(stack.env[envNames.dlqUrl('inbound')]!))), 'ok');
    assert.match(
      await outcome(sqs('inbound').send(msg(stack.env[envNames.dlqUrl('outbound')]!))),
      /^AccessDenied/,
    );
    // The event source mapping reads the queues; it sends nothing.
    assert.equal(
      await outcome(
        sqs('poller').send(new ReceiveMessageCommand({ QueueUrl: outbound, WaitTimeSeconds: 0 })),
      ),
      'ok',
    );
    assert.match(await outcome(sqs('poller').send(msg(outbound))), /^AccessDenied/);
    // fn api's redrive grant reads the dead letters.
    assert.equal(
      await outcome(
        sqs('api').send(
          new ReceiveMessageCommand({ QueueUrl: stack.env[envNames.dlqUrl('inbound')]!, WaitTimeSeconds: 0 }),
        ),
      ),
      'ok',
    );
  });

  test('SQS: the queues are created with the topology’s FIFO attributes, as CDK creates them', async () => {
    // High-throughput FIFO for inbound and outbound (docs/capacity.md); their DLQs and the
    // assistant's standard queue in the default mode. fauxqs records the attributes (its
    // deduplication is per queue either way: stricter, the same for our per-group ids).
    const names = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];
    for (const q of queueNames) {
      for (const [url, dlq, who] of [
        [stack.env[envNames.queueUrl(q)]!, false, 'poller'],
        [stack.env[envNames.dlqUrl(q)]!, true, 'api'],
      ] as const) {
        const got = await sqs(who).send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
        );
        const attrs = Object.fromEntries(
          Object.entries(got.Attributes ?? {}).filter(
            ([k]) => names.includes(k) && (k === 'FifoQueue' || got.Attributes?.FifoQueue === 'true'),
          ),
        );
        const expected = queues[q].fifo
          ? {
              DeduplicationScope: 'queue',
              FifoThroughputLimit: 'perQueue',
              ...fifoQueueAttributes(queues[q], dlq),
            }
          : {};
        assert.deepEqual(attrs, expected, `${q}${dlq ? ' DLQ' : ''}`);
      }
    }
    assert.equal(fifoQueueAttributes(queues.inbound).DeduplicationScope, 'messageGroup');
    assert.equal(fifoQueueAttributes(queues.outbound).FifoThroughputLimit, 'perMessageGroupId');
  });

  test('S3: fn outbound reads media but may not write it (AccessDenied, 403), nor may a URL it presigns', async () => {
    const Bucket = stack.env[envNames.mediaBucket]!;
    const Key = 'acc/grants/file.txt';
    assert.equal(await outcome(s3('inbound').send(new PutObjectCommand({ Bucket, Key, Body: 'olá' }))), 'ok');
    assert.equal(await outcome(s3('outbound').send(new GetObjectCommand({ Bucket, Key }))), 'ok');
    assert.equal(
      await outcome(s3('outbound').send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))),
      'AccessDenied 403',
    );
    const presigned = await getSignedUrl(s3('outbound'), new PutObjectCommand({ Bucket, Key }), {
      expiresIn: 60,
    });
    const put = await fetch(presigned, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 403);
    assert.match(await put.text(), /<Code>AccessDenied<\/Code>/);
    const get = await fetch(
      await getSignedUrl(s3('api'), new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 }),
    );
    assert.equal(get.status, 200, 'fn api presigns a media download');
    assert.equal(await get.text(), 'olá');
  });

  test('Scheduler: fn outbound may not create schedules; fn inbound may, only for the timers function and role', async () => {
    const target = {
      Arn: stack.functionEnv.inbound[envNames.schedulerTargetArn]!,
      RoleArn: stack.functionEnv.inbound[envNames.schedulerRoleArn]!,
      Input: '{}',
    };
    const create = (fn: FunctionName, name: string, t = target) =>
      scheduler(fn).send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: 'atende',
          ScheduleExpression: `at(${new Date(Date.now() + 3600_000).toISOString().slice(0, 19)})`,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: t,
        }),
      );
    assert.equal(await outcome(create('outbound', 'g-denied')), 'AccessDeniedException 403');
    assert.equal(await outcome(create('inbound', 'g-allowed')), 'ok');
    // What CDK's synthesized template once passed: a wildcard names no function.
    assert.equal(
      await outcome(
        create('inbound', 'g-wildcard', {
          ...target,
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:*',
        }),
      ),
      'ValidationException 400',
    );
    assert.equal(
      await outcome(
        create('inbound', 'g-other-fn', {
          ...target,
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:atende-api',
        }),
      ),
      'ValidationException 400',
    );
    // Another role: fn inbound may pass only the scheduler's role (iam:PassRole).
    assert.equal(
      await outcome(
        create('inbound', 'g-other-role', { ...target, RoleArn: 'arn:aws:iam::000000000000:role/admin' }),
      ),
      'AccessDeniedException 403',
    );
  });

  test('WebSocket management API: fn webhook may not push to a connection; fn outbound may', async () => {
    const push = (fn: FunctionName) =>
      track(
        new ApiGatewayManagementApiClient({
          endpoint: stack.urls.wsManagement,
          region,
          credentials: credentials(fn),
        }),
      ).send(new PostToConnectionCommand({ ConnectionId: 'gone123=', Data: Buffer.from('{}') }));
    assert.equal(await outcome(push('webhook')), 'AccessDeniedException 403');
    // Allowed: the stand-in then says the connection is gone, as API Gateway does.
    assert.equal(await outcome(push('outbound')), 'GoneException 410');
  });

  test('Secrets Manager: fn ws may read the session key, not the WhatsApp token', async () => {
    const sm = track(
      new SecretsManagerClient({ endpoint: stack.urls.secrets, region, credentials: credentials('ws') }),
    );
    const id = (name: string) => stack.functionEnv.api[name]!;
    assert.equal(
      await outcome(sm.send(new GetSecretValueCommand({ SecretId: id(envNames.secretId('auth')) }))),
      'ok',
    );
    assert.equal(
      await outcome(sm.send(new GetSecretValueCommand({ SecretId: id(envNames.secretId('whatsapp')) }))),
      'AccessDeniedException 400',
    );
  });

  test('a handler whose grant was removed fails locally: fn api without table:write cannot sign anyone in', async () => {
    const login = await fetch(`${stack.urls.api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: stack.demo.email, password: stack.demo.password }),
    });
    assert.equal(login.status, 500, 'the session cannot be written');
    // The refusal is IAM's: fn api's own key may read but no longer write the table.
    const table = stack.functionEnv.api[envNames.table]!;
    const key = { pk: { S: 'GRANTS#api' }, sk: { S: 'x' } };
    assert.equal(await outcome(ddb('api').send(new GetItemCommand({ TableName: table, Key: key }))), 'ok');
    assert.equal(
      await outcome(ddb('api').send(new PutItemCommand({ TableName: table, Item: key }))),
      'AccessDeniedException 400',
    );
    // The webhook still works: its grants are the topology's.
    const url = new URL(stack.urls.webhook);
    url.search = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.verify_token': stack.demo.verifyToken,
      'hub.challenge': 'ok-42',
    }).toString();
    assert.equal(await (await fetch(url)).text(), 'ok-42');
  });
});
