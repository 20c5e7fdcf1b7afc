/**
 * The engine and the sender against the WhatsApp simulator (infra/local/simulator): the
 * customer writes from the simulated phone, Meta-style signed webhooks are split and fed to
 * the engine (retried as the queue would redeliver them), the agent's reply goes out
 * through the simulator's Graph API, and its status webhooks come back.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startSimulator, type Simulator } from '#infra/local/simulator/server.ts';
import { freePort } from '#infra/local/ports.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { mediaUrl } from '#shared/media/media.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import { outboundJob } from '#shared/contracts/outbound-queue.ts';
import { verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook } from '#shared/whatsapp/split.ts';
import type { Conversation, Message } from '#shared/store/types.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

const appSecret = `secret-${randomBytes(4).toString('hex')}`;
const token = `token-${randomBytes(4).toString('hex')}`;
const phoneNumberId = `10${Date.now()}`;

let kit: EngineKit;
let sim: Simulator;
let webhook: Server;
let sqs: SQSClient;
let queueUrl: string;
const rejected: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  const webhookPort = await freePort();
  // fn webhook + the inbound queue, reduced to what the engine sees: verified, split items,
  // each retried with a growing receive count until it succeeds (SQS redelivery).
  webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifySignature(raw, req.headers['x-hub-signature-256'] as string | undefined, appSecret)) {
        rejected.push(raw.toString('utf8'));
        res.writeHead(401).end();
        return;
      }
      void (async () => {
        for (const { item } of splitWebhook(raw.toString('utf8'), Date.now())) {
          for (let receive = 1; receive <= 5; receive++) {
            try {
              await processInboundItem(item, { ...kit.deps, receiveCount: receive });
              break;
            } catch {
              /* redelivered */
            }
          }
        }
        res.writeHead(200).end();
      })();
    });
  });
  await new Promise<void>((r) => webhook.listen(webhookPort, '127.0.0.1', () => r()));
  const simPort = await freePort();
  sim = await startSimulator({
    port: simPort,
    webhookUrl: `http://127.0.0.1:${webhookPort}/`,
    appSecret,
    accessToken: token,
    phoneNumbers: [{ phoneNumberId, displayPhone: '5511900000001', wabaId: 'waba-sim', name: 'Loja' }],
  });
  kit = await engineKit({ graph: { url: sim.url, token, phoneNumberId } });
  kit.clock.now = Date.now();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `outbound-sim-${randomBytes(4).toString('hex')}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
});
afterAll(async () => {
  sqs.destroy();
  await sim.stop();
  webhook.closeAllConnections();
  await new Promise<void>((r) => webhook.close(() => r()));
  await kit.stop();
});

async function customerSends(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${sim.url}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phoneNumberId, name: 'Ana', ...body }),
  });
  return ((await res.json()) as { wamid: string }).wamid;
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

const conversationOf = (phone: string) =>
  eventually<Conversation>(
    async () => (await kit.conversations()).find((c) => c.contactPhone === phone),
    'conversation',
  );

test('a chat through the simulator: text, an image whose download fails twice, a reply read by the customer', async () => {
  // The customer writes without the 9th digit; Atende files the contact under the canonical form.
  await customerSends({ from: '551187651234', text: 'Oi, quero ver meu pedido' });
  const conv = await conversationOf('5511987651234');
  assert.equal(conv.lastMessage?.text, 'Oi, quero ver meu pedido');
  assert.match(conv.protocol ?? '', /^\d{8}-\d{6}$/);

  sim.failNext({ path: 'media-download', times: 2, status: 500, code: 131000 });
  const photo = Buffer.from('not really a png, but bytes');
  await customerSends({
    from: '5511987651234',
    type: 'image',
    media: { base64: photo.toString('base64'), mimeType: 'image/png', caption: 'o produto' },
  });
  const image = await eventually<Message>(
    async () => (await kit.messages(conv.id)).find((m) => m.type === 'image' && m.media?.status === 'stored'),
    'image stored',
  );
  const served = await fetch(await mediaUrl(kit.deps.s3, kit.bucket, image.media!.key!));
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), photo);

  const reply = await queueAgentMessage(
    { ...kit.deps, sqs, outboundQueueUrl: queueUrl },
    {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1', name: 'Carla' },
      text: 'Seu pedido sai hoje!',
      replyToMessageId: image.id,
    },
  );
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
  );
  const m = received.Messages![0]!;
  await processOutboundJob(outboundJob.parse(JSON.parse(m.Body!)), kit.deps);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));

  const onPhone = sim.outbox('5511987651234').find((x) => x.direction === 'business')!;
  assert.equal((onPhone.payload as { text: { body: string } }).text.body, 'Seu pedido sai hoje!');
  const stored = (id: string) => kit.messages(conv.id).then((ms) => ms.find((x) => x.id === id)!);
  await eventually(
    async () => ((await stored(reply.id)).status === 'delivered' ? true : undefined),
    'delivered',
  );

  await fetch(`${sim.url}/sim/customer/seen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ wamids: [onPhone.wamid] }),
  });
  await eventually(async () => ((await stored(reply.id)).status === 'read' ? true : undefined), 'read');
  assert.deepEqual(rejected, []);
});
