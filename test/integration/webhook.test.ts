import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { signBody } from '#shared/whatsapp/signature.ts';

const dir = join(import.meta.dirname, '../fixtures/meta-webhooks');
const appSecret = 'test-app-secret';
let deps: WebhookDeps;
const logs: { level: string; msg: string; data?: Record<string, unknown> }[] = [];

function post(body: string, signature?: string | null): APIGatewayProxyEventV2 {
  return {
    requestContext: { http: { method: 'POST' } },
    headers: signature === null ? {} : { 'x-hub-signature-256': signature ?? signBody(body, appSecret) },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2;) {
    const out = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) {
      empty++;
      continue;
    }
    for (const m of out.Messages) {
      all.push(m);
      await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return all;
}

async function newQueue(): Promise<string> {
  const out = await sqs().send(
    new CreateQueueCommand({
      QueueName: `webhook-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  return out.QueueUrl!;
}

describe('webhook → inbound FIFO queue', () => {
  beforeAll(async () => {
    deps = {
      secrets: async () => ({ appSecret, verifyToken: 'verify-me' }),
      sqs: sqs(),
      queueUrl: await newQueue(),
      deadLetterQueueUrl: await newQueue(),
      now: () => 1_700_000_000_000,
      log: (level, msg, data) => logs.push({ level, msg, data }),
    };
  });

  test('the handshake answers the challenge only for the right verify token', async () => {
    const get = (token: string) =>
      handleWebhook(
        {
          requestContext: { http: { method: 'GET' } },
          queryStringParameters: {
            'hub.mode': 'subscribe',
            'hub.verify_token': token,
            'hub.challenge': '42',
          },
        } as unknown as APIGatewayProxyEventV2,
        deps,
      );
    assert.deepEqual([(await get('verify-me')).statusCode, (await get('verify-me')).body], [200, '42']);
    assert.equal((await get('wrong')).statusCode, 403);
  });

  test("a number with its own Meta app: its verify token and app secret are accepted (NUM-4), another app's are not", async () => {
    const own = { appSecret: 'own-app-secret', verifyToken: 'own-verify' };
    const withNumbers: WebhookDeps = {
      ...deps,
      queueUrl: await newQueue(),
      numberSecrets: async (pnid) => (pnid === '777000' ? own : undefined),
    };
    const handshake = (pnid: string, token: string) =>
      handleWebhook(
        {
          requestContext: { http: { method: 'GET' } },
          queryStringParameters: {
            pnid,
            'hub.mode': 'subscribe',
            'hub.verify_token': token,
            'hub.challenge': '7',
          },
        } as unknown as APIGatewayProxyEventV2,
        withNumbers,
      );
    assert.equal((await handshake('777000', 'own-verify')).statusCode, 200);
    assert.equal((await handshake('888000', 'own-verify')).statusCode, 403);

    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '5511', phone_number_id: '777000' },
                contacts: [{ profile: { name: 'C' }, wa_id: '5511999990000' }],
                messages: [
                  {
                    from: '5511999990000',
                    id: 'wamid.own-1',
                    timestamp: '1700000000',
                    type: 'text',
                    text: { body: 'oi' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signedOwn = signBody(body, own.appSecret);
    const byPayload = await handleWebhook(post(body, signedOwn), withNumbers);
    const byUrl = await handleWebhook(
      { ...post(body, signedOwn), queryStringParameters: { pnid: '777000' } } as APIGatewayProxyEventV2,
      withNumbers,
    );
    const stranger = await handleWebhook(post(body, signBody(body, 'another-app')), withNumbers);
    assert.deepEqual([byPayload.statusCode, byUrl.statusCode, stranger.statusCode], [200, 200, 401]);
    assert.equal((await drain(withNumbers.queueUrl)).length, 1);
  });

  test('an unsigned or wrongly signed POST is refused with 401 and enqueues nothing', async () => {
    const body = readFileSync(join(dir, 'pywa-message--text.json'), 'utf8');
    assert.equal((await handleWebhook(post(body, null), deps)).statusCode, 401);
    assert.equal((await handleWebhook(post(body, signBody(body, 'other')), deps)).statusCode, 401);
    assert.equal((await drain(deps.queueUrl)).length, 0);
  });

  test('every real payload is accepted; each message and status becomes one queue item', async () => {
    const queueUrl = await newQueue();
    const d = { ...deps, queueUrl };
    let expected = 0;
    for (const [i, file] of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .entries()) {
      // The fixtures share message ids: make them unique so SQS deduplication keeps all.
      const body = readFileSync(join(dir, file), 'utf8').replaceAll('wamid.', `wamid.f${i}-`);
      const res = await handleWebhook(post(body), d);
      assert.equal(res.statusCode, 200, file);
      const json = JSON.parse(body) as {
        entry: { changes: { field: string; value: { messages?: unknown[]; statuses?: unknown[] } }[] }[];
      };
      for (const e of json.entry) {
        for (const c of e.changes) {
          const n = (c.value.messages?.length ?? 0) + (c.value.statuses?.length ?? 0);
          expected += c.field === 'messages' && n > 0 ? n : 1;
        }
      }
    }
    const items = await drain(queueUrl);
    assert.equal(items.length, expected);
    const text = items.find((m) => JSON.parse(m.Body!).message?.text?.body === 'Body Text')!;
    assert.match(text.Attributes!.MessageGroupId!, /^1122334455667:972987654321$/);
    assert.match(text.Attributes!.MessageDeduplicationId!, /^wamid\.f\d+-xyzxyz$/);
  });

  test('a signed payload that fits no schema is accepted (200) and kept raw in the dead-letter queue with its reason', async () => {
    const body = '{"surprise": true}';
    assert.equal((await handleWebhook(post(body), deps)).statusCode, 200);
    assert.equal((await drain(deps.queueUrl)).length, 0);
    const [item] = await drain(deps.deadLetterQueueUrl!);
    assert.equal(JSON.parse(item!.Body!).kind, 'unparsed');
    assert.equal(JSON.parse(item!.Body!).raw, body);
    assert.match(item!.MessageAttributes!.reason!.StringValue!, /^INVALID_PAYLOAD: body\.object: /);
    assert.equal(item!.MessageAttributes!.source!.StringValue, 'webhook');
    assert.equal(item!.MessageAttributes!.failedAt!.StringValue, new Date(1_700_000_000_000).toISOString());
    // Signed by the deployment with nothing to enqueue: still Meta's, still 200 (never retried for days).
    const empty = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    assert.equal((await handleWebhook(post(empty), deps)).statusCode, 200);
  });

  test('malformed items beside valid ones: 200, the valid ones reach the queue, each malformed one the dead-letter queue with where and what', async () => {
    const d = { ...deps, queueUrl: await newQueue(), deadLetterQueueUrl: await newQueue() };
    const msg = (id: string, text: unknown) => ({
      from: '5511999990000',
      id,
      timestamp: '1700000000',
      type: 'text',
      text: { body: text },
    });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { display_phone_number: '5511', phone_number_id: '777000' },
                contacts: [{ profile: { name: 'C' }, wa_id: '5511999990000' }, 'not a contact'],
                messages: [
                  msg('wamid.ok-1', 'primeira'),
                  null,
                  msg('wamid.bad-1', 42),
                  { ...msg('wamid.ok-2', 'x'), id: 12345 },
                  msg('wamid.ok-3', 'terceira'),
                ],
                statuses: [{ id: 'wamid.out-1', status: 'read', timestamp: 1700000000 }],
              },
            },
          ],
        },
        { id: 'waba', changes: 'not a list' },
      ],
    });
    assert.equal((await handleWebhook(post(body), d)).statusCode, 200);
    const queued = (await drain(d.queueUrl)).map((m) => JSON.parse(m.Body!));
    assert.deepEqual(
      queued.map((i) => i.message?.text?.body),
      ['primeira', 'terceira'],
    );
    assert.equal(queued[0].contact.name, 'C');
    const dead = await drain(d.deadLetterQueueUrl);
    const reasons = dead.map((m) => m.MessageAttributes!.reason!.StringValue!).sort();
    assert.deepEqual(reasons.length, 5);
    for (const [i, re] of [
      /^INVALID_PAYLOAD: entry\[0\]\.changes\[0\]\.value\.messages\[1\]: /,
      /^INVALID_PAYLOAD: entry\[0\]\.changes\[0\]\.value\.messages\[2\]\.text\.body: .*expected string/,
      /^INVALID_PAYLOAD: entry\[0\]\.changes\[0\]\.value\.messages\[3\]\.id: .*expected string/,
      /^INVALID_PAYLOAD: entry\[0\]\.changes\[0\]\.value\.statuses\[0\]\.timestamp: .*expected string/,
      /^INVALID_PAYLOAD: entry\[1\]\.changes: .*expected array/,
    ].entries()) {
      assert.ok(
        reasons.some((r) => re.test(r)),
        `reason ${i} in ${reasons.join(' | ')}`,
      );
    }
    for (const m of dead) {
      const item = JSON.parse(m.Body!);
      assert.equal(item.kind, 'unparsed');
      assert.equal(typeof item.raw, 'string');
      assert.equal(m.MessageAttributes!.source!.StringValue, 'webhook');
    }
    // The raw copy is what Meta sent: the text of the bad message is there for the operator.
    assert.ok(dead.some((m) => JSON.parse(JSON.parse(m.Body!).raw)?.text?.body === 42));
  });

  test('a message with a huge text is dead-lettered as a truncated copy; the rest of the delivery is enqueued (200)', async () => {
    const d = { ...deps, queueUrl: await newQueue(), deadLetterQueueUrl: await newQueue() };
    const text = (id: string, body: string) => ({
      from: '5511999990000',
      id,
      timestamp: '1700000000',
      type: 'text',
      text: { body },
    });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '777000' },
                // 300,000 accented characters: 600 KB as sent, 1.8 MB escaped for SQS.
                messages: [text('wamid.huge', 'é'.repeat(300_000)), text('wamid.small', 'oi')],
              },
            },
          ],
        },
      ],
    });
    assert.equal((await handleWebhook(post(body), d)).statusCode, 200);
    const queued = (await drain(d.queueUrl)).map((m) => JSON.parse(m.Body!));
    assert.deepEqual(
      queued.map((i) => i.message.id),
      ['wamid.small'],
    );
    const [dead] = await drain(d.deadLetterQueueUrl);
    assert.match(dead!.MessageAttributes!.reason!.StringValue!, /^INVALID_PAYLOAD: .*truncated copy/);
    assert.ok(dead!.Body!.length <= 256 * 1024);
    assert.ok(JSON.parse(dead!.Body!).raw.startsWith('{"from":"5511999990000","id":"wamid.huge"'));
  });

  test('a signed body over 1 MB or nested deeper than 64 levels is refused before parsing (413/400) and logged without its content; unsigned, 401', async () => {
    const d = { ...deps, queueUrl: await newQueue(), deadLetterQueueUrl: await newQueue() };
    const big = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [],
      pad: 'segredo'.repeat(200_000),
    });
    const deep = `{"object":"whatsapp_business_account","entry":[],"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    logs.length = 0;
    assert.equal((await handleWebhook(post(big), d)).statusCode, 413);
    assert.equal((await handleWebhook(post(deep), d)).statusCode, 400);
    assert.equal((await handleWebhook(post(big, null), d)).statusCode, 401);
    assert.equal((await handleWebhook(post(deep, signBody(deep, 'other')), d)).statusCode, 401);
    assert.deepEqual(
      logs.filter((l) => l.msg === 'webhook body refused before parsing').map((l) => l.data?.code),
      ['BODY_TOO_LARGE', 'BODY_TOO_DEEP'],
    );
    assert.ok(!JSON.stringify(logs).includes('segredo'));
    assert.equal((await drain(d.queueUrl)).length + (await drain(d.deadLetterQueueUrl)).length, 0);
  });

  test('SQS failing is the only 5xx: the delivery fails (Meta retries it) rather than losing items', async () => {
    const down = {
      send: async () => Promise.reject(new Error('connect ECONNREFUSED')),
    } as unknown as WebhookDeps['sqs'];
    const body = readFileSync(join(dir, 'pywa-message--text.json'), 'utf8');
    await assert.rejects(handleWebhook(post(body), { ...deps, sqs: down }), /ECONNREFUSED/);
  });

  test('Meta delivering the same message twice yields one queue item', async () => {
    const body = readFileSync(join(dir, 'pywa-message--text.json'), 'utf8').replace(
      'wamid.xyzxyz',
      `wamid.dup-${randomUUID()}`,
    );
    await handleWebhook(post(body), deps);
    await handleWebhook(post(body), deps);
    assert.equal((await drain(deps.queueUrl)).length, 1);
  });
});
