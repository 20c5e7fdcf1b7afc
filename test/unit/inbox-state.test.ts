/**
 * The inbox's folding of server copies (web/src/inbox-state.ts): a newer copy is whole, so
 * an agent or department it no longer has goes at once; an older snapshot keeps the last
 * message we have but brings its assignment news.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { newerConversation, upsertConversations } from '../../web/src/inbox-state.ts';
import type { Conversation } from '../../web/src/api-types.ts';

const T0 = Date.parse('2026-12-03T12:00:00Z');
const conv = (over: Partial<Conversation> = {}): Conversation =>
  ({
    id: 'c1',
    accountId: 'a1',
    numberId: 'n1',
    contactId: 'k1',
    contactName: 'Paula',
    contactPhone: '5521987660051',
    numberName: 'Demo',
    numberColor: '#000',
    status: 'open',
    lastMessageAt: T0,
    lastMessage: { text: 'Oi', type: 'text', direction: 'in', at: T0 },
    unread: 0,
    createdAt: T0,
    ...over,
  }) as Conversation;

describe('the inbox folds server copies', () => {
  test('forwarded to a department: the old agent is dropped at once (list and header)', () => {
    const held = conv({ agentId: 'u-ana' });
    const forwarded = conv({ departmentId: 'd-vendas' });
    const shown = newerConversation(held, forwarded);
    assert.equal(shown.agentId, undefined);
    assert.equal(shown.departmentId, 'd-vendas');
    const [row] = upsertConversations([held], [forwarded]);
    assert.equal(row!.agentId, undefined);
  });

  test('closed: the department tag goes', () => {
    const shown = newerConversation(conv({ departmentId: 'd-vendas' }), conv({ status: 'closed' }));
    assert.equal(shown.departmentId, undefined);
    assert.equal(shown.status, 'closed');
  });

  test('an older snapshot keeps the newer last message but brings the assignment news', () => {
    const newer = conv({
      agentId: 'u-ana',
      lastMessageAt: T0 + 60_000,
      lastMessage: { text: 'Já vejo', type: 'text', direction: 'out', at: T0 + 60_000, by: 'u-ana' },
      windowExpiresAt: T0 + 86_400_000,
    });
    const shown = newerConversation(newer, conv({ departmentId: 'd-vendas' }));
    assert.equal(shown.lastMessageAt, T0 + 60_000);
    assert.equal(shown.lastMessage?.text, 'Já vejo');
    assert.equal(shown.windowExpiresAt, T0 + 86_400_000);
    assert.equal(shown.agentId, undefined);
    assert.equal(shown.departmentId, 'd-vendas');
  });
});
