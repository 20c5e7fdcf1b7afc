/**
 * The AI pages through the real API handler, S3 (fauxqs) and DynamoDB Local: assistants,
 * the write-only LLM key, knowledge bases with a real upload and ingestion (.md and .pdf),
 * search that understands Portuguese, the "Testar" panel answered by fn assistant's code
 * against a scripted OpenAI-compatible server, the assistant conversations list and its
 * CSV export, and who may change what.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import { ingestDocument, ingestJobSchema, searchKnowledge } from '#shared/assistant/knowledge.ts';
import { accountEmbedder } from '#shared/assistant/embeddings.ts';
import { assistantJobSchema, processAssistantJob } from '#shared/assistant/process-job.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';
import { startScriptedLlm, type ScriptedLlm } from './llm-server.ts';
import { hashPassword } from '#shared/auth/password.ts';
import { createUser } from '#shared/store/users.ts';

/** A one-page PDF whose text is `text` (Helvetica, ASCII). */
function tinyPdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  const objs = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
    `<</Length ${stream.length}>>\nstream\n${stream}\nendstream`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj${o}endobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF`;
  return Buffer.from(body, 'latin1');
}

describe('AI pages API', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let admin: string;
  let agent: string;
  let llm: ScriptedLlm;

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    admin = (await loginAs(kit, tenant)).accessToken;
    const user = await createUser(kit.deps.ddb, kit.deps.tableName, {
      id: kit.ids(),
      accountId: tenant.accountId,
      name: 'Agente',
      email: `agente-${kit.ids()}@example.com`.toLowerCase(),
      role: 'agent',
      passwordHash: await hashPassword('senha-agente-1'),
      departmentIds: [],
    });
    agent = (await loginAs(kit, { ...tenant, user, password: 'senha-agente-1' })).accessToken;
    llm = await startScriptedLlm();
    // The scripted model is plain http on this machine: the operator's allow-list lets it through.
    kit.deps.outbound = outboundPolicy(llm.baseUrl);
  });
  afterAll(() => llm.stop());

  const engine = (): EngineDeps =>
    ({
      ...kit.deps,
      graph: undefined,
      defaultToken: async () => undefined,
      log: () => {},
    }) as unknown as EngineDeps;

  async function upload(kbId: string, filename: string, mimeType: string, body: Buffer) {
    const up = await kit.call('POST', '/api/uploads', {
      token: admin,
      body: { filename, mimeType, size: body.length, purpose: 'knowledge' },
    });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const put = await fetch(up.body.uploadUrl, {
      method: 'PUT',
      headers: up.body.headers,
      body: new Uint8Array(body),
    });
    assert.equal(put.status, 200);
    const doc = await kit.call('POST', `/api/knowledge-bases/${kbId}/documents`, {
      token: admin,
      body: { uploadId: up.body.uploadId, filename, mimeType, size: body.length },
    });
    assert.equal(doc.status, 202, JSON.stringify(doc.body));
    assert.equal(doc.body.status, 'queued');
    assert.equal(doc.body.key, undefined);
    // fn assistant's work, as its handler does it.
    const progress: number[] = [];
    for (const job of await kit.receiveAssistant())
      await ingestDocument(ingestJobSchema.parse(job), {
        ...kit.deps,
        notify: async (d) => void progress.push(d.progress),
      });
    return { id: doc.body.id as string, progress };
  }

  test('knowledge base: .md and .pdf uploaded, ingested with progress, searchable in Portuguese; other types refused', async () => {
    const kb = await kit.call('POST', '/api/knowledge-bases', {
      token: admin,
      body: { name: 'FAQ da loja' },
    });
    assert.equal(kb.status, 201);
    const md = Buffer.from(
      '# Entregas\n\nEntregamos para todo o Brasil. O prazo de entrega é de 3 a 7 dias úteis.\n\n# Trocas\n\nVocê pode devolver ou trocar o produto em até 7 dias após o recebimento.\n',
    );
    const a = await upload(kb.body.id, 'faq.md', 'text/markdown', md);
    assert.deepEqual(a.progress.at(-1), 100);
    assert.ok(a.progress.every((p, i) => i === 0 || p >= a.progress[i - 1]!));
    const b = await upload(
      kb.body.id,
      'pagamentos.pdf',
      'application/pdf',
      tinyPdf('Aceitamos Pix, boleto e cartao em ate 10 vezes.'),
    );
    assert.equal(b.progress.at(-1), 100);

    const docs = await kit.call('GET', `/api/knowledge-bases/${kb.body.id}/documents`, { token: agent });
    assert.deepEqual(
      docs.body.items.map((d: { filename: string; status: string }) => [d.filename, d.status]).sort(),
      [
        ['faq.md', 'ready'],
        ['pagamentos.pdf', 'ready'],
      ],
    );
    const q = async (text: string) =>
      (
        await kit.call('GET', `/api/knowledge-bases/${kb.body.id}/search`, {
          token: agent,
          query: { q: text },
        })
      ).body.items as { text: string }[];
    assert.match((await q('qual o prazo das entregas?'))[0]!.text, /3 a 7 dias/);
    assert.match((await q('posso devolver?'))[0]!.text, /devolver ou trocar/);
    assert.match((await q('da pra pagar no pix'))[0]!.text, /Pix/);
    const list = await kit.call('GET', '/api/knowledge-bases', { token: agent });
    assert.equal(list.body.items.find((x: { id: string }) => x.id === kb.body.id).documents, 2);

    const bad = await kit.call('POST', '/api/uploads', {
      token: admin,
      body: { filename: 'x.docx', mimeType: 'application/msword', size: 10, purpose: 'knowledge' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.message, 'A base de conhecimento aceita arquivos .txt, .md e .pdf.');

    // Removing a document takes its passages out of the index.
    await kit.call('DELETE', `/api/knowledge-bases/${kb.body.id}/documents/${b.id}`, { token: admin });
    assert.ok(!(await q('da pra pagar no pix')).some((p) => /Pix/.test(p.text)));
  });

  test('assistants and the LLM key: admins change them, the key is never returned, agents read only', async () => {
    const created = await kit.call('POST', '/api/assistants', {
      token: admin,
      body: {
        name: 'Bia',
        systemPrompt: 'Você é a Bia.',
        tools: ['search_knowledge_base'],
        temperature: 0.2,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.model, 'gpt-4o-mini');
    const patched = await kit.call('PATCH', `/api/assistants/${created.body.id}`, {
      token: admin,
      body: { model: 'gpt-4.1-mini', workingHours: { days: { '1': [{ from: '08:00', to: '18:00' }] } } },
    });
    assert.equal(patched.body.model, 'gpt-4.1-mini');
    assert.equal(patched.body.systemPrompt, 'Você é a Bia.');
    const cleared = await kit.call('PATCH', `/api/assistants/${created.body.id}`, {
      token: admin,
      body: { workingHours: null },
    });
    assert.equal(cleared.body.workingHours, undefined);
    assert.equal(
      (await kit.call('POST', '/api/assistants', { token: agent, body: { name: 'X' } })).status,
      403,
    );

    const offline = await kit.call('GET', '/api/ai/settings', { token: agent });
    assert.equal(offline.body.mode, 'offline');
    assert.ok(offline.body.prices['gpt-4o-mini']);
    const set = await kit.call('PATCH', '/api/ai/settings', {
      token: admin,
      body: {
        baseUrl: llm.baseUrl,
        apiKey: 'sk-super-secret',
        prices: { 'gpt-4.1-mini': { input: 1, output: 2 } },
      },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual([set.body.mode, set.body.hasApiKey], ['online', true]);
    assert.ok(!JSON.stringify(set.body).includes('sk-super-secret'));
    assert.deepEqual(set.body.prices['gpt-4.1-mini'], { input: 1, output: 2 });
    assert.equal(
      (await kit.call('PATCH', '/api/ai/settings', { token: agent, body: { apiKey: 'x' } })).status,
      403,
    );
    const openapi = JSON.stringify((await kit.call('GET', '/api/openapi.json')).body);
    assert.ok(openapi.includes('/api/ai/settings'));
  });

  test('Testar: a test conversation answered by the assistant with a tool call and its cost; listed and exported', async () => {
    const kb = await kit.call('POST', '/api/knowledge-bases', { token: admin, body: { name: 'Horários' } });
    await upload(
      kb.body.id,
      'horarios.txt',
      'text/plain',
      Buffer.from('Atendemos de segunda a sexta, das 9h às 18h.'),
    );
    const assistant = await kit.call('POST', '/api/assistants', {
      token: admin,
      body: {
        name: 'Caio',
        model: 'gpt-4o-mini',
        tools: ['search_knowledge_base'],
        knowledgeBaseIds: [kb.body.id],
      },
    });
    await kit.call('PATCH', '/api/ai/settings', {
      token: admin,
      body: { baseUrl: llm.baseUrl, apiKey: 'sk-1' },
    });
    const started = await kit.call('POST', `/api/assistants/${assistant.body.id}/test`, { token: admin });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const conv = started.body.conversation;
    assert.equal(conv.channel, 'test');
    // Test conversations are in no inbox view.
    const inbox = await kit.call('GET', '/api/conversations', { token: admin });
    assert.ok(!inbox.body.items.some((c: { id: string }) => c.id === conv.id));

    llm.script.push(
      {
        toolCalls: [['search_knowledge_base', { query: 'horário de atendimento' }]],
        usage: { prompt: 500, completion: 10 },
      },
      { content: 'Atendemos de segunda a sexta, das 9h às 18h.', usage: { prompt: 700, completion: 30 } },
    );
    const sent = await kit.call('POST', `/api/assistants/${assistant.body.id}/test/${conv.id}/messages`, {
      token: admin,
      body: { text: 'que horas vcs abrem?' },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const port = createAiPort({
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => kit.clock.now,
      searchKnowledge: (a, ids, q, k) => searchKnowledge(kit.deps, a, ids, q, k),
      backoffMs: [1],
      ...(kit.deps.outbound ? { outbound: kit.deps.outbound } : {}),
      accountSecrets: kit.deps.accountSecrets!,
    });
    const jobs = await kit.receiveAssistant();
    assert.equal(jobs.length, 1);
    assert.equal(
      await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...engine(), port }),
      'answered',
    );
    // The knowledge passage reached the model.
    assert.ok(JSON.stringify(llm.requests.at(-1)!.body.messages).includes('das 9h às 18h'));

    const msgs = (await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token: admin })).body
      .items as {
      direction: string;
      text?: string;
      tool?: { name: string };
      usage?: { costUsd: number };
    }[];
    assert.deepEqual(
      msgs.map((m) => [m.direction, m.tool?.name ?? m.text]),
      [
        ['in', 'que horas vcs abrem?'],
        ['internal', 'search_knowledge_base'],
        ['out', 'Atendemos de segunda a sexta, das 9h às 18h.'],
      ],
    );
    // 1,200 prompt × 0.15 + 40 completion × 0.6, per million
    assert.equal(msgs[2]!.usage!.costUsd, 0.000204);
    assert.deepEqual(await kit.receiveOutbound(), []);
    const after = await kit.call('GET', `/api/conversations/${conv.id}`, { token: admin });
    assert.equal(after.body.aiCostUsd, 0.000204);

    const list = await kit.call('GET', '/api/ai/conversations', { token: agent, query: { type: 'test' } });
    const row = list.body.items.find((r: { conversationId: string }) => r.conversationId === conv.id);
    assert.deepEqual(
      [row.assistantName, row.replies, row.toolCalls, row.promptTokens, row.costUsd, row.outcome],
      ['Caio', 1, 1, 1200, 0.000204, 'answering'],
    );
    assert.equal(
      (await kit.call('GET', '/api/ai/conversations', { token: agent, query: { type: 'whatsapp' } })).body
        .items.length,
      0,
    );
    const csv = await kit.handler(
      {
        version: '2.0',
        rawPath: '/api/ai/conversations',
        rawQueryString: 'format=csv',
        queryStringParameters: { format: 'csv' },
        headers: { authorization: `Bearer ${agent}` },
        requestContext: { http: { method: 'GET', path: '/api/ai/conversations' }, stage: '$default' },
        isBase64Encoded: false,
      } as never,
      {} as never,
    );
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers?.['content-type']), /^text\/csv/);
    const lines = String(csv.body).trim().split('\r\n');
    assert.ok(
      String(csv.body).startsWith('\ufeffconversationId;attendanceId;assistantId;assistantName;type'),
    );
    assert.ok(lines.some((l) => l.startsWith(conv.id) && l.includes(';Caio;test;')));
  });
  test('with an embeddings model, passages get vectors and search also finds what shares no word with the question', async () => {
    await kit.call('PATCH', '/api/ai/settings', {
      token: admin,
      body: { baseUrl: llm.baseUrl, apiKey: 'sk-1', embeddingModel: 'text-embedding-3-small' },
    });
    const kb = await kit.call('POST', '/api/knowledge-bases', { token: admin, body: { name: 'Hotel' } });
    const text =
      '# Hospedagem\n\nAceitamos cachorros e gatos em todos os quartos.\n\n# Check-in\n\nO check-in começa às 14h.';
    const embed = accountEmbedder(kit.deps);
    const before = llm.embeddingRequests.length;
    const up = await kit.call('POST', '/api/uploads', {
      token: admin,
      body: { filename: 'hotel.md', mimeType: 'text/markdown', size: text.length, purpose: 'knowledge' },
    });
    await fetch(up.body.uploadUrl, { method: 'PUT', headers: up.body.headers, body: text });
    await kit.call('POST', `/api/knowledge-bases/${kb.body.id}/documents`, {
      token: admin,
      body: { uploadId: up.body.uploadId, filename: 'hotel.md', mimeType: 'text/markdown' },
    });
    for (const job of await kit.receiveAssistant())
      await ingestDocument(ingestJobSchema.parse(job), { ...kit.deps, embed });
    assert.ok(llm.embeddingRequests.length > before, 'passages were embedded');

    const hybrid = await kit.call('GET', `/api/knowledge-bases/${kb.body.id}/search`, {
      token: admin,
      query: { q: 'posso levar meu pet?' },
    });
    assert.match(hybrid.body.items[0].text, /cachorros e gatos/);
    // Without the embeddings model, lexical search alone does not find it.
    await kit.call('PATCH', '/api/ai/settings', { token: admin, body: { embeddingModel: '' } });
    const lexical = await kit.call('GET', `/api/knowledge-bases/${kb.body.id}/search`, {
      token: admin,
      query: { q: 'posso levar meu pet?' },
    });
    assert.ok(!lexical.body.items.some((p: { text: string }) => /cachorros/.test(p.text)));
  });
  test('API conversations: another system chats with the assistant; listed with type API, never in the inbox', async () => {
    await kit.call('PATCH', '/api/ai/settings', {
      token: admin,
      body: { baseUrl: llm.baseUrl, apiKey: 'sk-1', embeddingModel: '' },
    });
    const a = await kit.call('POST', '/api/assistants', { token: admin, body: { name: 'Dora', tools: [] } });
    const started = await kit.call('POST', `/api/assistants/${a.body.id}/conversations`, {
      token: agent,
      body: { contactName: 'Cliente do site', contactPhone: '+55 11 98888-7777' },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const conv = started.body.conversation;
    assert.deepEqual(
      [conv.channel, conv.contactName, conv.contactPhone],
      ['api', 'Cliente do site', '5511988887777'],
    );
    llm.script.push({ content: 'Olá! Posso ajudar com seu pedido.' });
    const sent = await kit.call('POST', `/api/assistants/${a.body.id}/conversations/${conv.id}/messages`, {
      token: agent,
      body: { text: 'Oi, tenho uma dúvida' },
    });
    assert.equal(sent.status, 202);
    // Not through the Testar route, and not the other way round.
    const wrong = await kit.call('POST', `/api/assistants/${a.body.id}/test/${conv.id}/messages`, {
      token: admin,
      body: { text: 'x' },
    });
    assert.equal(wrong.status, 404);
    const port = createAiPort({
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => kit.clock.now,
      searchKnowledge: async () => [],
      backoffMs: [1],
      ...(kit.deps.outbound ? { outbound: kit.deps.outbound } : {}),
      accountSecrets: kit.deps.accountSecrets!,
    });
    for (const job of await kit.receiveAssistant())
      await processAssistantJob(assistantJobSchema.parse(job), { ...engine(), port });
    const msgs = (await kit.call('GET', `/api/conversations/${conv.id}/messages`, { token: admin })).body
      .items;
    assert.equal(msgs.at(-1).text, 'Olá! Posso ajudar com seu pedido.');
    assert.deepEqual(await kit.receiveOutbound(), []);
    const list = await kit.call('GET', '/api/ai/conversations', { token: agent, query: { type: 'api' } });
    assert.deepEqual(
      list.body.items.map((r: { conversationId: string; type: string }) => [r.conversationId, r.type]),
      [[conv.id, 'api']],
    );
    const inbox = await kit.call('GET', '/api/conversations', { token: admin });
    assert.ok(!inbox.body.items.some((c: { id: string }) => c.id === conv.id));
  });
});
