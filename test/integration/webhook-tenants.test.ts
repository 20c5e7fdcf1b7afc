/**
 * The webhook's entry rule across tenants (issue 12, finding 1): tenant B knows its own
 * number's app secret and signs a body with it. Entries naming tenant A's number must
 * never reach the queue, whether A's number is named by `?pnid=` or as a second entry;
 * B's own entry still goes through. Two accounts, each number's app secret saved through
 * the API, the webhook reading them as fn webhook does.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { signBody } from '#shared/whatsapp/signature.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';
import { webhookNumberSecrets } from './webhook-kit.ts';

const deploymentSecret = `deployment-${randomUUID()}`;

function change(phoneNumberId: string, wamid: string) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '5511', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Cliente' }, wa_id: '5511999990000' }],
      messages: [
        { from: '5511999990000', id: wamid, timestamp: '1700000000', type: 'text', text: { body: 'oi' } },
      ],
    },
  };
}

const bodyOf = (...changes: ReturnType<typeof change>[]) =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'waba', changes }] });

function post(body: string, signature: string, query?: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    requestContext: { http: { method: 'POST' } },
    headers: { 'x-hub-signature-256': signature },
    queryStringParameters: query,
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function drain(queueUrl: string): Promise<{ phoneNumberId?: string; message?: { id: string } }[]> {
  const all: { phoneNumberId?: string; message?: { id: string } }[] = [];
  for (let empty = 0; empty < 2;) {
    const out = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) {
      empty++;
      continue;
    }
    for (const m of out.Messages) {
      all.push(JSON.parse(m.Body!));
      await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return all;
}

describe('webhook: a number’s own app secret vouches for that number only (two tenants)', () => {
  let kit: ApiKit;
  let a: SeededTenant;
  let b: SeededTenant;
  let deps: WebhookDeps;
  const secretOfB = `b-own-app-secret-${randomUUID()}`;
  const warnings: string[] = [];

  beforeAll(async () => {
    kit = await createApiKit();
    a = await seedTenant(kit, { role: 'admin', name: 'Loja A' });
    b = await seedTenant(kit, { role: 'admin', name: 'Loja B' });
    for (const [tenant, appSecret] of [
      [a, `a-own-app-secret-${randomUUID()}`],
      [b, secretOfB],
    ] as const) {
      const { accessToken } = await loginAs(kit, tenant);
      const res = await kit.call('PATCH', `/api/numbers/${tenant.number.id}`, {
        token: accessToken,
        body: { appSecret, verifyToken: `verify-${randomUUID()}` },
      });
      assert.equal(res.status, 200);
    }
    const queue = await sqs().send(
      new CreateQueueCommand({
        QueueName: `webhook-tenants-${randomUUID().slice(0, 8)}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    deps = {
      secrets: async () => ({ appSecret: deploymentSecret, verifyToken: 'deployment-verify' }),
      numberSecrets: webhookNumberSecrets(kit),
      sqs: sqs(),
      queueUrl: queue.QueueUrl!,
      now: () => 1_700_000_000_000,
      log: (level, msg, data) => {
        if (level === 'warn') warnings.push(`${msg} ${JSON.stringify(data)}`);
      },
    };
  });

  test("(a) B signs, with its own secret, a body naming A's number and posts it to ?pnid=<A's id>: refused, nothing queued", async () => {
    const body = bodyOf(change(a.number.phoneNumberId, `wamid.forged-${randomUUID()}`));
    const res = await handleWebhook(
      post(body, signBody(body, secretOfB), { pnid: a.number.phoneNumberId }),
      deps,
    );
    assert.equal(res.statusCode, 401);
    // Also through ?pnid=<B's id>: B's secret verifies, but the entry is A's.
    const viaOwn = await handleWebhook(
      post(body, signBody(body, secretOfB), { pnid: b.number.phoneNumberId }),
      deps,
    );
    assert.equal(viaOwn.statusCode, 401);
    assert.deepEqual(await drain(deps.queueUrl), []);
  });

  test("(b) B's own entry plus a second entry naming A's number: B's goes through, A's is dropped", async () => {
    const own = `wamid.own-${randomUUID()}`;
    const forged = `wamid.forged-${randomUUID()}`;
    const body = bodyOf(change(b.number.phoneNumberId, own), change(a.number.phoneNumberId, forged));
    const res = await handleWebhook(post(body, signBody(body, secretOfB)), deps);
    assert.equal(res.statusCode, 200);
    const items = await drain(deps.queueUrl);
    assert.deepEqual(
      items.map((i) => [i.phoneNumberId, i.message?.id]),
      [[b.number.phoneNumberId, own]],
    );
    assert.ok(!items.some((i) => i.phoneNumberId === a.number.phoneNumberId));
    // The drop is logged, without any secret.
    const line = warnings.find((w) => w.includes('not covered'));
    assert.ok(line?.includes(a.number.phoneNumberId));
    assert.ok(!warnings.join('\n').includes(secretOfB));
  });

  test("the deployment's app secret still covers every tenant's entries", async () => {
    const ids = [`wamid.d1-${randomUUID()}`, `wamid.d2-${randomUUID()}`];
    const body = bodyOf(change(a.number.phoneNumberId, ids[0]!), change(b.number.phoneNumberId, ids[1]!));
    assert.equal((await handleWebhook(post(body, signBody(body, deploymentSecret)), deps)).statusCode, 200);
    assert.deepEqual((await drain(deps.queueUrl)).map((i) => i.message?.id).sort(), [...ids].sort());
  });
});
