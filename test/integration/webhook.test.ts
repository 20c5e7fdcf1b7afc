import { before, describe, test } from 'node:test';
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
  before(async () => {
    deps = {
      secrets: async () => ({ appSecret, verifyToken: 'verify-me' }),
      sqs: sqs(),
      queueUrl: await newQueue(),
      now: () => 1_700_000_000_000,
      log: () => {},
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

  test('a signed payload that fits no schema is accepted and kept raw', async () => {
    const body = '{"surprise": true}';
    assert.equal((await handleWebhook(post(body), deps)).statusCode, 200);
    const [item] = await drain(deps.queueUrl);
    assert.equal(JSON.parse(item!.Body!).kind, 'unparsed');
    assert.equal(JSON.parse(item!.Body!).raw, body);
    // Signed by the deployment with nothing to enqueue: still Meta's, still 200 (never retried for days).
    const empty = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    assert.equal((await handleWebhook(post(empty), deps)).statusCode, 200);
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
