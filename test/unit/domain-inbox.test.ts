import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  assign,
  bucketOf,
  bucketsOf,
  can,
  canSee,
  chatStateOf,
  checkPostpone,
  inView,
  internalText,
  views,
  type ChatState,
  type View,
  type Viewer,
} from '#shared/domain/inbox.ts';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const H = 3600_000;

// Ana is the agent of the chats that have one; Carla shares Ana's department (Vendas) but
// is not the agent; Davi is in Suporte; Eva is in Suporte with "see all chats".
const ana: Viewer = { userId: 'ana', role: 'agent', departmentIds: ['vendas'] };
const carla: Viewer = { userId: 'carla', role: 'agent', departmentIds: ['vendas'] };
const davi: Viewer = { userId: 'davi', role: 'agent', departmentIds: ['suporte'] };
const eva: Viewer = {
  userId: 'eva',
  role: 'agent',
  departmentIds: ['suporte'],
  permissions: ['seeAllChats'],
};
const isolated = (v: Viewer): Viewer => ({ ...v, isolated: true });

type Row = [state: string, chats: ChatState[], ana: View[], carla: View[], davi: View[], eva: View[]];

const flowRunning: ChatState = { closed: false, bot: 'running' };
const flowEnded: ChatState = { closed: false, bot: 'ended' };

// One row per line of the reference's list of views and of which chats appear where
// ("Setores isolados" off, its default): the chats the line speaks of, then the views
// that list each of them for each user.
const rows: Row[] = [
  [
    "Abertos: not closed, without an agent, of the user's department; the see-all permission sees other departments'",
    [{ closed: false, departmentId: 'vendas' }],
    ['all', 'open'],
    ['all', 'open'],
    ['all'],
    ['all', 'open'],
  ],
  [
    'Meus: only the chats the user is the agent of',
    [{ closed: false, agentId: 'ana' }],
    ['all', 'mine', 'service'],
    ['all', 'service'],
    ['all', 'service'],
    ['all', 'service'],
  ],
  [
    'Em atendimento: every chat that has an agent, whatever its department',
    [
      { closed: false, agentId: 'ana', departmentId: 'vendas' },
      { closed: false, agentId: 'ana', departmentId: 'suporte' },
    ],
    ['all', 'mine', 'service'],
    ['all', 'service'],
    ['all', 'service'],
    ['all', 'service'],
  ],
  [
    'closed attendance: only in Todos',
    [{ closed: true }, { closed: true, departmentId: 'vendas' }],
    ['all'],
    ['all'],
    ['all'],
    ['all'],
  ],
  [
    'department assigned (forwarded to a department, or a flow opened it for one): Todos and Abertos',
    [{ closed: false, departmentId: 'vendas' }],
    ['all', 'open'],
    ['all', 'open'],
    ['all'],
    ['all', 'open'],
  ],
  [
    'opened for conversation without department or agent: Todos and Abertos',
    [{ closed: false }],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
  [
    "opened for an agent (forwarded, or a flow's specific/random/last/sequential agent): Todos, Meus and Em atendimento",
    [{ closed: false, agentId: 'ana' }],
    ['all', 'mine', 'service'],
    ['all', 'service'],
    ['all', 'service'],
    ['all', 'service'],
  ],
  [
    'Chatbot switched off: Todos and Abertos',
    [{ closed: false, bot: 'off' }],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
  [
    'in a conversation flow or when it ended (triage menu, assistant): only Todos',
    [flowRunning, flowEnded, { ...flowRunning, departmentId: 'vendas' }],
    ['all'],
    ['all'],
    ['all'],
    ['all'],
  ],
  [
    'postponed until tomorrow: out of the open lists, only Todos',
    [{ closed: false, departmentId: 'vendas', postponedUntil: NOW + 24 * H }],
    ['all'],
    ['all'],
    ['all'],
    ['all'],
  ],
  [
    'postponed until a time that has passed: back in Abertos',
    [{ closed: false, postponedUntil: NOW - 1 }],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
];

// "Setores isolados" on: a user without the permission sees only chats with no department,
// of their departments, or of which they are the agent — nothing else in any view.
const isolatedRows: Row[] = [
  [
    'a closed chat of another department: Davi sees nothing of it',
    [{ closed: true, departmentId: 'vendas' }],
    ['all'],
    ['all'],
    [],
    ['all'],
  ],
  [
    "a department's chat: only its members and the see-all permission",
    [{ closed: false, departmentId: 'vendas' }],
    ['all', 'open'],
    ['all', 'open'],
    [],
    ['all', 'open'],
  ],
  [
    "an agent's chat of a department: not outside that department without the permission",
    [{ closed: false, agentId: 'ana', departmentId: 'vendas' }],
    ['all', 'mine', 'service'],
    ['all', 'service'],
    [],
    ['all', 'service'],
  ],
  [
    "the user's own chat of another department: theirs all the same",
    [{ closed: false, agentId: 'davi', departmentId: 'vendas' }],
    ['all', 'service'],
    ['all', 'service'],
    ['all', 'mine', 'service'],
    ['all', 'service'],
  ],
  [
    "a flow holding a department's chat: Todos for its members only",
    [{ ...flowRunning, departmentId: 'vendas' }],
    ['all'],
    ['all'],
    [],
    ['all'],
  ],
];

const account = { departmentIds: ['vendas', 'suporte'], agentIds: ['ana', 'carla', 'davi', 'eva'] };

function check(row: Row, viewers: Viewer[]) {
  const [state, chats, ...expected] = row;
  for (const chat of chats)
    viewers.forEach((viewer, i) => {
      const shown = views.filter((v) => inView(v, viewer, chat, NOW));
      assert.deepEqual(shown, expected[i], `${viewer.userId}: ${state} ${JSON.stringify(chat)}`);
      // Every view is exactly the union of its buckets, filtered by the rule.
      for (const view of views) {
        const bucketed = bucketsOf(view, viewer, account).includes(bucketOf(chat, NOW));
        assert.equal(bucketed && shown.includes(view), shown.includes(view), `${viewer.userId} ${view}`);
      }
    });
}

const anyChat: ChatState[] = [
  { closed: true },
  { closed: true, departmentId: 'suporte' },
  { closed: false, departmentId: 'vendas' },
  { closed: false, agentId: 'carla', departmentId: 'suporte' },
  { closed: false, agentId: 'ana' },
  { closed: false, bot: 'off' },
  flowRunning,
  { closed: false },
];

describe('inbox views (INB-1, reference "Chat ao vivo"): which view lists a chat, for whom', () => {
  test('Todos: any chat — of every agent, of every department, with agent/department or not, closed or not — to every user', () => {
    for (const chat of anyChat)
      for (const viewer of [ana, carla, davi, eva])
        assert.equal(inView('all', viewer, chat, NOW), true, `${viewer.userId} ${JSON.stringify(chat)}`);
  });
  for (const row of rows) test(row[0], () => check(row, [ana, carla, davi, eva]));
  test('a test conversation with an assistant is in no view', () => {
    for (const viewer of [ana, eva])
      assert.deepEqual(
        views.filter((v) => inView(v, viewer, { closed: false, test: true }, NOW)),
        [],
      );
  });
});

describe('"Setores isolados" on: a user without the permission sees only their departments and none', () => {
  for (const row of isolatedRows) test(row[0], () => check(row, [ana, carla, davi, eva].map(isolated)));

  test('a chat without department: the same views as without isolation', () => {
    for (const chat of [{ closed: false }, { closed: false, agentId: 'ana' }, flowRunning, { closed: true }])
      for (const v of [ana, carla, davi, eva])
        assert.deepEqual(
          views.filter((view) => inView(view, isolated(v), chat, NOW)),
          views.filter((view) => inView(view, v, chat, NOW)),
        );
  });

  test('isolation off (the default) narrows nothing: canSee is true for every chat', () => {
    for (const chat of [{ departmentId: 'vendas' }, { agentId: 'ana', departmentId: 'vendas' }])
      assert.equal(canSee(davi, chat), true);
    assert.equal(canSee(isolated(davi), { departmentId: 'vendas' }), false);
    assert.equal(canSee(isolated(eva), { departmentId: 'vendas' }), true);
  });
});

describe('permissions and the automation state', () => {
  test('admins and supervisors see every chat; agents only with the permission', () => {
    assert.equal(can({ role: 'admin', permissions: [] }, 'seeAllChats'), true);
    assert.equal(can({ role: 'supervisor' }, 'seeAllChats'), true);
    assert.equal(can({ role: 'agent' }, 'seeAllChats'), false);
    assert.equal(can({ role: 'agent' }, 'settings'), false);
    assert.equal(can({ role: 'agent', permissions: ['settings'] }, 'settings'), true);
    const boss: Viewer = { userId: 'x', role: 'supervisor', departmentIds: [], isolated: true };
    assert.deepEqual(
      views.filter((v) => inView(v, boss, { closed: false, departmentId: 'vendas' }, NOW)),
      ['all', 'open'],
    );
  });

  test('a triage menu or the assistant runs the bot; people holding the chat is the Chatbot off', () => {
    assert.equal(chatStateOf({ status: 'open', routingStage: 'menu' }).bot, 'running');
    assert.equal(chatStateOf({ status: 'open', routingStage: 'assistant' }).bot, 'running');
    assert.equal(chatStateOf({ status: 'open', routingStage: 'people' }).bot, 'off');
    assert.equal(chatStateOf({ status: 'open', routingStage: 'new' }).bot, undefined);
    assert.equal(chatStateOf({ status: 'open' }).bot, undefined);
  });
});

describe('assignment (INB-2)', () => {
  const open: ChatState = { closed: false };

  test('forwarding to an agent removes the department and is logged with who did it', () => {
    const r = assign(
      { closed: false, departmentId: 'vendas' },
      { kind: 'toAgent', agentId: 'ana', by: 'eva' },
    );
    assert.deepEqual(r, {
      ok: true,
      chat: { closed: false, agentId: 'ana' },
      changed: true,
      log: { kind: 'agent', by: 'eva', agentId: 'ana' },
    });
  });

  test('replacing an agent asks for confirmation first', () => {
    const chat = { closed: false, agentId: 'ana' };
    assert.deepEqual(assign(chat, { kind: 'toAgent', agentId: 'carla', by: 'eva' }), {
      ok: false,
      reason: 'confirmReplace',
    });
    const r = assign(chat, { kind: 'toAgent', agentId: 'carla', by: 'eva', confirmReplace: true });
    assert.ok(r.ok && r.chat.agentId === 'carla');
  });

  test('forwarding to a department: the department holds it, no agent', () => {
    const r = assign(
      { closed: false, agentId: 'ana' },
      { kind: 'toDepartment', departmentId: 'suporte', by: 'ana' },
    );
    assert.ok(r.ok);
    assert.deepEqual(r.chat, { closed: false, departmentId: 'suporte' });
    assert.deepEqual(r.log, { kind: 'department', by: 'ana', departmentId: 'suporte' });
  });

  test('answering an unassigned chat assigns the one who answered', () => {
    const r = assign(open, { kind: 'agentReplied', agentId: 'davi' });
    assert.ok(r.ok);
    assert.deepEqual(r.chat, { closed: false, agentId: 'davi' });
    assert.deepEqual(r.log, { kind: 'joined', agentId: 'davi' });
  });

  test('an agent answering a department chat joins it and the department stays', () => {
    const r = assign({ closed: false, departmentId: 'vendas' }, { kind: 'agentReplied', agentId: 'ana' });
    assert.ok(r.ok);
    assert.deepEqual(r.chat, { closed: false, departmentId: 'vendas', agentId: 'ana' });
  });

  test('a second agent answering does not replace the first', () => {
    const chat = { closed: false, departmentId: 'vendas', agentId: 'ana' };
    assert.deepEqual(assign(chat, { kind: 'agentReplied', agentId: 'carla' }), {
      ok: true,
      chat,
      changed: false,
    });
  });

  test('closing removes agent, department and automation', () => {
    const r = assign(
      { closed: false, agentId: 'ana', departmentId: 'vendas', bot: 'off' },
      { kind: 'close', by: 'ana' },
    );
    assert.deepEqual(r, {
      ok: true,
      chat: { closed: true },
      changed: true,
      log: { kind: 'closed', by: 'ana' },
    });
  });

  test('a closed chat cannot be assigned; people taking a chat switch its automation off', () => {
    assert.deepEqual(assign({ closed: true }, { kind: 'toDepartment', departmentId: 'vendas', by: 'ana' }), {
      ok: false,
      reason: 'closed',
    });
    const r = assign(
      { closed: false, bot: 'running' },
      { kind: 'toDepartment', departmentId: 'vendas', by: 'eva' },
    );
    assert.ok(r.ok);
    assert.deepEqual(r.chat, { closed: false, bot: 'off', departmentId: 'vendas' });
    assert.deepEqual(
      views.filter((v) => inView(v, ana, r.chat, NOW)),
      ['all', 'open'],
    );
  });

  test('assigning what is already so changes and logs nothing', () => {
    const chat = { closed: false, agentId: 'ana' };
    assert.deepEqual(assign(chat, { kind: 'toAgent', agentId: 'ana', by: 'ana' }), {
      ok: true,
      chat,
      changed: false,
    });
  });
});

describe('postponing and internal messages', () => {
  test('postponing is to a future time; past the 24 h window it warns', () => {
    assert.deepEqual(checkPostpone({ closed: false, windowExpiresAt: NOW + 24 * H }, NOW + 2 * H, NOW), {
      ok: true,
      warnWindow: false,
    });
    assert.deepEqual(checkPostpone({ closed: false, windowExpiresAt: NOW + 24 * H }, NOW + 48 * H, NOW), {
      ok: true,
      warnWindow: true,
    });
    assert.deepEqual(checkPostpone({ closed: false }, NOW - 1, NOW), { ok: false, reason: 'past' });
    assert.deepEqual(checkPostpone({ closed: true }, NOW + H, NOW), { ok: false, reason: 'closed' });
  });

  test('"/interna" makes an internal message and the prefix is dropped', () => {
    assert.equal(internalText('/interna cliente pediu retorno'), 'cliente pediu retorno');
    assert.equal(internalText('/INTERNA  ok'), 'ok');
    assert.equal(internalText('olá /interna'), undefined);
    assert.equal(internalText('/internacional'), undefined);
  });
});
