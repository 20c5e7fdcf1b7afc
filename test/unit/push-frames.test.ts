import { test } from 'vitest';
import assert from 'node:assert/strict';
import { chatsCarried, selectFrames, type PushEvent } from '#shared/push/frames.ts';
import type { Connection, Conversation, KbDocument, Message } from '#shared/store/types.ts';

const conn = (connectionId: string, userId: string, viewer?: Connection['viewer']): Connection => ({
  connectionId,
  accountId: 'A1',
  userId,
  connectedAt: 0,
  ttl: 9e9,
  ...(viewer ? { viewer } : {}),
});

const suporte = conn('c-sup', 'u-sup', { role: 'agent', departmentIds: ['D-SUP'] });
const suporte2 = conn('c-sup2', 'u-sup2', { role: 'agent', departmentIds: ['D-SUP'] });
const vendas = conn('c-ven', 'u-ven', { role: 'agent', departmentIds: ['D-VEN'] });
const admin = conn('c-adm', 'u-adm', { role: 'admin', departmentIds: [] });
const seesAll = conn('c-sa', 'u-sa', { role: 'agent', departmentIds: [], permissions: ['seeAllChats'] });
const legacy = conn('c-old', 'u-old');

const chat = (over: Partial<Conversation>) => ({ id: 'CV', ...over }) as Conversation;
const message = (text: string, direction: Message['direction'] = 'in') =>
  ({ id: `m-${text}`, conversationId: 'CV', text, direction }) as Message;

/** connection id → the events of its frame (batch unwrapped), or undefined when it gets none. */
function received(frames: ReturnType<typeof selectFrames>): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const f of frames) {
    const parsed = JSON.parse(f.frame) as Record<string, unknown> & { events?: Record<string, unknown>[] };
    for (const id of f.connectionIds) out.set(id, parsed.type === 'batch' ? parsed.events! : [parsed]);
  }
  return out;
}

// With "Setores isolados" on (the last argument of selectFrames), a user without the
// permission receives only their departments' chats and those without one.
test("isolated: a Vendas chat's message and note reach Vendas and those who see all chats, not Suporte", () => {
  const vendasChat = chat({ departmentId: 'D-VEN' });
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'CV', message: message('quero comprar') },
    { type: 'conversation.updated', conversationId: 'CV', conversation: vendasChat },
  ];
  const got = received(
    selectFrames(
      'A1',
      events,
      [suporte, vendas, admin, seesAll, legacy],
      new Map([['CV', vendasChat]]),
      5,
      true,
    ),
  );

  assert.deepEqual([...got.keys()].sort(), ['c-adm', 'c-sa', 'c-ven']);
  assert.deepEqual(
    got.get('c-ven')!.map((e) => e.type),
    ['message.created', 'conversation.updated'],
  );
  assert.equal((got.get('c-adm')![0]!.message as Message).text, 'quero comprar');
});

test('isolated: connections that select the same events share one frame, built once', () => {
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'CV', message: message('nota', 'internal') },
  ];
  const frames = selectFrames(
    'A1',
    events,
    [suporte, suporte2, vendas, admin],
    new Map([['CV', chat({ departmentId: 'D-SUP' })]]),
    5,
    true,
  );
  // Suporte ×2 and the admin see the same single event: one frame for the three.
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0]!.connectionIds.sort(), ['c-adm', 'c-sup', 'c-sup2']);
  assert.ok(!JSON.stringify(frames).includes('c-ven'));
});

test('isolated: a chat transferred from Vendas to Suporte reaches Vendas only as conversation.removed with its id', () => {
  const now = chat({ departmentId: 'D-SUP', contactName: 'João' });
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'CV', message: message('transferida', 'internal') },
    {
      type: 'conversation.updated',
      conversationId: 'CV',
      conversation: now,
      previous: { departmentId: 'D-VEN' },
    },
  ];
  const got = received(selectFrames('A1', events, [suporte, vendas, admin], new Map([['CV', now]]), 7, true));

  assert.deepEqual(got.get('c-ven'), [
    { type: 'conversation.removed', conversationId: 'CV', accountId: 'A1', at: 7 },
  ]);
  assert.deepEqual(
    got.get('c-sup')!.map((e) => e.type),
    ['message.created', 'conversation.updated'],
  );
  // `previous` is the server's business: never in a frame.
  assert.ok(!('previous' in got.get('c-adm')![1]!));
});

test("isolated: a chat's own agent sees it whatever its department; an unknown chat only those who see all", () => {
  const mine = chat({ departmentId: 'D-VEN', agentId: 'u-sup' });
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'CV', message: message('oi') },
    { type: 'message.created', conversationId: 'GONE', message: message('?') },
  ];
  const got = received(
    selectFrames('A1', events, [suporte, vendas, seesAll], new Map([['CV', mine]]), 1, true),
  );

  assert.equal(got.get('c-sup')!.length, 1);
  assert.equal(got.get('c-ven')!.length, 1);
  assert.equal(got.get('c-sa')!.length, 2);
});

test('knowledge progress reaches every connection of the account (every user reads knowledge bases)', () => {
  const events: PushEvent[] = [
    { type: 'knowledge.updated', knowledgeBaseId: 'KB', document: { id: 'D' } as KbDocument },
  ];
  const frames = selectFrames('A1', events, [suporte, vendas, admin, legacy], new Map(), 1);
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0]!.connectionIds.sort(), ['c-adm', 'c-sup', 'c-ven']);
});

test('"Setores isolados" off (the default): every connection of the account gets every chat, a transfer removes nothing', () => {
  const vendasChat = chat({ departmentId: 'D-VEN' });
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'CV', message: message('quero comprar') },
    {
      type: 'conversation.updated',
      conversationId: 'CV',
      conversation: vendasChat,
      previous: { departmentId: 'D-SUP' },
    },
    { type: 'message.created', conversationId: 'GONE', message: message('?') },
  ];
  const frames = selectFrames(
    'A1',
    events,
    [suporte, vendas, admin, seesAll, legacy],
    new Map([['CV', vendasChat]]),
    3,
  );
  assert.equal(frames.length, 1, 'one frame for all');
  assert.deepEqual(frames[0]!.connectionIds.sort(), ['c-adm', 'c-sa', 'c-sup', 'c-ven']);
  assert.ok(!frames[0]!.frame.includes('conversation.removed'));
  const agent = { userId: 'u', role: 'agent' as const, departmentIds: [] };
  assert.deepEqual(chatsCarried(events, [agent]).missing, [], 'nothing to read');
});

test('isolated: the conversations to read: none when every viewer sees all chats or the push carries them', () => {
  const events: PushEvent[] = [
    { type: 'message.created', conversationId: 'X', message: message('a') },
    { type: 'message.created', conversationId: 'Y', message: message('b') },
    { type: 'conversation.updated', conversationId: 'Y', conversation: chat({ id: 'Y' }) },
  ];
  const agent = { userId: 'u', role: 'agent' as const, departmentIds: [], isolated: true };
  const adminViewer = { userId: 'a', role: 'admin' as const, departmentIds: [], isolated: true };
  assert.deepEqual(chatsCarried(events, [agent, adminViewer]).missing, ['X']);
  assert.deepEqual(chatsCarried(events, [adminViewer]).missing, []);
});
