/**
 * Template webhooks (MSG-5) across tenants. A template event names a WABA id, not a
 * number: the deployment's app secret covers it for every account holding that template;
 * a number's own app secret covers it only for the WABA that number is registered with,
 * and then changes only that number's account's templates (shared/webhook/entry-rule.ts).
 * Attacks: tenant B signs, with its own number's secret, A's WABA template event — first
 * with its number on another WABA (refused), then after registering a number under A's
 * WABA id (accepted for B's own copy only: A's template is unchanged).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sqs } from '#shared/aws/clients.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { cachedWabaSecrets, wabaSecretsFrom } from '#shared/webhook/number-secrets-cache.ts';
import { signBody } from '#shared/whatsapp/signature.ts';
import { applyWebhookEvent } from '#shared/engine/template-events.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { createNumber } from '#shared/store/numbers.ts';
import { getTemplate, putTemplate } from '#shared/store/templates.ts';
import type { Template } from '#shared/domain/templates.ts';
import { createApiKit, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';
import { webhookNumberSecrets } from './webhook-kit.ts';

const digits = () => String(100_000_000_000 + randomBytes(4).readUInt32BE(0));
const deploymentSecret = `deployment-${randomUUID()}`;

const statusBody = (wabaId: string, templateId: string, event: string, reason = 'NONE') =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        time: 1751247548,
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event,
              message_template_id: Number(templateId),
              message_template_name: 'boas_vindas',
              message_template_language: 'pt_BR',
              reason,
            },
          },
        ],
      },
    ],
  });

const post = (body: string, signature: string) =>
  ({
    requestContext: { http: { method: 'POST' } },
    headers: { 'x-hub-signature-256': signature },
    body,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

describe('template webhooks: WABA-level entries and who may vouch for them', () => {
  let kit: ApiKit;
  let a: SeededTenant;
  let b: SeededTenant;
  let deps: WebhookDeps;
  let engine: EngineDeps;
  const wabaA = digits();
  const wabaB = digits();
  const templateId = digits();
  const secretA = `a-own-${randomUUID()}`;
  const secretB = `b-own-${randomUUID()}`;

  const ownNumber = async (tenant: SeededTenant, wabaId: string, appSecret: string) => {
    const n = await createNumber(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: tenant.accountId,
      name: 'Própria',
      phoneNumberId: digits(),
      wabaId,
      displayPhone: '5511',
      color: '#000000',
      hasAppSecret: true,
    });
    await kit.deps.accountSecrets!.update(tenant.accountId, 'webhook', (doc) => {
      doc.numbers[n.id] = { appSecret };
    });
    return n;
  };
  const template = (tenant: SeededTenant): Template => ({
    id: templateId,
    accountId: tenant.accountId,
    wabaId: wabaA,
    name: 'boas_vindas',
    language: 'pt_BR',
    category: 'UTILITY',
    status: 'PENDING',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Olá!' }],
    updatedAt: 0,
  });
  /** What reaches fn inbound, processed as it does. */
  const deliver = async (body: string, signature: string) => {
    const res = await handleWebhook(post(body, signature), deps);
    const items: InboundQueueItem[] = [];
    for (let empty = 0; empty < 2;) {
      const out = await sqs().send(
        new ReceiveMessageCommand({ QueueUrl: deps.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!out.Messages?.length) {
        empty++;
        continue;
      }
      for (const m of out.Messages) {
        items.push(JSON.parse(m.Body!) as InboundQueueItem);
        await sqs().send(
          new DeleteMessageCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
    for (const item of items) await applyWebhookEvent(item, engine);
    return { status: res.statusCode, items };
  };
  const statusOf = async (tenant: SeededTenant) =>
    (await getTemplate(kit.deps.ddb, kit.deps.tableName, tenant.accountId, wabaA, templateId))?.status;

  beforeAll(async () => {
    kit = await createApiKit();
    a = await seedTenant(kit, { role: 'admin', name: 'Loja A' });
    b = await seedTenant(kit, { role: 'admin', name: 'Loja B' });
    await ownNumber(a, wabaA, secretA);
    await ownNumber(b, wabaB, secretB);
    await putTemplate(kit.deps.ddb, kit.deps.tableName, template(a));
    const queue = await sqs().send(
      new CreateQueueCommand({
        QueueName: `webhook-templates-${randomUUID().slice(0, 8)}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    const tenants = { ddb: kit.deps.ddb, tableName: kit.deps.tableName, secrets: kit.deps.accountSecrets };
    deps = {
      secrets: async () => ({ appSecret: deploymentSecret, verifyToken: 'v' }),
      numberSecrets: webhookNumberSecrets(kit),
      // Not cached across the test's steps: B registers a number under A's WABA midway.
      wabaSecrets: cachedWabaSecrets(wabaSecretsFrom(tenants), { ttlMs: 0 }),
      sqs: sqs(),
      queueUrl: queue.QueueUrl!,
      now: () => 1_700_000_000_000,
      log: () => {},
    };
    engine = {
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => 1_700_000_000_000,
      log: () => {},
    } as unknown as EngineDeps;
  });

  test("B's own secret, B's number on another WABA: A's WABA event is refused, nothing queued", async () => {
    const body = statusBody(wabaA, templateId, 'REJECTED', 'INVALID_FORMAT');
    const { status, items } = await deliver(body, signBody(body, secretB));
    expect(status).toBe(401);
    expect(items).toEqual([]);
    expect(await statusOf(a)).toBe('PENDING');
  });

  test("B registers a number under A's WABA id: its signed event changes B's copy only, never A's", async () => {
    await ownNumber(b, wabaA, secretB);
    await putTemplate(kit.deps.ddb, kit.deps.tableName, template(b));
    const body = statusBody(wabaA, templateId, 'REJECTED', 'INVALID_FORMAT');
    const { status, items } = await deliver(body, signBody(body, secretB));
    expect(status).toBe(200);
    expect(items.map((i) => i.accountIds)).toEqual([[b.accountId]]);
    expect(await statusOf(b)).toBe('REJECTED');
    expect(await statusOf(a)).toBe('PENDING');
  });

  test("A's own secret approves A's template (and only A's)", async () => {
    const body = statusBody(wabaA, templateId, 'APPROVED');
    const { status, items } = await deliver(body, signBody(body, secretA));
    expect(status).toBe(200);
    expect(items.map((i) => i.accountIds)).toEqual([[a.accountId]]);
    expect(await statusOf(a)).toBe('APPROVED');
    expect(await statusOf(b)).toBe('REJECTED');
  });

  test("the deployment's secret covers the WABA for every account holding the template", async () => {
    const body = statusBody(wabaA, templateId, 'PAUSED');
    const { status, items } = await deliver(body, signBody(body, deploymentSecret));
    expect(status).toBe(200);
    expect(items.map((i) => i.accountIds)).toEqual([undefined]);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['PAUSED', 'PAUSED']);
  });
});
