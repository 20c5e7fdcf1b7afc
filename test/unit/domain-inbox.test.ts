import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  assign,
  bucketOf,
  bucketsOf,
  can,
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

type Row = [state: string, chat: ChatState, ana: View[], carla: View[], davi: View[], eva: View[]];

// Each row: a chat state of the reference, then the views that list it for each user.
const rows: Row[] = [
  ['closed attendance: only in All', { closed: true }, ['all'], ['all'], ['all'], ['all']],
  [
    'department only (forwarded to Vendas): All and Open, for Vendas and "see all"',
    { closed: false, departmentId: 'vendas' },
    ['all', 'open'],
    ['all', 'open'],
    [],
    ['all', 'open'],
  ],
  [
    'opened for no one: All and Open for everyone',
    { closed: false },
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
  [
    'opened for an agent (Ana): All, Mine and In service for her; All and In service for others',
    { closed: false, agentId: 'ana' },
    ['all', 'mine', 'service'],
    ['all', 'service'],
    ['all', 'service'],
    ['all', 'service'],
  ],
  [
    'agent + department (Ana answered a Vendas chat): not visible outside Vendas without the permission',
    { closed: false, agentId: 'ana', departmentId: 'vendas' },
    ['all', 'mine', 'service'],
    ['all', 'service'],
    [],
    ['all', 'service'],
  ],
  [
    'in a flow (triage menu or assistant waiting on the customer): only All',
    { closed: false, bot: 'running' },
    ['all'],
    ['all'],
    ['all'],
    ['all'],
  ],
  [
    'flow ended without handing over: only All',
    { closed: false, bot: 'ended' },
    ['all'],
    ['all'],
    ['all'],
    ['all'],
  ],
  [
    'chatbot switched off: All and Open',
    { closed: false, bot: 'off' },
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
  [
    'postponed until tomorrow: out of the open lists, only All',
    { closed: false, departmentId: 'vendas', postponedUntil: NOW + 24 * H },
    ['all'],
    ['all'],
    [],
    ['all'],
  ],
  [
    'postponed until a time that has passed: back in Open',
    { closed: false, postponedUntil: NOW - 1 },
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
    ['all', 'open'],
  ],
];

describe('inbox views (INB-1): which view lists a chat, for whom', () => {
  for (const [state, chat, ...expected] of rows) {
    test(state, () => {
      const viewers = [ana, carla, davi, eva];
      viewers.forEach((viewer, i) => {
        const shown = views.filter((v) => inView(v, viewer, chat, NOW));
        assert.deepEqual(shown, expected[i], `${viewer.userId}: ${state}`);
      });
    });
  }

  test('every view is exactly the union of its buckets, filtered by visibility', () => {
    const account = { departmentIds: ['vendas', 'suporte'], agentIds: ['ana', 'carla', 'davi', 'eva'] };
    for (const [, chat] of rows)
      for (const viewer of [ana, carla, davi, eva])
        for (const view of views) {
          const bucketed = bucketsOf(view, viewer, account).includes(bucketOf(chat, NOW));
          const visible = inView('all', viewer, chat, NOW);
          assert.equal(bucketed && visible, inView(view, viewer, chat, NOW), `${viewer.userId} ${view}`);
        }
  });

  test('admins and supervisors see every chat; agents only with the permission', () => {
    assert.equal(can({ role: 'admin', permissions: [] }, 'seeAllChats'), true);
    assert.equal(can({ role: 'supervisor' }, 'seeAllChats'), true);
    assert.equal(can({ role: 'agent' }, 'seeAllChats'), false);
    assert.equal(can({ role: 'agent' }, 'settings'), false);
    assert.equal(can({ role: 'agent', permissions: ['settings'] }, 'settings'), true);
    const boss: Viewer = { userId: 'x', role: 'supervisor', departmentIds: [] };
    assert.deepEqual(
      views.filter((v) => inView(v, boss, { closed: false, departmentId: 'vendas' }, NOW)),
      ['all', 'open'],
    );
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
