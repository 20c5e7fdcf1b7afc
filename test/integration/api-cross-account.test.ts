/**
 * Tenant isolation: a user of account A calls every route of the route table with
 * account B's ids, cursors and tokens, and neither reads nor changes anything of B.
 * A new route without a case here fails the first test, on purpose.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { routes } from '#shared/api/routes.ts';
import { putAppointment } from '#shared/store/ai.ts';
import { putTemplate } from '#shared/store/templates.ts';
import { rememberCampaign } from '#shared/store/inbox.ts';
import { acc, keys } from '#shared/store/keys.ts';
import type { Conversation, Message } from '#shared/store/types.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  putMessage,
  seedTenant,
  putDeadLetter,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

type Res = Awaited<ReturnType<ApiKit['call']>>;

describe('cross-account isolation', () => {
  let kit: ApiKit;
  let a: SeededTenant;
  let b: SeededTenant;
  let aToken: string;
  let bTokens: { accessToken: string; refreshToken: string };
  let aConv: Conversation;
  let bConv: Conversation;
  let bMsg: Message;
  let bCursor: string;
  let bDepartmentId: string;
  let bAssistantId: string;
  let bKbId: string;
  let bQuickReplyId: string;
  /** B's approved template, on the WABA id A's number has too (seedTenant's). */
  const bTemplateId = '777000111';
  /** B's records in the dead-letter queues (an outbound job, an inbound message). */
  let bDeadLetters: { queue: 'inbound' | 'outbound'; id: string }[];

  /** Every item of B: its account partition and its conversations' message partitions. */
  async function snapshotB() {
    const partitions = [
      acc(b.accountId),
      keys.messagePartition(b.accountId, bConv.id),
      keys.connectionsPartition(b.accountId),
      `${acc(b.accountId)}#PUSH`,
      keys.appointmentsPartition(b.accountId),
      keys.quickRepliesPartition(b.accountId),
      keys.templatesPartition(b.accountId),
    ];
    const all = [];
    for (const pk of partitions) {
      const res = await kit.deps.ddb.send(
        new QueryCommand({
          TableName: kit.deps.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      all.push(...(res.Items ?? []));
    }
    return all;
  }

  beforeAll(async () => {
    kit = await createApiKit();
    a = await seedTenant(kit, { name: 'Loja A', role: 'admin' });
    b = await seedTenant(kit, { name: 'Loja B', role: 'admin' });
    aToken = (await loginAs(kit, a)).accessToken;
    bTokens = await loginAs(kit, b);
    aConv = await putConversation(kit, a, { contactName: 'Cliente de A' });
    bConv = await putConversation(kit, b, { contactName: 'Cliente de B', unread: 2 });
    await putConversation(kit, b, { contactName: 'Outro cliente de B' });
    bMsg = await putMessage(kit, bConv, { text: 'segredo de B' });
    await putMessage(kit, aConv, { text: 'mensagem de A' });
    await putTemplate(kit.deps.ddb, kit.deps.tableName, {
      id: bTemplateId,
      accountId: b.accountId,
      wabaId: b.number.wabaId,
      name: 'segredo_de_b',
      language: 'pt_BR',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'segredo de B' }],
      updatedAt: 0,
    });
    const bList = await kit.call('GET', '/api/conversations?limit=1', { token: bTokens.accessToken });
    bCursor = bList.body.nextCursor;
    const dept = await kit.call('POST', '/api/departments', {
      token: bTokens.accessToken,
      body: { name: 'Setor de B' },
    });
    bDepartmentId = dept.body.id;
    bKbId = (
      await kit.call('POST', '/api/knowledge-bases', {
        token: bTokens.accessToken,
        body: { name: 'Base de B' },
      })
    ).body.id;
    bAssistantId = (
      await kit.call('POST', '/api/assistants', {
        token: bTokens.accessToken,
        body: { name: 'IA de B', knowledgeBaseIds: [bKbId] },
      })
    ).body.id;
    await kit.call('PATCH', '/api/ai/settings', { token: bTokens.accessToken, body: { apiKey: 'sk-de-b' } });
    bQuickReplyId = (
      await kit.call('POST', '/api/quick-replies', {
        token: bTokens.accessToken,
        body: { shortcut: 'b', title: 'Resposta de B', text: 'segredo de B', scope: { type: 'all' } },
      })
    ).body.id;
    await rememberCampaign(kit.deps, b.accountId, { sourceId: 'AD-B', headline: 'Campanha de B' });
    bDeadLetters = [
      {
        queue: 'outbound',
        id: await putDeadLetter(
          kit,
          'outbound',
          { kind: 'send', accountId: b.accountId, conversationId: bConv.id, messageId: 'm-b' },
          bConv.id,
        ),
      },
      {
        queue: 'inbound',
        id: await putDeadLetter(
          kit,
          'inbound',
          {
            kind: 'message',
            phoneNumberId: b.number.phoneNumberId,
            contact: { waId: '5511988887777' },
            message: { from: '5511988887777', id: 'wamid.b', type: 'text', text: { body: 'segredo de B' } },
            receivedAt: kit.clock.now,
          },
          `${b.number.phoneNumberId}:5511988887777`,
        ),
      },
    ];
    await putAppointment(kit.deps.ddb, kit.deps.tableName, {
      id: 'appt-b',
      accountId: b.accountId,
      conversationId: bConv.id,
      contactName: 'Cliente de B',
      contactPhone: '5511900000000',
      startsAt: kit.clock.now + 3600_000,
      durationMinutes: 30,
      title: 'Visita de B',
      createdBy: 'assistant:x',
      createdAt: kit.clock.now,
    });
    await kit.call('POST', '/api/push/subscriptions', {
      token: bTokens.accessToken,
      body: {
        endpoint: 'https://push.example.com/b-device',
        keys: { p256dh: 'B'.repeat(87), auth: 'b'.repeat(22) },
      },
    });
    assert.ok(bCursor);
  });

  /** How A attacks each route with B's ids, and what A must observe. */
  const cases: Record<string, () => Promise<void>> = {
    login: async () => {
      const res = await kit.call('POST', '/api/auth/login', {
        body: { email: b.user.email, password: a.password },
      });
      assert.equal(res.status, 401);
    },
    refresh: async () => {
      // A presents a refresh token naming B's account and session, but not B's secret.
      const [accountId, sessionId] = bTokens.refreshToken.split('.');
      const res = await kit.call('POST', '/api/auth/refresh', {
        body: { refreshToken: `${accountId}.${sessionId}.${'x'.repeat(43)}` },
      });
      assert.equal(res.status, 401);
    },
    logout: async () => {
      // Even holding B's refresh token, A's logout cannot end B's session.
      const res = await kit.call('POST', '/api/auth/logout', {
        token: aToken,
        body: { refreshToken: bTokens.refreshToken },
      });
      assert.equal(res.status, 204);
    },
    changeOwnPassword: async () => {
      // The route changes only the caller's password (a wrong current one here keeps A's token alive).
      const res = await kit.call('POST', '/api/me/password', {
        token: aToken,
        body: { currentPassword: b.password, newPassword: 'senha-nova-de-a', userId: b.user.id },
      });
      assert.equal(res.status, 400);
    },
    resetPassword: async () => {
      // A token naming B's account without a link's secret sets nothing.
      const res = await kit.call('POST', '/api/auth/reset-password', {
        body: { token: `${b.accountId}.${kit.ids()}.${'x'.repeat(43)}`, password: 'tomada-de-b' },
      });
      assert.equal(res.status, 400);
    },
    deactivateUser: async () => {
      expectNotFoundUser(await kit.call('POST', `/api/users/${b.user.id}/deactivate`, { token: aToken }));
    },
    reactivateUser: async () => {
      expectNotFoundUser(await kit.call('POST', `/api/users/${b.user.id}/reactivate`, { token: aToken }));
    },
    deleteUser: async () => {
      expectNotFoundUser(await kit.call('DELETE', `/api/users/${b.user.id}`, { token: aToken }));
    },
    createPasswordResetLink: async () => {
      expectNotFoundUser(await kit.call('POST', `/api/users/${b.user.id}/reset-link`, { token: aToken }));
    },
    getMe: async () => {
      const res = await kit.call('GET', '/api/me', { token: aToken });
      assert.equal(res.body.accountId, a.accountId);
      assert.equal(res.body.account.name, 'Loja A');
    },
    listConversations: async () => {
      const res = await kit.call('GET', '/api/conversations', { token: aToken });
      const withBCursor = await kit.call('GET', '/api/conversations', {
        token: aToken,
        query: { cursor: bCursor },
      });
      assert.deepEqual(
        res.body.items.map((c: Conversation) => c.accountId),
        [a.accountId],
      );
      // A cursor is only a position in A's own lists: B's cursor reads nothing of B.
      assert.ok(withBCursor.status === 200 || withBCursor.status === 400);
      assert.ok(!JSON.stringify(withBCursor.body).includes('Cliente de B'));
      const search = await kit.call('GET', '/api/conversations', {
        token: aToken,
        query: { q: 'Cliente de B' },
      });
      assert.deepEqual(search.body.items, []);
      const byPhone = await kit.call('GET', '/api/conversations', {
        token: aToken,
        query: { q: bConv.contactPhone },
      });
      assert.ok(byPhone.body.items.every((c: Conversation) => c.accountId === a.accountId));
    },
    listCampaigns: async () => {
      const res = await kit.call('GET', '/api/campaigns', { token: aToken });
      assert.deepEqual(res.body.items, []);
    },
    countConversations: async () => {
      const res = await kit.call('GET', '/api/conversations/counts', { token: aToken });
      assert.deepEqual(res.body, { open: 1, mine: 0, service: 0 });
    },
    markConversationUnread: async () => {
      expectNotFound(await kit.call('POST', `/api/conversations/${bConv.id}/unread`, { token: aToken }));
    },
    markConversationAnswered: async () => {
      expectNotFound(
        await kit.call('POST', `/api/conversations/${bConv.id}/answered`, {
          token: aToken,
          body: { answered: true },
        }),
      );
    },
    assignConversation: async () => {
      expectNotFound(
        await kit.call('POST', `/api/conversations/${bConv.id}/assign`, {
          token: aToken,
          body: { agentId: a.user.id },
        }),
      );
      // B's user or department cannot be put on A's conversation.
      const agent = await kit.call('POST', `/api/conversations/${aConv.id}/assign`, {
        token: aToken,
        body: { agentId: b.user.id },
      });
      assert.equal(agent.status, 400);
      const dept = await kit.call('POST', `/api/conversations/${aConv.id}/assign`, {
        token: aToken,
        body: { departmentId: bDepartmentId },
      });
      assert.equal(dept.status, 400);
    },
    closeConversation: async () => {
      expectNotFound(await kit.call('POST', `/api/conversations/${bConv.id}/close`, { token: aToken }));
    },
    postponeConversation: async () => {
      expectNotFound(
        await kit.call('POST', `/api/conversations/${bConv.id}/postpone`, {
          token: aToken,
          body: { until: kit.clock.now + 3600_000 },
        }),
      );
    },
    reactivateBot: async () => {
      expectNotFound(await kit.call('POST', `/api/conversations/${bConv.id}/bot`, { token: aToken }));
    },
    stopBot: async () => {
      expectNotFound(await kit.call('DELETE', `/api/conversations/${bConv.id}/bot`, { token: aToken }));
    },
    renameConversationContact: async () => {
      expectNotFound(
        await kit.call('PATCH', `/api/conversations/${bConv.id}/contact-name`, {
          token: aToken,
          body: { name: 'Renomeado por A' },
        }),
      );
    },
    searchMessages: async () => {
      expectNotFound(
        await kit.call('GET', `/api/conversations/${bConv.id}/search`, {
          token: aToken,
          query: { q: 'segredo' },
        }),
      );
    },
    listUsers: async () => {
      const res = await kit.call('GET', '/api/users', { token: aToken });
      assert.deepEqual(
        res.body.items.map((u: { accountId: string }) => u.accountId),
        [a.accountId],
      );
    },
    createUser: async () => {
      const res = await kit.call('POST', '/api/users', {
        token: aToken,
        body: {
          name: 'Novo',
          email: `novo-${kit.ids()}@example.com`,
          password: '12345678',
          role: 'agent',
          accountId: b.accountId,
        },
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.accountId, a.accountId);
      const withBDept = await kit.call('POST', '/api/users', {
        token: aToken,
        body: {
          name: 'Outro',
          email: `outro-${kit.ids()}@example.com`,
          password: '12345678',
          role: 'agent',
          departmentIds: [bDepartmentId],
        },
      });
      assert.equal(withBDept.status, 400);
      // Listing again keeps A's list A's.
      await kit.call('GET', '/api/users', { token: aToken });
    },
    updateUser: async () => {
      const res = await kit.call('PATCH', `/api/users/${b.user.id}`, {
        token: aToken,
        body: { name: 'Invasor' },
      });
      assert.equal(res.status, 404);
    },
    renameDepartment: async () => {
      const res = await kit.call('PATCH', `/api/departments/${bDepartmentId}`, {
        token: aToken,
        body: { name: 'X' },
      });
      assert.equal(res.status, 404);
    },
    getConversation: async () => {
      expectNotFound(await kit.call('GET', `/api/conversations/${bConv.id}`, { token: aToken }));
    },
    listMessages: async () => {
      expectNotFound(await kit.call('GET', `/api/conversations/${bConv.id}/messages`, { token: aToken }));
      // B's message id as a resync point on A's own conversation yields only A's messages.
      const own = await kit.call('GET', `/api/conversations/${aConv.id}/messages`, {
        token: aToken,
        query: { after: '0' },
      });
      assert.ok(!JSON.stringify(own.body).includes('segredo de B'));
    },
    sendMessage: async () => {
      expectNotFound(
        await kit.call('POST', `/api/conversations/${bConv.id}/messages`, {
          token: aToken,
          body: { text: 'invasão' },
        }),
      );
      // Quoting B's message from A's conversation: not found either.
      expectNotFound(
        await kit.call('POST', `/api/conversations/${aConv.id}/messages`, {
          token: aToken,
          body: { text: 'citação', replyToMessageId: bMsg.id },
        }),
      );
    },
    markConversationRead: async () => {
      expectNotFound(await kit.call('POST', `/api/conversations/${bConv.id}/read`, { token: aToken }));
    },
    createUpload: async () => {
      const res = await kit.call('POST', '/api/uploads', {
        token: aToken,
        body: { filename: 'a.jpg', mimeType: 'image/jpeg', size: 100 },
      });
      assert.equal(res.status, 201);
      assert.ok(new URL(res.body.uploadUrl).pathname.includes(`/acc/${a.accountId}/uploads/`));
    },
    listNumbers: async () => {
      const res = await kit.call('GET', '/api/numbers', { token: aToken });
      assert.ok(res.body.items.every((n: { accountId: string }) => n.accountId === a.accountId));
    },
    createNumber: async () => {
      // A's new number belongs to A, whatever A sends.
      const res = await kit.call('POST', '/api/numbers', {
        token: aToken,
        body: {
          name: 'Novo',
          phoneNumberId: String(Date.now()),
          wabaId: '123456789',
          displayPhone: '5511999998888',
          accountId: b.accountId,
        },
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.accountId, a.accountId);
    },
    getNumber: async () => {
      const res = await kit.call('GET', `/api/numbers/${b.number.id}`, { token: aToken });
      assert.equal(res.status, 404);
    },
    updateNumber: async () => {
      const res = await kit.call('PATCH', `/api/numbers/${b.number.id}`, {
        token: aToken,
        body: { color: '#000000' },
      });
      assert.equal(res.status, 404);
    },
    listDepartments: async () => {
      const res = await kit.call('GET', '/api/departments', { token: aToken });
      assert.ok(res.body.items.every((d: { accountId: string }) => d.accountId === a.accountId));
    },
    createDepartment: async () => {
      const res = await kit.call('POST', '/api/departments', { token: aToken, body: { name: 'Setor de A' } });
      assert.equal(res.status, 201);
      assert.equal(res.body.accountId, a.accountId);
    },
    listAssistants: async () => {
      const res = await kit.call('GET', '/api/assistants', { token: aToken });
      assert.deepEqual(res.body.items, []);
    },
    getSettings: async () => {
      const res = await kit.call('GET', '/api/settings', { token: aToken });
      assert.equal(res.body.name, 'Loja A');
    },
    updateSettings: async () => {
      const res = await kit.call('PATCH', '/api/settings', { token: aToken, body: { inactivityHours: 3 } });
      assert.equal(res.status, 200);
    },
    createAssistant: async () => {
      const res = await kit.call('POST', '/api/assistants', {
        token: aToken,
        body: { name: 'IA de A', knowledgeBaseIds: [bKbId] },
      });
      assert.equal(res.status, 400);
      const ok = await kit.call('POST', '/api/assistants', { token: aToken, body: { name: 'IA de A' } });
      assert.equal(ok.body.accountId, a.accountId);
    },
    updateAssistant: async () => {
      const res = await kit.call('PATCH', `/api/assistants/${bAssistantId}`, {
        token: aToken,
        body: { name: 'X' },
      });
      assert.equal(res.status, 404);
    },
    deleteAssistant: async () => {
      assert.equal(
        (await kit.call('DELETE', `/api/assistants/${bAssistantId}`, { token: aToken })).status,
        404,
      );
    },
    startAssistantTest: async () => {
      assert.equal(
        (await kit.call('POST', `/api/assistants/${bAssistantId}/test`, { token: aToken })).status,
        404,
      );
    },
    sendAssistantTestMessage: async () => {
      const res = await kit.call('POST', `/api/assistants/${bAssistantId}/test/${bConv.id}/messages`, {
        token: aToken,
        body: { text: 'oi' },
      });
      assert.equal(res.status, 404);
      assert.deepEqual(await kit.receiveAssistant(), []);
    },
    startApiConversation: async () => {
      const res = await kit.call('POST', `/api/assistants/${bAssistantId}/conversations`, {
        token: aToken,
        body: {},
      });
      assert.equal(res.status, 404);
    },
    sendApiConversationMessage: async () => {
      const res = await kit.call(
        'POST',
        `/api/assistants/${bAssistantId}/conversations/${bConv.id}/messages`,
        {
          token: aToken,
          body: { text: 'oi' },
        },
      );
      assert.equal(res.status, 404);
      assert.deepEqual(await kit.receiveAssistant(), []);
    },
    getAiSettings: async () => {
      const res = await kit.call('GET', '/api/ai/settings', { token: aToken });
      assert.equal(res.body.mode, 'offline');
      assert.ok(!JSON.stringify(res.body).includes('sk-de-b'));
    },
    updateAiSettings: async () => {
      const res = await kit.call('PATCH', '/api/ai/settings', {
        token: aToken,
        body: { embeddingModel: 'm' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.hasApiKey, false);
    },
    listAiConversations: async () => {
      const res = await kit.call('GET', '/api/ai/conversations', { token: aToken });
      assert.deepEqual(res.body.items, []);
    },
    listKnowledgeBases: async () => {
      const res = await kit.call('GET', '/api/knowledge-bases', { token: aToken });
      assert.ok(res.body.items.every((k: { accountId: string }) => k.accountId === a.accountId));
    },
    createKnowledgeBase: async () => {
      const res = await kit.call('POST', '/api/knowledge-bases', {
        token: aToken,
        body: { name: 'Base de A' },
      });
      assert.equal(res.body.accountId, a.accountId);
    },
    renameKnowledgeBase: async () => {
      const res = await kit.call('PATCH', `/api/knowledge-bases/${bKbId}`, {
        token: aToken,
        body: { name: 'X' },
      });
      assert.equal(res.status, 404);
    },
    deleteKnowledgeBase: async () => {
      assert.equal(
        (await kit.call('DELETE', `/api/knowledge-bases/${bKbId}`, { token: aToken })).status,
        404,
      );
    },
    listKnowledgeDocuments: async () => {
      assert.equal(
        (await kit.call('GET', `/api/knowledge-bases/${bKbId}/documents`, { token: aToken })).status,
        404,
      );
    },
    addKnowledgeDocument: async () => {
      const res = await kit.call('POST', `/api/knowledge-bases/${bKbId}/documents`, {
        token: aToken,
        body: { uploadId: '01JD3Z8Q7W5V4T3S2R1P0N9M8K', filename: 'a.txt', mimeType: 'text/plain' },
      });
      assert.equal(res.status, 404);
      assert.deepEqual(await kit.receiveAssistant(), []);
    },
    deleteKnowledgeDocument: async () => {
      const res = await kit.call(
        'DELETE',
        `/api/knowledge-bases/${bKbId}/documents/01JD3Z8Q7W5V4T3S2R1P0N9M8K`,
        {
          token: aToken,
        },
      );
      assert.equal(res.status, 404);
    },
    searchKnowledgeBase: async () => {
      const res = await kit.call('GET', `/api/knowledge-bases/${bKbId}/search`, {
        token: aToken,
        query: { q: 'x' },
      });
      assert.equal(res.status, 404);
    },
    listAppointments: async () => {
      const res = await kit.call('GET', '/api/appointments', { token: aToken, query: { from: '0' } });
      assert.deepEqual(res.body.items, []);
    },
    getPushKey: async () => {
      const res = await kit.call('GET', '/api/push/key', { token: aToken });
      assert.equal(res.status, 200);
    },
    subscribePush: async () => {
      const res = await kit.call('POST', '/api/push/subscriptions', {
        token: aToken,
        body: {
          endpoint: 'https://push.example.com/a-device',
          keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) },
          accountId: b.accountId,
        },
      });
      assert.equal(res.status, 204);
    },
    unsubscribePush: async () => {
      const res = await kit.call('DELETE', '/api/push/subscriptions', {
        token: aToken,
        body: { endpoint: 'https://push.example.com/b-device' },
      });
      assert.equal(res.status, 204);
    },
    listDeadLetters: async () => {
      const res = await kit.call('GET', '/api/dead-letters', { token: aToken });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items, []);
      assert.ok(!JSON.stringify(res.body).includes('7777'));
      // B's admin sees both of B's.
      const own = await kit.call('GET', '/api/dead-letters', { token: bTokens.accessToken });
      assert.deepEqual(
        own.body.items.map((i: { id: string }) => i.id).sort(),
        bDeadLetters.map((d) => d.id).sort(),
      );
    },
    redriveDeadLetter: async () => {
      for (const d of bDeadLetters)
        expectNotFound(
          await kit.call('POST', `/api/dead-letters/${d.queue}/${d.id}/redrive`, { token: aToken }),
        );
      const own = await kit.call('GET', '/api/dead-letters', { token: bTokens.accessToken });
      assert.equal(own.body.items.length, bDeadLetters.length, 'still in the DLQ');
    },
    discardDeadLetter: async () => {
      for (const d of bDeadLetters)
        expectNotFound(await kit.call('DELETE', `/api/dead-letters/${d.queue}/${d.id}`, { token: aToken }));
      const own = await kit.call('GET', '/api/dead-letters', { token: bTokens.accessToken });
      assert.equal(own.body.items.length, bDeadLetters.length, 'still in the DLQ');
    },
    listQuickReplies: async () => {
      const res = await kit.call('GET', '/api/quick-replies', { token: aToken });
      assert.deepEqual(res.body.items, []);
      const search = await kit.call('GET', '/api/quick-replies', {
        token: aToken,
        query: { q: 'segredo', usable: 'true' },
      });
      assert.deepEqual(search.body.items, []);
    },
    createQuickReply: async () => {
      // B's department as the scope of A's reply: refused; A's own is A's.
      const dept = await kit.call('POST', '/api/quick-replies', {
        token: aToken,
        body: {
          shortcut: 'a',
          title: 'A',
          text: 'a',
          scope: { type: 'department', departmentId: bDepartmentId },
        },
      });
      assert.equal(dept.status, 400);
      const res = await kit.call('POST', '/api/quick-replies', {
        token: aToken,
        body: { shortcut: 'a', title: 'A', text: 'a', scope: { type: 'all' }, accountId: b.accountId },
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.accountId, a.accountId);
    },
    updateQuickReply: async () => {
      const res = await kit.call('PATCH', `/api/quick-replies/${bQuickReplyId}`, {
        token: aToken,
        body: { text: 'invasão' },
      });
      assert.equal(res.status, 404);
    },
    deleteQuickReply: async () => {
      assert.equal(
        (await kit.call('DELETE', `/api/quick-replies/${bQuickReplyId}`, { token: aToken })).status,
        404,
      );
    },
    approveQuickReply: async () => {
      assert.equal(
        (await kit.call('POST', `/api/quick-replies/${bQuickReplyId}/approve`, { token: aToken })).status,
        404,
      );
    },
    rejectQuickReply: async () => {
      const res = await kit.call('POST', `/api/quick-replies/${bQuickReplyId}/reject`, {
        token: aToken,
        body: { reason: 'x' },
      });
      assert.equal(res.status, 404);
    },
    listTemplates: async () => {
      const res = await kit.call('GET', '/api/templates', { token: aToken });
      assert.deepEqual(res.body.items, []);
      expectNotFound(
        await kit.call('GET', '/api/templates', { token: aToken, query: { numberId: b.number.id } }),
      );
    },
    createTemplate: async () => {
      expectNotFound(
        await kit.call('POST', '/api/templates', {
          token: aToken,
          body: {
            numberId: b.number.id,
            name: 'invasao',
            language: 'pt_BR',
            category: 'UTILITY',
            components: [{ type: 'BODY', text: 'oi' }],
          },
        }),
      );
    },
    syncTemplates: async () => {
      expectNotFound(
        await kit.call('POST', '/api/templates/sync', { token: aToken, body: { numberId: b.number.id } }),
      );
    },
    sendTemplate: async () => {
      expectNotFound(
        await kit.call('POST', `/api/conversations/${bConv.id}/template`, {
          token: aToken,
          body: { templateId: bTemplateId },
        }),
      );
      // B's template (same WABA id as A's number) from A's own conversation: not found.
      expectNotFound(
        await kit.call('POST', `/api/conversations/${aConv.id}/template`, {
          token: aToken,
          body: { templateId: bTemplateId },
        }),
      );
    },
    startConversation: async () => {
      const body = { phone: '11988887777', templateId: bTemplateId, openAttendance: true };
      expectNotFound(
        await kit.call('POST', '/api/conversations/start', {
          token: aToken,
          body: { ...body, numberId: b.number.id },
        }),
      );
      expectNotFound(
        await kit.call('POST', '/api/conversations/start', {
          token: aToken,
          body: { ...body, numberId: a.number.id },
        }),
      );
    },
    getOpenApi: async () => {
      const res = await kit.call('GET', '/api/openapi.json', { token: aToken });
      assert.equal(res.status, 200);
    },
  };

  function expectNotFoundUser(res: Res) {
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.ok(!JSON.stringify(res.body).includes(b.user.email));
  }

  function expectNotFound(res: Res) {
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.ok(!JSON.stringify(res.body).includes('Cliente de B'));
  }

  test('every route of the table has an isolation case', () => {
    assert.deepEqual(routes.map((r) => r.operationId).sort(), Object.keys(cases).sort());
  });

  for (const r of routes) {
    test(`${r.method} ${r.path}: A reads and changes nothing of B`, async () => {
      const before = await snapshotB();
      await kit.receiveOutbound();

      await cases[r.operationId]!();

      assert.deepEqual(await snapshotB(), before);
      const queued = (await kit.receiveOutbound()) as { accountId: string }[];
      assert.ok(queued.every((q) => q.accountId === a.accountId));
    });
  }

  test("B's session still works after all of A's attempts", async () => {
    const res = await kit.call('POST', '/api/auth/refresh', { body: { refreshToken: bTokens.refreshToken } });

    assert.equal(res.status, 200);
    assert.equal(res.body.user.accountId, b.accountId);
  });
});
