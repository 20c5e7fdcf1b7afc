/**
 * The side effects that moved from the actions into the domain events' listeners
 * (shared/events/listeners.ts): fn timers' close, notification and return of a postponed
 * chat, the sender's status changes, the assistant's records and hand-over, an agent's
 * reply and internal note, knowledge progress. Each test shows the event the action emits
 * (a recording listener added to the registry, as any listener is) and what the user sees
 * of it: the frames an agent's socket is posted (API Gateway's management API, mocked),
 * the pending timers gone.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiDeps } from '#shared/api/api-deps.ts';
import { postpone } from '#shared/api/conversations-service.ts';
import { sendAgentMessage } from '#shared/api/messages-service.ts';
import { processAssistantJob, TRANSFER_NOTICE, type AssistantPort } from '#shared/assistant/process-job.ts';
import { agentMessageDeps, type EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { processTimer } from '#shared/engine/timers.ts';
import type { DomainEvent } from '#shared/events/domain-events.ts';
import { listener } from '#shared/events/emit.ts';
import { emit, listeners } from '#shared/events/listeners.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import { processOutboundJob } from '#shared/outbound/send.ts';
import { createAccount } from '#shared/store/accounts.ts';
import { putConnection, viewerOf } from '#shared/store/connections.ts';
import { touchConversation } from '#shared/store/conversations.ts';
import { keys } from '#shared/store/keys.ts';
import type { Conversation, KbDocument, Message } from '#shared/store/types.ts';
import { createUser } from '#shared/store/users.ts';
import { engineKit, kitScheduler, type EngineKit } from './engine-kit.ts';

const H = 3600_000;
const ws = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'https://ws.local' });
const wsMock = mockClient(ws);

let kit: EngineKit;
let sched: Awaited<ReturnType<typeof kitScheduler>>;
let deps: EngineDeps;
let sqs: SQSClient;
let adminId: string;

/** Every event emitted, as a listener sees it (the last in the registry). */
const seen: DomainEvent[] = [];
listeners.push(
  listener({
    name: 'test-recorder',
    onFailure: 'log',
    handle: (event) => {
      seen.push(event);
    },
  }),
);

type Frame = { type: string; conversationId?: string; message?: Message; conversation?: Conversation };

/** The posts to the admin's socket since the last reset, each as the events it carried. */
const posts = (): Frame[][] =>
  wsMock
    .commandCalls(PostToConnectionCommand)
    .filter((c) => c.args[0].input.ConnectionId === 'conn-admin')
    .map((c) => {
      const frame = JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)) as Frame & {
        events?: Frame[];
      };
      return frame.type === 'batch' ? frame.events! : [frame];
    });

beforeAll(async () => {
  kit = await engineKit();
  await createAccount(kit.deps.ddb, kit.deps.tableName, {
    id: kit.number.accountId,
    name: 'Loja',
    timezone: 'America/Sao_Paulo',
    inactivityHours: 2,
  });
  sched = await kitScheduler(kit);
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: `outbound-${randomBytes(4).toString('hex')}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  deps = { ...sched.deps, ws, sqs, queueUrls: { outbound: q.QueueUrl! } } as EngineDeps;
  const admin = await createUser(kit.deps.ddb, kit.deps.tableName, {
    id: 'U-admin',
    accountId: kit.number.accountId,
    name: 'Admin',
    email: 'admin-events@example.com',
    role: 'admin',
    passwordHash: 'x',
    departmentIds: [],
  });
  adminId = admin.id;
  // Connection items are read at the real time (shared/push/push.ts).
  await putConnection(
    kit.deps.ddb,
    kit.deps.tableName,
    {
      connectionId: 'conn-admin',
      accountId: kit.number.accountId,
      userId: adminId,
      viewer: viewerOf({ role: 'admin', departmentIds: [] }),
    },
    Date.now(),
  );
  wsMock.on(PostToConnectionCommand).resolves({});
});
afterAll(async () => {
  wsMock.restore();
  sqs.destroy();
  await sched.stop();
  await kit.stop();
});
beforeEach(() => {
  seen.splice(0);
  wsMock.resetHistory();
});

let phones = 0;
async function customerWrote(body = 'Oi'): Promise<Conversation> {
  const from = `55219777${String(++phones).padStart(5, '0')}`;
  await processInboundItem(kit.text(from, body), deps);
  const conv = (await kit.conversations()).find((c) => c.contactPhone === from)!;
  seen.splice(0);
  wsMock.resetHistory();
  return conv;
}

const api = () => ({ ...deps, getJwtKey: async () => new Uint8Array(32) }) as unknown as ApiDeps;
const auth = () => ({ userId: adminId, accountId: kit.number.accountId, role: 'admin' as const });
const timer = (kind: string, conv: Conversation, at: number) => ({
  kind,
  accountId: conv.accountId,
  conversationId: conv.id,
  attendanceId: conv.attendanceId!,
  at,
});
const pendingTimers = (conv: Conversation) =>
  sched.scheduler.list().filter((s) => s.Name.includes(conv.id) && !s.fired);

describe('fn timers', () => {
  test('the inactivity close is conversation.closed: the socket gets the closed chat, the pending timers go', async () => {
    const conv = await customerWrote();
    assert.equal(pendingTimers(conv).length, 3);
    kit.clock.now += 2 * H + 1000;
    assert.equal(
      await processTimer(timer('conversation.autoclose', conv, conv.lastMessageAt + 2 * H), deps),
      'close',
    );
    const closed = seen.filter((e) => e.type === 'conversation.closed');
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.type === 'conversation.closed' && closed[0]!.reason, 'inactivity');
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.conversation?.status])),
      [[['conversation.updated', 'closed']]],
    );
    // The close schedule is the one that fired (called directly here; Scheduler deletes it).
    assert.deepEqual(
      pendingTimers(conv)
        .map((s) => s.Name.split('-')[0])
        .filter((n) => n !== 'close'),
      [],
      'the timers listener deleted the pending window timers',
    );
    assert.equal(
      (await kit.messages(conv.id)).filter((m) => m.direction === 'internal').length,
      0,
      'no chat log line for a close by inactivity (as before)',
    );
  });

  test('Expirando is conversation.updated: the socket gets the chat', async () => {
    kit.clock.now += H;
    const conv = await customerWrote();
    kit.clock.now = conv.windowExpiresAt! - 30 * 60_000 + 1000;
    const outcome = await processTimer(
      timer('window.expiring', conv, conv.windowExpiresAt! - 30 * 60_000),
      deps,
    );
    assert.equal(outcome, 'notify');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['conversation.updated'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.conversationId])),
      [[['conversation.updated', conv.id]]],
    );
  });

  test('a postponed chat coming back is conversation.unpostponed: the socket gets it back in Open', async () => {
    const conv = await customerWrote('Me chame daqui a uma hora');
    const until = kit.clock.now + H;
    const res = await postpone(api(), auth(), conv.id, until);
    assert.equal(res.conversation.inboxBucket, 'LATER');
    seen.splice(0);
    wsMock.resetHistory();

    kit.clock.now = until + 1000;
    assert.equal(await processTimer(timer('conversation.unpostpone', conv, until), deps), 'unpostpone');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['conversation.unpostponed'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.conversation?.inboxBucket])),
      [[['conversation.updated', 'OPEN']]],
    );
  });
});

describe('the sender', () => {
  test('a send settled is message.updated + conversation.updated, in ONE push to the socket', async () => {
    const conv = await customerWrote();
    const message = await queueAgentMessage(agentMessageDeps(deps), {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: adminId, name: 'Admin' },
      text: 'Já te respondo',
    });
    seen.splice(0);
    wsMock.resetHistory();
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: message.id },
      deps,
    );
    assert.deepEqual(
      seen.map((e) => e.type),
      ['message.updated', 'conversation.updated'],
    );
    const pushed = posts();
    assert.equal(pushed.length, 1, `one post: ${JSON.stringify(pushed)}`);
    assert.deepEqual(
      pushed[0]!.map((e) => e.type),
      ['message.updated', 'conversation.updated'],
    );
    assert.equal(pushed[0]![0]!.message?.status, 'sent');
    assert.deepEqual(
      [pushed[0]![1]!.conversation?.lastMessage?.text, pushed[0]![1]!.conversation?.lastMessage?.direction],
      ['Já te respondo', 'out'],
    );
  });

  test('a send whose conversation touch already went through (its answer lost: an SDK retry, a redelivery) still pushes the conversation showing it', async () => {
    const conv = await customerWrote();
    const message = await queueAgentMessage(agentMessageDeps(deps), {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: adminId, name: 'Admin' },
      text: 'Já volto com a resposta',
    });
    // The touch of this message is stored, as a retried or redelivered one finds it.
    await touchConversation(deps.ddb, deps.tableName, conv, {
      messageId: message.id,
      at: message.createdAt,
      preview: { text: 'Já volto com a resposta', type: 'text', direction: 'out', by: adminId },
    });
    seen.splice(0);
    wsMock.resetHistory();
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: message.id },
      deps,
    );
    const pushed = posts();
    assert.deepEqual(
      pushed.map((p) => p.map((e) => e.type)),
      [['message.updated', 'conversation.updated']],
      'the list learns the reply is the last message (it kept the customer’s before)',
    );
    assert.equal(pushed[0]![1]!.conversation?.lastMessage?.text, 'Já volto com a resposta');
  });

  test('a send refused for good is message.updated: the socket gets the failed message', async () => {
    const conv = await customerWrote();
    const message = await queueAgentMessage(agentMessageDeps(deps), {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: adminId, name: 'Admin' },
      text: 'Fora da janela',
    });
    seen.splice(0);
    wsMock.resetHistory();
    kit.graph.failNext('send', 1, 400, 131047, 'Re-engagement message');
    await processOutboundJob(
      { kind: 'send', accountId: conv.accountId, conversationId: conv.id, messageId: message.id },
      deps,
    );
    assert.deepEqual(
      seen.map((e) => e.type),
      ['message.updated'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.message?.status, e.message?.error?.code])),
      [[['message.updated', 'failed', 131047]]],
    );
  });
});

describe('messages of ours', () => {
  test('an agent’s reply queued is message.created: the socket gets the pending message', async () => {
    const conv = await customerWrote();
    const message = await queueAgentMessage(agentMessageDeps(deps), {
      accountId: conv.accountId,
      conversationId: conv.id,
      sender: { type: 'agent', id: adminId, name: 'Admin' },
      text: 'Olá!',
    });
    assert.deepEqual(
      seen.map((e) => e.type),
      ['message.created'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.message?.id, e.message?.status])),
      [[['message.created', message.id, 'pending']]],
    );
  });

  test('an internal note is message.created: the socket gets it', async () => {
    const conv = await customerWrote();
    const note = await sendAgentMessage(api(), auth(), conv.id, { text: 'cliente VIP', internal: true });
    assert.deepEqual(
      seen.map((e) => e.type),
      ['message.created'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.message?.id, e.message?.direction, e.message?.text])),
      [[['message.created', note.id, 'internal', 'cliente VIP']]],
    );
  });

  test('the assistant’s tool call and hand-over: message.created for each record, conversation.updated for the chat', async () => {
    // (Not a request for a person: that one is handed over without the port, issue 15.)
    const conv = await customerWrote('Tenho uma dúvida sobre o pedido');
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.conversation(conv.accountId, conv.id),
        UpdateExpression: 'SET routingStage = :a, assistantId = :id',
        ExpressionAttributeValues: { ':a': 'assistant', ':id': 'A1' },
      }),
    );
    const port: AssistantPort = {
      answer: async () => ({
        kind: 'handover',
        note: 'Pediu uma pessoa.',
        trace: [{ name: 'buscar', arguments: '{}', result: 'nada' }],
      }),
    };
    const outcome = await processAssistantJob(
      {
        kind: 'reply',
        accountId: conv.accountId,
        conversationId: conv.id,
        assistantId: 'A1',
        messageId: conv.lastCustomerMessageId!,
      },
      { ...deps, port },
    );
    assert.equal(outcome, 'handed-over');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['message.created', 'message.created', 'message.created', 'conversation.updated'],
    );
    assert.deepEqual(
      posts().map((p) => p.map((e) => [e.type, e.message?.text ?? e.conversation?.routingStage])),
      [
        [['message.created', 'buscar({}) → nada']],
        // The customer is told they are transferred (issue 15).
        [['message.created', TRANSFER_NOTICE]],
        [['message.created', 'Pediu uma pessoa.']],
        [['conversation.updated', 'people']],
      ],
    );
  });
});

test('knowledge progress is knowledge.updated: every socket of the account gets it', async () => {
  const document = {
    id: 'D1',
    accountId: kit.number.accountId,
    knowledgeBaseId: 'KB1',
    status: 'ready',
    progress: 100,
  } as KbDocument;
  await emit([{ type: 'knowledge.updated', document }], deps);
  assert.deepEqual(
    posts().map((p) => p.map((e) => [e.type, (e as { knowledgeBaseId?: string }).knowledgeBaseId])),
    [[['knowledge.updated', 'KB1']]],
  );
});
