/**
 * Quick replies (MSG-7) through the API: scope filtering, proposals and their approval by
 * the permission, a second account's attack; and the variables (MSG-2) an agent's message
 * is rendered with before it is stored and queued.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { getQuickReply } from '#shared/store/quick-replies.ts';
import { getMessage } from '#shared/store/messages.ts';
import {
  createApiKit,
  loginAs,
  putConversation,
  putMessage,
  seedTenant,
  type ApiKit,
  type SeededTenant,
} from './api-test-kit.ts';

interface QR {
  id: string;
  shortcut: string;
  status: string;
  text: string;
  rejectionReason?: string;
  attachment?: { uploadId: string; mimeType: string; filename: string };
}

describe('quick replies (respostas prontas)', () => {
  let kit: ApiKit;
  let a: SeededTenant;
  let b: SeededTenant;
  let admin: string;
  let bAdmin: string;
  let fin: string;
  let vendas: string;
  let supervisor: string;
  let grantedAgent: string;
  let revokedSupervisor: string;
  let finId: string;
  let vendasId: string;
  let finUserId: string;
  let bDeptId: string;

  async function addUser(body: Record<string, unknown>): Promise<{ token: string; id: string }> {
    const email = `u-${kit.ids().toLowerCase()}@example.com`;
    const res = await kit.call('POST', '/api/users', {
      token: admin,
      body: { name: 'Usuária', email, password: 'senha-12345', role: 'agent', ...body },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const login = await kit.call('POST', '/api/auth/login', { body: { email, password: 'senha-12345' } });
    return { token: login.body.accessToken, id: res.body.id };
  }

  const list = async (token: string, query: Record<string, string> = {}) => {
    const res = await kit.call('GET', '/api/quick-replies', { token, query });
    assert.equal(res.status, 200);
    return res.body.items as QR[];
  };
  const shortcuts = (items: QR[]) => items.map((q) => q.shortcut).sort();
  const create = (token: string, body: Record<string, unknown>) =>
    kit.call('POST', '/api/quick-replies', { token, body });

  beforeAll(async () => {
    kit = await createApiKit();
    a = await seedTenant(kit, { name: 'Loja A', role: 'admin' });
    b = await seedTenant(kit, { name: 'Loja B', role: 'admin' });
    admin = (await loginAs(kit, a)).accessToken;
    bAdmin = (await loginAs(kit, b)).accessToken;
    finId = (await kit.call('POST', '/api/departments', { token: admin, body: { name: 'Financeiro' } })).body
      .id;
    vendasId = (await kit.call('POST', '/api/departments', { token: admin, body: { name: 'Vendas' } })).body
      .id;
    bDeptId = (await kit.call('POST', '/api/departments', { token: bAdmin, body: { name: 'Setor B' } })).body
      .id;
    const f = await addUser({ name: 'Fernanda Financeiro', departmentIds: [finId] });
    fin = f.token;
    finUserId = f.id;
    vendas = (await addUser({ name: 'Vitor Vendas', departmentIds: [vendasId] })).token;
    supervisor = (await addUser({ role: 'supervisor' })).token;
    grantedAgent = (await addUser({ permissions: ['approveQuickReplies'] })).token;
    revokedSupervisor = (await addUser({ role: 'supervisor', permissions: ['seeAllChats'] })).token;
  });

  test('a manager creates approved replies; each user is offered those of their scope', async () => {
    for (const body of [
      { shortcut: '/oi', title: 'Saudação', text: 'Olá, {primeiro_nome}!', scope: { type: 'all' } },
      {
        shortcut: 'boleto',
        title: 'Segunda via',
        text: 'Segue o boleto.',
        scope: { type: 'department', departmentId: finId },
      },
      {
        shortcut: 'ASSINATURA',
        title: 'Minha assinatura',
        text: 'Fernanda',
        scope: { type: 'user', userId: finUserId },
      },
    ]) {
      const res = await create(admin, body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'approved');
    }
    assert.deepEqual(shortcuts(await list(fin, { usable: 'true' })), ['assinatura', 'boleto', 'oi']);
    assert.deepEqual(shortcuts(await list(vendas, { usable: 'true' })), ['oi']);
    // The admin manages them all, but the composer offers only what is in their own scope.
    assert.deepEqual(shortcuts(await list(admin)), ['assinatura', 'boleto', 'oi']);
    assert.deepEqual(shortcuts(await list(admin, { usable: 'true' })), ['oi']);
    // Search: shortcut prefix, then title or text, accents ignored.
    assert.deepEqual(shortcuts(await list(fin, { usable: 'true', q: 'bo' })), ['boleto']);
    assert.deepEqual(shortcuts(await list(fin, { usable: 'true', q: 'saudacao' })), ['oi']);
  });

  test('an agent proposes from a sent message: pending, unseen by others, approved by the permission', async () => {
    const conv = await putConversation(kit, a, { departmentId: finId });
    const sent = await putMessage(kit, conv, {
      direction: 'out',
      text: 'Vou verificar e já retorno.',
      status: 'sent',
    });
    const proposal = await create(fin, {
      shortcut: 'verificar',
      title: 'Verificando',
      text: sent.text,
      scope: { type: 'all' },
      sourceMessageId: sent.id,
    });
    assert.equal(proposal.status, 201);
    assert.equal(proposal.body.status, 'pending');
    assert.equal(proposal.body.sourceMessageId, sent.id);
    const id = proposal.body.id as string;

    // Not offered to anyone yet, the author included; listed for the author and managers only.
    assert.ok(!shortcuts(await list(fin, { usable: 'true' })).includes('verificar'));
    assert.ok(!shortcuts(await list(vendas, { usable: 'true' })).includes('verificar'));
    assert.ok(!shortcuts(await list(vendas)).includes('verificar'));
    assert.ok(shortcuts(await list(fin)).includes('verificar'));
    assert.ok(shortcuts(await list(supervisor)).includes('verificar'));

    // Without the permission: the author gets 403, another agent does not even see it.
    assert.equal((await kit.call('POST', `/api/quick-replies/${id}/approve`, { token: fin })).status, 403);
    assert.equal((await kit.call('POST', `/api/quick-replies/${id}/approve`, { token: vendas })).status, 404);
    // A supervisor whose explicit permissions leave it out neither sees nor approves it.
    assert.equal(
      (await kit.call('POST', `/api/quick-replies/${id}/approve`, { token: revokedSupervisor })).status,
      404,
    );
    assert.equal((await getQuickReply(kit.deps, a.accountId, id))?.status, 'pending');

    // The supervisor's role has the permission by default.
    const approved = await kit.call('POST', `/api/quick-replies/${id}/approve`, { token: supervisor });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'approved');
    assert.ok(shortcuts(await list(vendas, { usable: 'true' })).includes('verificar'));
    // Once approved, the author may no longer change or delete it; a second review is a conflict.
    assert.equal(
      (await kit.call('PATCH', `/api/quick-replies/${id}`, { token: fin, body: { text: 'outro' } })).status,
      403,
    );
    assert.equal((await kit.call('DELETE', `/api/quick-replies/${id}`, { token: fin })).status, 403);
    assert.equal(
      (await kit.call('POST', `/api/quick-replies/${id}/reject`, { token: supervisor, body: {} })).status,
      409,
    );
  });

  test('a rejected proposal shows the reason; the author edits it and it is pending again', async () => {
    const { body } = await create(vendas, {
      shortcut: 'desconto',
      title: 'Desconto',
      text: 'Dou 50% de desconto!',
      scope: { type: 'department', departmentId: vendasId },
    });
    const rejected = await kit.call('POST', `/api/quick-replies/${body.id}/reject`, {
      token: grantedAgent,
      body: { reason: 'Desconto máximo é 10%.' },
    });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.status, 'rejected');
    assert.equal(rejected.body.rejectionReason, 'Desconto máximo é 10%.');
    const edited = await kit.call('PATCH', `/api/quick-replies/${body.id}`, {
      token: vendas,
      body: { text: 'Dou 10% de desconto.' },
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.status, 'pending');
    assert.equal(edited.body.rejectionReason, undefined);
    // The author may delete their own proposal.
    assert.equal((await kit.call('DELETE', `/api/quick-replies/${body.id}`, { token: vendas })).status, 204);
    assert.equal(await getQuickReply(kit.deps, a.accountId, body.id), undefined);
  });

  test('an agent proposes only for everyone, their departments or themselves', async () => {
    const other = { shortcut: 'x', title: 'X', text: 'x' };
    assert.equal(
      (await create(vendas, { ...other, scope: { type: 'department', departmentId: finId } })).status,
      403,
    );
    assert.equal(
      (await create(vendas, { ...other, scope: { type: 'user', userId: finUserId } })).status,
      403,
    );
    assert.equal(
      (await create(vendas, { ...other, shortcut: 'com espaço', scope: { type: 'all' } })).status,
      400,
    );
    // A manager may target anyone of the account.
    const mine = await create(supervisor, { ...other, scope: { type: 'user', userId: finUserId } });
    assert.equal(mine.status, 201);
    assert.equal(mine.body.status, 'approved');
  });

  test('an attachment is kept with the reply, its text then a caption (1,024 characters); null removes it', async () => {
    const attachment = {
      uploadId: '01JD3Z8Q7W5V4T3S2R1P0N9M8K',
      mimeType: 'application/pdf',
      filename: 'tabela.pdf',
    };
    const long = await create(admin, {
      shortcut: 'tabela',
      title: 'Tabela de preços',
      text: 'x'.repeat(1025),
      attachment,
      scope: { type: 'all' },
    });
    assert.equal(long.status, 400);
    const res = await create(admin, {
      shortcut: 'tabela',
      title: 'Tabela de preços',
      text: 'Segue a tabela, {primeiro_nome}.',
      attachment,
      scope: { type: 'all' },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.attachment, attachment);
    assert.deepEqual((await list(vendas, { usable: 'true', q: 'tabela' }))[0]?.attachment, attachment);
    const removed = await kit.call('PATCH', `/api/quick-replies/${res.body.id}`, {
      token: admin,
      body: { attachment: null },
    });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.attachment, undefined);
    assert.equal(removed.body.text, 'Segue a tabela, {primeiro_nome}.');
  });

  test('another account can neither list, change, delete nor review a quick reply, nor target its scope', async () => {
    const bReply = await create(bAdmin, {
      shortcut: 'segredo',
      title: 'Segredo de B',
      text: 'texto de B',
      scope: { type: 'all' },
    });
    const bProposal = await create(bAdmin, {
      shortcut: 'b2',
      title: 'B2',
      text: 'b2',
      scope: { type: 'all' },
    });
    const before = await getQuickReply(kit.deps, b.accountId, bReply.body.id);
    for (const token of [admin, fin]) {
      assert.ok(!JSON.stringify(await list(token)).includes('Segredo de B'));
      assert.ok(!JSON.stringify(await list(token, { q: 'segredo', usable: 'true' })).includes('texto de B'));
    }
    for (const id of [bReply.body.id, bProposal.body.id]) {
      assert.equal(
        (await kit.call('PATCH', `/api/quick-replies/${id}`, { token: admin, body: { text: 'invadido' } }))
          .status,
        404,
      );
      assert.equal((await kit.call('DELETE', `/api/quick-replies/${id}`, { token: admin })).status, 404);
      assert.equal(
        (await kit.call('POST', `/api/quick-replies/${id}/approve`, { token: admin })).status,
        404,
      );
      assert.equal(
        (await kit.call('POST', `/api/quick-replies/${id}/reject`, { token: admin, body: {} })).status,
        404,
      );
    }
    assert.deepEqual(await getQuickReply(kit.deps, b.accountId, bReply.body.id), before);
    // B's department or user as the scope of A's reply: refused.
    assert.equal(
      (
        await create(admin, {
          shortcut: 'y',
          title: 'Y',
          text: 'y',
          scope: { type: 'department', departmentId: bDeptId },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await create(admin, {
          shortcut: 'y',
          title: 'Y',
          text: 'y',
          scope: { type: 'user', userId: b.user.id },
        })
      ).status,
      400,
    );
    // B sees its own, not A's.
    assert.deepEqual(shortcuts(await list(bAdmin)), ['b2', 'segredo']);
  });
});

describe('message variables (MSG-2) on an agent send', () => {
  let kit: ApiKit;
  let a: SeededTenant;
  let token: string;

  beforeAll(async () => {
    kit = await createApiKit();
    a = await seedTenant(kit, { name: 'Loja A', role: 'admin' });
    token = (await loginAs(kit, a)).accessToken;
  });

  test('the stored, queued and shown text is rendered; unknown variables stay as typed', async () => {
    const dept = await kit.call('POST', '/api/departments', { token, body: { name: 'Financeiro' } });
    const conv = await putConversation(kit, a, {
      contactName: 'Joana Souza',
      protocol: '20261122-000007',
      departmentId: dept.body.id,
    });
    await kit.receiveOutbound();
    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { text: 'Olá, {primeiro_nome}! Sou {atendente}, do {setor}. Protocolo {protocolo}. {cupom}' },
    });
    assert.equal(res.status, 202);
    const want = 'Olá, Joana! Sou Maria Atendente, do Financeiro. Protocolo 20261122-000007. {cupom}';
    assert.equal(res.body.text, want);
    const stored = await getMessage(kit.deps.ddb, kit.deps.tableName, a.accountId, conv.id, res.body.id);
    assert.equal(stored?.text, want);
    const jobs = (await kit.receiveOutbound()) as { messageId: string }[];
    assert.deepEqual(
      jobs.map((j) => j.messageId),
      [res.body.id],
    );
  });

  test('missing values: no name, no department, no protocol', async () => {
    const conv = await putConversation(kit, a, { contactName: '+5511912345678' });
    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { text: 'Olá, {primeiro_nome}! Falo do {setor} com você, {nome}.' },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.text, 'Olá! Falo do com você.');
  });

  test('an internal note keeps its text as typed', async () => {
    const conv = await putConversation(kit, a, { contactName: 'Joana Souza' });
    const res = await kit.call('POST', `/api/conversations/${conv.id}/messages`, {
      token,
      body: { text: 'ligar para {nome}', internal: true },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.text, 'ligar para {nome}');
  });
});
