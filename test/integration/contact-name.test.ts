/**
 * An agent's name for a contact (reference 003's name edit): PATCH
 * /api/conversations/{id}/contact-name shows it in the list and search, and the customer's
 * WhatsApp profile name, which comes with every message, no longer overwrites it — it is
 * kept apart (profileName).
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { touchConversation } from '#shared/store/conversations.ts';
import type { Conversation } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

let kit: ApiKit;
let tenant: SeededTenant;
let token: string;

beforeAll(async () => {
  kit = await createApiKit();
  tenant = await seedTenant(kit);
  token = (await loginAs(kit, tenant)).accessToken;
});

/** The customer writes again, their profile still saying `profile`. */
const customerWrites = (conv: Conversation, profile: string) => {
  kit.clock.now += 1000;
  return touchConversation(kit.deps.ddb, kit.deps.tableName, conv, {
    messageId: kit.ids(),
    at: kit.clock.now,
    preview: { text: 'oi', type: 'text', direction: 'in' },
    fromCustomer: { sentAt: kit.clock.now, windowExpiresAt: kit.clock.now + 24 * 3600_000, name: profile },
  });
};

describe('the contact name an agent edits', () => {
  test('without an edit, the profile name is shown and follows the profile', async () => {
    const conv = await putConversation(kit, tenant, { contactName: 'Zé 🚀' });
    const touched = await customerWrites(conv, 'Zé da Silva 🚀');
    assert.equal(touched?.contactName, 'Zé da Silva 🚀');
    assert.equal(touched?.profileName, 'Zé da Silva 🚀');
  });

  test('an edited name stays when the customer writes again; the profile name is kept apart; search finds the edit', async () => {
    const conv = await putConversation(kit, tenant, {
      contactName: '✨ Lu ✨',
      contactPhone: '5521911112222',
    });
    const res = await kit.call('PATCH', `/api/conversations/${conv.id}/contact-name`, {
      token,
      body: { name: '  Luciana Prado  ' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.contactName, 'Luciana Prado');

    const touched = await customerWrites(conv, '✨ Lu ✨');
    assert.equal(touched?.contactName, 'Luciana Prado');
    assert.equal(touched?.profileName, '✨ Lu ✨');
    const after = await kit.call('GET', `/api/conversations/${conv.id}`, { token });
    assert.equal(after.body.contactName, 'Luciana Prado');

    const found = await kit.call('GET', '/api/conversations', {
      token,
      query: { q: 'luciana', view: 'all' },
    });
    assert.deepEqual(
      (found.body.items as Conversation[]).map((c) => c.id),
      [conv.id],
    );
  });

  test('an empty name is refused in Portuguese; an unknown conversation is a 404', async () => {
    const conv = await putConversation(kit, tenant);
    const empty = await kit.call('PATCH', `/api/conversations/${conv.id}/contact-name`, {
      token,
      body: { name: '   ' },
    });
    assert.equal(empty.status, 400);
    assert.match(JSON.stringify(empty.body), /Informe o nome/);
    const missing = await kit.call('PATCH', '/api/conversations/01NOPE/contact-name', {
      token,
      body: { name: 'Ana' },
    });
    assert.equal(missing.status, 404);
  });
});
