import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  canChange,
  canProposeFor,
  canSeeQuickReply,
  canUse,
  normalizeShortcut,
  searchQuickReplies,
  type QuickReplyRuleFields,
} from '#shared/domain/quick-replies.ts';
import type { Viewer } from '#shared/domain/inbox.ts';

const agent: Viewer = { userId: 'ana', role: 'agent', departmentIds: ['fin'] };
const other: Viewer = { userId: 'bia', role: 'agent', departmentIds: ['vendas'] };
const supervisor: Viewer = { userId: 'sup', role: 'supervisor', departmentIds: [] };
const revoked: Viewer = {
  userId: 'rev',
  role: 'supervisor',
  departmentIds: [],
  permissions: ['seeAllChats'],
};
const granted: Viewer = {
  userId: 'gra',
  role: 'agent',
  departmentIds: [],
  permissions: ['approveQuickReplies'],
};

const qr = (over: Partial<QuickReplyRuleFields>): QuickReplyRuleFields => ({
  scope: { type: 'all' },
  status: 'approved',
  createdBy: 'sup',
  shortcut: 'oi',
  title: 'Saudação',
  text: 'Olá!',
  ...over,
});

describe('quick replies (MSG-7)', () => {
  test('an approved reply is used by the users of its scope only', () => {
    const dept = qr({ scope: { type: 'department', departmentId: 'fin' } });
    const mine = qr({ scope: { type: 'user', userId: 'ana' } });
    assert.deepEqual(
      [agent, other, supervisor].map((v) => [canUse(v, qr({})), canUse(v, dept), canUse(v, mine)]),
      [
        [true, true, true],
        [true, false, false],
        [true, false, false],
      ],
    );
  });

  test('a pending or rejected reply is used by nobody; seen by its author and by managers', () => {
    for (const status of ['pending', 'rejected'] as const) {
      const proposal = qr({ status, createdBy: 'ana' });
      assert.ok([agent, other, supervisor, granted].every((v) => !canUse(v, proposal)));
      assert.deepEqual(
        [agent, other, supervisor, granted, revoked].map((v) => canSeeQuickReply(v, proposal)),
        [true, false, true, true, false],
      );
    }
  });

  test('managers change any; the author their own until it is approved', () => {
    const pending = qr({ status: 'pending', createdBy: 'ana' });
    const approved = qr({ status: 'approved', createdBy: 'ana' });
    assert.deepEqual(
      [agent, other, supervisor, granted, revoked].map((v) => [
        canChange(v, pending),
        canChange(v, approved),
      ]),
      [
        [true, false],
        [false, false],
        [true, true],
        [true, true],
        [false, false],
      ],
    );
  });

  test('without the permission one proposes for everyone, one of their departments or themselves', () => {
    assert.ok(canProposeFor(agent, { type: 'all' }));
    assert.ok(canProposeFor(agent, { type: 'department', departmentId: 'fin' }));
    assert.ok(!canProposeFor(agent, { type: 'department', departmentId: 'vendas' }));
    assert.ok(canProposeFor(agent, { type: 'user', userId: 'ana' }));
    assert.ok(!canProposeFor(agent, { type: 'user', userId: 'bia' }));
    assert.ok(canProposeFor(supervisor, { type: 'user', userId: 'bia' }));
  });

  test('the search: shortcut prefix first, then title, then text; accents and case ignored', () => {
    const items = [
      qr({ shortcut: 'boleto', title: 'Segunda via', text: 'Segue o boleto.' }),
      qr({ shortcut: 'oi', title: 'Saudação', text: 'Olá, tudo bem?' }),
      qr({ shortcut: 'horario', title: 'Horário', text: 'Das 8h às 18h; boletos até 17h.' }),
      qr({ shortcut: 'bom-dia', title: 'Bom dia', text: 'Bom dia!' }),
    ];
    const order = (q: string) => searchQuickReplies(items, q).map((i) => i.shortcut);
    assert.deepEqual(order(''), ['boleto', 'bom-dia', 'horario', 'oi']);
    assert.deepEqual(order('/bo'), ['boleto', 'bom-dia', 'horario']);
    assert.deepEqual(order('SAUDACAO'), ['oi']);
    assert.deepEqual(order('tudo'), ['oi']);
    assert.deepEqual(order('xyz'), []);
  });

  test('a shortcut is stored without its slashes, in lower case', () => {
    assert.equal(normalizeShortcut(' //Boas-Vindas '), 'boas-vindas');
  });
});
