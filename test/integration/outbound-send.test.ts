import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { processOutboundJob, SEND_ATTEMPTS } from '#shared/outbound/send.ts';
import { queueAgentMessage, type QueueAgentMessageDeps } from '#shared/outbound/queue-agent-message.ts';
import { outboundJob, type OutboundJob } from '#shared/contracts/outbound-queue.ts';
import { WindowClosedError } from '#shared/errors.ts';
import { keys } from '#shared/store/keys.ts';
import type { Conversation } from '#shared/store/types.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import { freePort } from '#infra/local/ports.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
let sqs: SQSClient;
let queueUrl: string;
let api: QueueAgentMessageDeps;

beforeAll(async () => {
  kit = await engineKit();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: `outbound-${randomBytes(4).toString('hex')}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  queueUrl = q.QueueUrl!;
  api = {
    ddb: kit.deps.ddb,
    tableName: kit.deps.tableName,
    sqs,
    outboundQueueUrl: queueUrl,
    s3: kit.deps.s3,
    mediaBucket: kit.bucket,
    now: kit.deps.now,
    newId: kit.deps.newId,
  };
});
afterAll(async () => {
  sqs.destroy();
  await kit.stop();
});

let phones = 0;
/** A customer wrote (the window is open); returns their conversation. */
async function customerWrote(): Promise<Conversation> {
  const from = `55219800${String(++phones).padStart(5, '0')}`;
  await processInboundItem(kit.text(from, 'preciso de ajuda', `wamid.in-${from}`), kit.deps);
  return (await kit.conversations()).find((c) => c.contactPhone === from)!;
}

/** The next job on the outbound queue (as fn outbound would receive it), deleted from it. */
async function nextJob(): Promise<{ job: OutboundJob; groupId?: string }> {
  for (let i = 0; i < 10; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    const m = out.Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      return { job: outboundJob.parse(JSON.parse(m.Body!)), groupId: m.Attributes?.MessageGroupId };
    }
  }
  throw new Error('no job on the outbound queue');
}

async function agentSends(conv: Conversation, text: string, extra: { replyToMessageId?: string } = {}) {
  const message = await queueAgentMessage(api, {
    accountId: conv.accountId,
    conversationId: conv.id,
    sender: { type: 'agent', id: 'u1', name: 'Carla' },
    text,
    clientId: `c-${text}`,
    ...extra,
  });
  const { job } = await nextJob();
  return { message, job };
}

const stored = async (conv: Conversation, id: string) =>
  (await kit.messages(conv.id)).find((m) => m.id === id)!;

const statusItem = (
  wamid: string,
  status: string,
  extra: Record<string, unknown> = {},
): InboundQueueItem => ({
  kind: 'status',
  phoneNumberId: kit.number.phoneNumberId,
  status: { id: wamid, status, timestamp: '1', recipient_id: 'x', ...extra },
  receivedAt: kit.clock.now,
});

describe('an agent’s reply', () => {
  test('is stored as pending, queued for its conversation, then sent and recorded with its wamid', async () => {
    const conv = await customerWrote();
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1', name: 'Carla' },
      text: 'Olá! Como posso ajudar?',
      clientId: 'tmp-1',
    });
    assert.equal(message.status, 'pending');
    assert.equal(message.direction, 'out');
    assert.equal(message.clientId, 'tmp-1');
    assert.equal((await stored(conv, message.id)).status, 'pending');

    const { job, groupId } = await nextJob();
    assert.deepEqual(job, {
      kind: 'send',
      accountId: conv.accountId,
      conversationId: conv.id,
      messageId: message.id,
    });
    assert.equal(groupId, conv.id);

    await processOutboundJob(job, kit.deps);
    const sent = await stored(conv, message.id);
    assert.equal(sent.status, 'sent');
    assert.ok(sent.wamid);
    const payload = kit.graph.sent.at(-1) as {
      to: string;
      text: { body: string };
      biz_opaque_callback_data: string;
    };
    assert.equal(payload.to, conv.contactPhone);
    assert.equal(payload.text.body, 'Olá! Como posso ajudar?');
    // Our id, which Meta echoes in the status webhooks (a send in doubt is found by it).
    assert.equal(payload.biz_opaque_callback_data, `atende:${conv.id}:${message.id}`);
    const after = (await kit.conversations()).find((c) => c.id === conv.id)!;
    assert.equal(after.lastMessage?.direction, 'out');
    assert.equal(after.lastMessage?.text, 'Olá! Como posso ajudar?');
  });

  test('outside the 24 h window is refused with WINDOW_CLOSED and nothing is stored or queued', async () => {
    const conv = await customerWrote();
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.conversation(conv.accountId, conv.id),
        UpdateExpression: 'SET windowExpiresAt = :w',
        ExpressionAttributeValues: { ':w': kit.clock.now - 1 },
      }),
    );
    await assert.rejects(
      queueAgentMessage(api, {
        accountId: conv.accountId,
        conversationId: conv.id,
        sender: { type: 'agent', id: 'u1' },
        text: 'tarde demais',
      }),
      (err: WindowClosedError) => {
        assert.equal(err.code, 'WINDOW_CLOSED');
        assert.equal(err.statusCode, 409);
        assert.equal(
          err.message,
          'A janela de 24 horas está fechada: só é possível enviar modelos (templates).',
        );
        return true;
      },
    );
    assert.equal((await kit.messages(conv.id)).length, 1);
  });

  test('quotes the customer’s message it answers', async () => {
    const conv = await customerWrote();
    const [question] = await kit.messages(conv.id);
    const { job } = await agentSends(conv, 'respondendo', { replyToMessageId: question!.id });
    await processOutboundJob(job, kit.deps);
    assert.deepEqual((kit.graph.sent.at(-1) as { context?: unknown }).context, {
      message_id: question!.wamid,
    });
  });

  test('with an attachment uploads the file from the media bucket and sends it with its caption', async () => {
    const conv = await customerWrote();
    const key = `acc/${conv.accountId}/uploads/${randomBytes(4).toString('hex')}`;
    await kit.deps.s3.send(
      new PutObjectCommand({
        Bucket: kit.bucket,
        Key: key,
        Body: Buffer.from('%PDF-1.4'),
        ContentType: 'application/pdf',
      }),
    );
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      text: 'segue o boleto',
      attachment: { key, mimeType: 'application/pdf', filename: 'boleto.pdf' },
    });
    assert.equal(message.type, 'document');
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as {
      type: string;
      document: { id: string; caption: string; filename: string };
    };
    assert.equal(payload.type, 'document');
    assert.match(payload.document.id, /^up-/);
    assert.equal(payload.document.caption, 'segue o boleto');
    assert.equal(payload.document.filename, 'boleto.pdf');
  });

  test('with a link sends the URL for Meta to fetch, uploading nothing', async () => {
    const conv = await customerWrote();
    const uploads = kit.graph.sent.length;
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      attachment: {
        link: 'https://cdn.example.com.br/manual.pdf',
        mimeType: 'application/pdf',
        filename: 'manual.pdf',
        caption: 'o manual',
      },
    });
    assert.equal(message.type, 'document');
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as {
      type: string;
      document: { id?: string; link: string; caption: string; filename: string };
    };
    assert.equal(kit.graph.sent.length, uploads + 1);
    assert.deepEqual(payload.document, {
      link: 'https://cdn.example.com.br/manual.pdf',
      caption: 'o manual',
      filename: 'manual.pdf',
    });
    assert.equal((await stored(conv, message.id)).status, 'sent');
  });

  /** A file in the media bucket, as an upload leaves it. */
  async function uploaded(conv: Conversation, body: Buffer, contentType: string) {
    const key = `acc/${conv.accountId}/uploads/${randomBytes(4).toString('hex')}`;
    await kit.deps.s3.send(
      new PutObjectCommand({ Bucket: kit.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return key;
  }

  test('a voice note (Ogg/Opus recorded in the browser) is sent as audio with voice: true, no caption (MSG-3)', async () => {
    const conv = await customerWrote();
    const key = await uploaded(conv, Buffer.from('OggS voice'), 'audio/ogg');
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      attachment: { key, mimeType: 'audio/ogg', filename: 'mensagem-de-voz.ogg', voice: true },
    });
    assert.equal(message.type, 'audio');
    assert.equal(message.media?.voice, true);
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as { type: string; audio: Record<string, unknown> };
    assert.equal(payload.type, 'audio');
    assert.match(String(payload.audio.id), /^up-/);
    assert.equal(payload.audio.voice, true);
    assert.equal(payload.audio.caption, undefined);
    assert.equal((await stored(conv, message.id)).media?.voice, true);
  });

  test('an audio file that is not a voice note goes without the voice flag', async () => {
    const conv = await customerWrote();
    const key = await uploaded(conv, Buffer.from('ID3'), 'audio/mpeg');
    await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      attachment: { key, mimeType: 'audio/mpeg', filename: 'musica.mp3' },
    });
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as { type: string; audio: Record<string, unknown> };
    assert.equal(payload.type, 'audio');
    assert.equal('voice' in payload.audio, false);
  });

  test('a video is sent as video with its caption', async () => {
    const conv = await customerWrote();
    const key = await uploaded(conv, Buffer.from('....ftypmp42'), 'video/mp4');
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      text: 'veja o vídeo',
      attachment: { key, mimeType: 'video/mp4', filename: 'tutorial.mp4' },
    });
    assert.equal(message.type, 'video');
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as { type: string; video: Record<string, unknown> };
    assert.equal(payload.type, 'video');
    assert.match(String(payload.video.id), /^up-/);
    assert.equal(payload.video.caption, 'veja o vídeo');
    assert.equal(payload.video.filename, undefined);
  });

  test('contact cards are sent as a Cloud API contacts message and stored with their names as text', async () => {
    const conv = await customerWrote();
    const cards = [
      {
        name: { formatted_name: 'Maria Souza', first_name: 'Maria', last_name: 'Souza' },
        phones: [{ phone: '+55 11 99999-0000', type: 'CELL', wa_id: '5511999990000' }],
      },
    ];
    const message = await queueAgentMessage(api, {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: 'u1' },
      contacts: cards,
    });
    assert.equal(message.type, 'contacts');
    assert.equal(message.text, 'Maria Souza');
    assert.deepEqual(message.interactive, cards);
    await processOutboundJob((await nextJob()).job, kit.deps);
    const payload = kit.graph.sent.at(-1) as Record<string, unknown>;
    assert.equal(payload.type, 'contacts');
    assert.deepEqual(payload.contacts, cards);
    assert.equal(payload.text, undefined);
    assert.equal((await stored(conv, message.id)).status, 'sent');
  });

  test('a redelivered job does not send twice', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'uma vez só');
    await processOutboundJob(job, kit.deps);
    const sends = kit.graph.sent.length;
    await processOutboundJob(job, kit.deps);
    assert.equal(kit.graph.sent.length, sends);
    assert.equal((await stored(conv, message.id)).status, 'sent');
  });

  test('a crash after Meta accepted it and the wamid was recorded: the redelivery binds it without sending again', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'queda no meio');
    await assert.rejects(
      processOutboundJob(job, {
        ...kit.deps,
        afterStep: (s) => {
          if (s === 'sent') throw new Error('crash');
        },
      }),
    );
    const sends = kit.graph.sent.length;
    await processOutboundJob(job, kit.deps);
    assert.equal(kit.graph.sent.length, sends);
    const { wamid } = await stored(conv, message.id);
    await processInboundItem(statusItem(wamid!, 'delivered'), kit.deps);
    assert.equal((await stored(conv, message.id)).status, 'delivered');
  });
});

describe('delivery statuses', () => {
  test('read before delivered: the message ends read', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'Claro!');
    await processOutboundJob(job, kit.deps);
    const { wamid } = await stored(conv, message.id);

    await processInboundItem(statusItem(wamid!, 'read'), kit.deps);
    await processInboundItem(statusItem(wamid!, 'delivered'), kit.deps);
    await processInboundItem(statusItem(wamid!, 'sent'), kit.deps);

    assert.equal((await stored(conv, message.id)).status, 'read');
  });

  test('statuses that arrive before the send recorded the wamid are applied then, the furthest one winning', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'Já vai');
    // Meta's webhooks race ahead of the sender's own bookkeeping, out of order too.
    await processInboundItem(statusItem('wamid.early', 'read'), kit.deps);
    await processInboundItem(statusItem('wamid.early', 'delivered'), kit.deps);
    kit.graph.nextWamids.push('wamid.early');

    await processOutboundJob(job, kit.deps);

    const m = await stored(conv, message.id);
    assert.equal(m.wamid, 'wamid.early');
    assert.equal(m.status, 'read');
  });

  test('a failed status carries Meta’s error to the message', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'não chega');
    await processOutboundJob(job, kit.deps);
    const { wamid } = await stored(conv, message.id);
    await processInboundItem(
      statusItem(wamid!, 'failed', {
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Recipient is not a WhatsApp user' },
          },
        ],
      }),
      kit.deps,
    );
    const m = await stored(conv, message.id);
    assert.equal(m.status, 'failed');
    assert.deepEqual(m.error, {
      code: 131026,
      title: 'Message undeliverable',
      message: 'Message undeliverable',
      details: 'Recipient is not a WhatsApp user',
    });
  });
});

describe('Graph API failures', () => {
  test('131047 (outside the window) is recorded with Meta’s text and not retried', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'fora da janela');
    kit.graph.failNext('send', 1, 400, 131047, 'Re-engagement message');

    await processOutboundJob(job, kit.deps);

    const m = await stored(conv, message.id);
    assert.equal(m.status, 'failed');
    assert.equal(m.error?.code, 131047);
    assert.equal(m.error?.message, 'Re-engagement message');
  });

  test('190 (bad token) is recorded with Meta’s text and not retried', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'token ruim');
    kit.graph.failNext('send', 1, 401, 190, 'Error validating access token');

    await processOutboundJob(job, kit.deps);

    const m = await stored(conv, message.id);
    assert.equal(m.status, 'failed');
    assert.equal(m.error?.code, 190);
    assert.equal(m.error?.message, 'Error validating access token');
  });

  test('429 is retried (the job fails back to the queue), then sent', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'tente de novo');
    kit.graph.failNext('send', 1, 429, 130429, 'Rate limit hit');

    await assert.rejects(processOutboundJob(job, { ...kit.deps, receiveCount: 1 }));
    const refused = await stored(conv, message.id);
    assert.equal(refused.status, 'pending');
    // Meta answered: nothing was accepted, so the send is not in doubt and goes at once.
    assert.equal(refused.sendingAt, undefined);
    await processOutboundJob(job, { ...kit.deps, receiveCount: 2 });

    assert.equal((await stored(conv, message.id)).status, 'sent');
  });

  test('Meta unreachable (connection refused): nothing was accepted, so the retry sends at once, once', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'sem rede');
    const unreachable = createGraphClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      version: 'v23.0',
    });
    await assert.rejects(processOutboundJob(job, { ...kit.deps, graph: unreachable, receiveCount: 1 }));
    assert.equal((await stored(conv, message.id)).sendingAt, undefined);

    const sends = kit.graph.sent.length;
    await processOutboundJob(job, { ...kit.deps, receiveCount: 2 });
    assert.equal(kit.graph.sent.length, sends + 1);
    assert.equal((await stored(conv, message.id)).status, 'sent');
  });

  test('a 5xx on the last attempt is recorded as failed instead of vanishing into the DLQ', async () => {
    const conv = await customerWrote();
    const { message, job } = await agentSends(conv, 'Meta fora do ar');
    kit.graph.failNext('send', 1, 503, 131000, 'Something went wrong');

    await processOutboundJob(job, { ...kit.deps, receiveCount: SEND_ATTEMPTS });

    const m = await stored(conv, message.id);
    assert.equal(m.status, 'failed');
    assert.equal(m.error?.code, 131000);
    assert.equal(m.error?.message, 'Something went wrong');
  });
});

test('a read receipt job marks the customer’s message as read on WhatsApp', async () => {
  const conv = await customerWrote();
  const [incoming] = await kit.messages(conv.id);
  await processOutboundJob(
    { kind: 'markRead', accountId: conv.accountId, numberId: conv.numberId, wamid: incoming!.wamid! },
    kit.deps,
  );
  assert.deepEqual(kit.graph.sent.at(-1), {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: incoming!.wamid,
  });
});
