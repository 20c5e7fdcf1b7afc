/**
 * An agent's reply reaches the customer's phone at most once through crashes (issue 13,
 * "Sends at most once, visibly"), against the WhatsApp simulator: its Graph API records
 * what the phone received and sends Meta's status webhooks, echoing the send's
 * biz_opaque_callback_data, back through a signed webhook. Crashes are injected between
 * the sender's steps (deps.afterStep) and the job redelivered as the queue would; the
 * clock is moved past deadlines instead of waiting.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
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
import { GIVE_UP_MS, IN_DOUBT_MS, PENDING_IDLE_MS } from '#shared/domain/send-state.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { sweepOutbox } from '#shared/engine/sweeper.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import { outboundJob, type OutboundJob } from '#shared/contracts/outbound-queue.ts';
import { verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook } from '#shared/whatsapp/split.ts';
import type { EngineDeps } from '#shared/engine/inbound/dispatch.ts';
import type { Conversation, Message } from '#shared/store/types.ts';
import { forgetConnections } from '#shared/push/push.ts';
import { putConnection, viewerOf } from '#shared/store/connections.ts';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { engineKit, type EngineKit } from './engine-kit.ts';

const appSecret = `secret-${randomBytes(4).toString('hex')}`;
const token = `token-${randomBytes(4).toString('hex')}`;
const phoneNumberId = `11${Date.now()}`;

let kit: EngineKit;
let sim: Simulator;
let webhook: Server;
let sqs: SQSClient;
let queueUrl: string;
/** While set, status webhooks are acknowledged but kept (Meta's are late), replayed by `releaseStatuses`. */
let holdStatuses = false;
const held: string[] = [];

async function deliver(raw: string) {
  for (const { item } of splitWebhook(raw, Date.now())) {
    for (let receive = 1; receive <= 5; receive++) {
      try {
        await processInboundItem(item, { ...kit.deps, receiveCount: receive });
        break;
      } catch {
        /* redelivered */
      }
    }
  }
}

beforeAll(async () => {
  process.env.LOG_LEVEL = 'error';
  const webhookPort = await freePort();
  webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifySignature(raw, req.headers['x-hub-signature-256'] as string | undefined, appSecret)) {
        res.writeHead(401).end();
        return;
      }
      const body = raw.toString('utf8');
      if (holdStatuses && body.includes('"statuses"')) {
        held.push(body);
        res.writeHead(200).end();
        return;
      }
      void deliver(body).then(() => res.writeHead(200).end());
    });
  });
  await new Promise<void>((r) => webhook.listen(webhookPort, '127.0.0.1', () => r()));
  sim = await startSimulator({
    port: await freePort(),
    webhookUrl: `http://127.0.0.1:${webhookPort}/`,
    appSecret,
    accessToken: token,
    phoneNumbers: [{ phoneNumberId, displayPhone: '5511900000002', wabaId: 'waba-sim', name: 'Loja' }],
  });
  kit = await engineKit({ graph: { url: sim.url, token, phoneNumberId } });
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `outbound-once-${randomBytes(4).toString('hex')}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  kit.deps.sqs = sqs;
  kit.deps.queueUrls = { outbound: queueUrl };
});
afterAll(async () => {
  sqs.destroy();
  await sim.stop();
  webhook.closeAllConnections();
  await new Promise<void>((r) => webhook.close(() => r()));
  await kit.stop();
});
beforeEach(() => {
  kit.clock.now = Date.now();
  holdStatuses = false;
});

/** Once the simulator has sent `sends` deliveries' statuses for the message, lets them all through. */
async function releaseStatuses(messageId: string, sends = 1) {
  await eventually(
    async () =>
      held.filter((b) => b.includes(messageId) && b.includes('"delivered"')).length >= sends || undefined,
    'the statuses were sent',
  );
  holdStatuses = false;
  for (const body of held.splice(0)) await deliver(body);
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

let phones = 0;
/** A customer writes from the simulated phone; their conversation. */
async function customerWrites(): Promise<{ conv: Conversation; phone: string }> {
  const phone = `55319${String(Date.now()).slice(-4)}${String(++phones).padStart(4, '0')}`;
  await fetch(`${sim.url}/sim/customer/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phoneNumberId, name: 'Ana', from: phone, text: 'Oi, tudo bem?' }),
  });
  const conv = await eventually(
    async () => (await kit.conversations()).find((c) => c.contactPhone === phone),
    'conversation',
  );
  return { conv, phone };
}

/** The agent's reply, stored and queued; the job as fn outbound receives it. */
async function agentReplies(
  conv: Conversation,
  text: string,
): Promise<{ message: Message; job: OutboundJob }> {
  const message = await queueAgentMessage(
    { ...kit.deps, sqs, outboundQueueUrl: queueUrl },
    { accountId: conv.accountId, conversationId: conv.id, sender: { type: 'agent', id: 'u1' }, text },
  );
  return { message, job: await nextJob() };
}

async function nextJob(): Promise<OutboundJob> {
  for (let i = 0; i < 10; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const m = out.Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      return outboundJob.parse(JSON.parse(m.Body!));
    }
  }
  throw new Error('no job on the outbound queue');
}

/** What the customer's phone shows of this text from the business. */
const onPhone = (phone: string, text: string) =>
  sim
    .outbox(phone)
    .filter(
      (m) => m.direction === 'business' && (m.payload as { text?: { body?: string } }).text?.body === text,
    );

const stored = async (conv: Conversation, id: string) =>
  (await kit.messages(conv.id)).find((m) => m.id === id)!;

const statusOf = (conv: Conversation, id: string, status: string) =>
  eventually(async () => ((await stored(conv, id)).status === status ? true : undefined), status);

/** A run of the sender that crashes at `step` (the process killed there). */
const crashingAt = (step: string): EngineDeps => ({
  ...kit.deps,
  afterStep: (s) => {
    if (s === step) throw new Error(`crash at ${step}`);
  },
});

describe('a crash while sending', () => {
  test('after Meta accepted the reply, before it was recorded: its status webhook settles it, the redelivery sends nothing, the phone has it once', async () => {
    const { conv, phone } = await customerWrites();
    const { message, job } = await agentReplies(conv, 'Seu pedido já saiu!');

    await assert.rejects(processOutboundJob(job, crashingAt('accepted')), /crash/);
    // Meta echoes our id in the status: the message is found without its wamid ever recorded.
    await statusOf(conv, message.id, 'delivered');
    await processOutboundJob(job, kit.deps);

    const received = onPhone(phone, 'Seu pedido já saiu!');
    assert.equal(received.length, 1);
    const m = await stored(conv, message.id);
    assert.equal(m.wamid, received[0]!.wamid);
    assert.equal(m.status, 'delivered');
    const chat = (await kit.conversations()).find((c) => c.id === conv.id)!;
    assert.equal(chat.lastMessage?.text, 'Seu pedido já saiu!');
    // Who sent it: the list says "Você:" to that agent only.
    assert.equal(chat.lastMessage?.by, 'u1');
  });

  test('redelivered before any status came: it waits instead of sending, and the late status settles it', async () => {
    const { conv, phone } = await customerWrites();
    const { message, job } = await agentReplies(conv, 'Chega amanhã.');
    holdStatuses = true;

    await assert.rejects(processOutboundJob(job, crashingAt('accepted')), /crash/);
    await assert.rejects(processOutboundJob(job, kit.deps), { name: 'RetryLaterError' });
    assert.equal(onPhone(phone, 'Chega amanhã.').length, 1);
    assert.equal((await stored(conv, message.id)).status, 'pending');

    await releaseStatuses(message.id);
    await processOutboundJob(job, kit.deps);
    assert.equal(onPhone(phone, 'Chega amanhã.').length, 1);
    assert.equal((await stored(conv, message.id)).status, 'delivered');
  });

  test('before the Graph call: the redelivery waits out the deadline, then sends exactly once', async () => {
    const { conv, phone } = await customerWrites();
    const { message, job } = await agentReplies(conv, 'Pode deixar.');

    await assert.rejects(processOutboundJob(job, crashingAt('sending')), /crash/);
    await assert.rejects(processOutboundJob(job, kit.deps), { name: 'RetryLaterError' });
    assert.equal(onPhone(phone, 'Pode deixar.').length, 0);

    kit.clock.now += IN_DOUBT_MS;
    await processOutboundJob(job, kit.deps);
    await processOutboundJob(job, kit.deps);
    assert.equal(onPhone(phone, 'Pode deixar.').length, 1);
    await statusOf(conv, message.id, 'delivered');
  });

  test('no status ever comes: resent once past the deadline, never a third time; the agent sees it failed in Portuguese until Meta’s late status', async () => {
    const { conv, phone } = await customerWrites();
    const { message, job } = await agentReplies(conv, 'Confirmado.');
    holdStatuses = true;

    await assert.rejects(processOutboundJob(job, crashingAt('accepted')), /crash/);
    kit.clock.now += IN_DOUBT_MS;
    // The documented policy: one resend (a rare duplicate rather than a lost reply)…
    await assert.rejects(processOutboundJob(job, crashingAt('accepted')), /crash/);
    assert.equal(onPhone(phone, 'Confirmado.').length, 2);
    assert.equal((await stored(conv, message.id)).sendAttempts, 2);
    // …and never another: the second doubt fails visibly.
    kit.clock.now += IN_DOUBT_MS;
    await processOutboundJob(job, kit.deps);
    assert.equal(onPhone(phone, 'Confirmado.').length, 2);
    const failed = await stored(conv, message.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error?.message ?? '', /Não foi possível confirmar o envio/);

    // Meta's statuses arrive after all: the message shows what the phone got.
    await releaseStatuses(message.id, 2);
    const settled = await stored(conv, message.id);
    assert.equal(settled.status, 'delivered');
    assert.ok(onPhone(phone, 'Confirmado.').some((m) => m.wamid === settled.wamid));
  });
});

describe('the sweeper', () => {
  test('a reply whose job was lost does not stay pending: queued again once, sent once', async () => {
    const { conv, phone } = await customerWrites();
    const { message } = await agentReplies(conv, 'Vou verificar.'); // the job is taken and lost

    kit.clock.now += PENDING_IDLE_MS;
    const sweep = await sweepOutbox(kit.deps);
    assert.equal(sweep.requeued, 1);
    assert.deepEqual(await sweepOutbox(kit.deps), { requeued: 0, failed: 0 });
    const job = await nextJob();
    assert.equal(job.kind === 'send' && job.messageId, message.id);
    await processOutboundJob(job, kit.deps);

    assert.equal(onPhone(phone, 'Vou verificar.').length, 1);
    await statusOf(conv, message.id, 'delivered');
    kit.clock.now += PENDING_IDLE_MS;
    assert.deepEqual(await sweepOutbox(kit.deps), { requeued: 0, failed: 0 });
  });

  test('a send in doubt whose job is gone (crash before the Graph call) is queued for its resend past the deadline and sent once', async () => {
    const { conv, phone } = await customerWrites();
    const { message, job } = await agentReplies(conv, 'Um momento.');
    await assert.rejects(processOutboundJob(job, crashingAt('sending')), /crash/);

    assert.deepEqual(await sweepOutbox(kit.deps), { requeued: 0, failed: 0 });
    kit.clock.now += IN_DOUBT_MS;
    assert.equal((await sweepOutbox(kit.deps)).requeued, 1);
    await processOutboundJob(await nextJob(), kit.deps);

    assert.equal(onPhone(phone, 'Um momento.').length, 1);
    await statusOf(conv, message.id, 'delivered');
  });

  test('what stays unsettled for hours fails visibly with a Portuguese reason, pushed to the agents’ chat', async () => {
    const { conv, phone } = await customerWrites();
    const { message } = await agentReplies(conv, 'Nunca saiu.');
    // An admin's inbox is open (a WebSocket connection; API Gateway's client records the frames).
    const frames: string[] = [];
    const ws = {
      send: async (cmd: { input: { Data?: Uint8Array } }) => {
        frames.push(new TextDecoder().decode(cmd.input.Data));
        return {};
      },
    } as unknown as ApiGatewayManagementApiClient;
    await putConnection(
      kit.deps.ddb,
      kit.deps.tableName,
      {
        connectionId: `c-${randomBytes(4).toString('hex')}`,
        accountId: conv.accountId,
        userId: 'admin-1',
        viewer: viewerOf({ role: 'admin', departmentIds: [] }),
      },
      Date.now(),
    );
    forgetConnections(kit.deps.tableName, conv.accountId);

    kit.clock.now += GIVE_UP_MS;
    assert.equal((await sweepOutbox({ ...kit.deps, ws })).failed, 1);
    const m = await stored(conv, message.id);
    assert.equal(m.status, 'failed');
    assert.match(m.error?.message ?? '', /^Não foi possível enviar esta mensagem/);
    const pushed = frames.find((f) => f.includes('message.updated') && f.includes(message.id));
    assert.ok(pushed, 'the failure reached the open inbox');
    assert.match(pushed, /"status":"failed"/);
    assert.match(pushed, /Não foi possível enviar esta mensagem/);
    assert.equal(onPhone(phone, 'Nunca saiu.').length, 0);
    assert.deepEqual(await sweepOutbox(kit.deps), { requeued: 0, failed: 0 });
  });
});
