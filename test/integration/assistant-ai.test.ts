/**
 * The AI assistant through the real engine, the real assistant job and the real `openai`
 * client, against a scripted OpenAI-compatible server started here: a reply with its
 * tokens and cost, tool calls over several steps recorded in the conversation, validated
 * variables, an appointment, an admin's HTTP endpoint, hand-over to a person, retries and
 * hand-over on errors and timeouts, and offline mode without an LLM.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { monotonicFactory } from 'ulid';
import {
  createAiPort,
  OFFLINE_NOT_FOUND,
  OFFLINE_PREFIX,
  PLATFORM_INSTRUCTION,
} from '#shared/assistant/ai-port.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import {
  ASKED_FOR_HUMAN_NOTE,
  assistantJobSchema,
  processAssistantJob,
  TRANSFER_NOTICE,
} from '#shared/assistant/process-job.ts';
import type { KnowledgePassage } from '#shared/assistant/tools.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import { listAppointments, putAiSettings } from '#shared/store/ai.ts';
import { saveLlmKey } from '#shared/secrets/account-secrets.ts';
import { putAssistant, putDepartment } from '#shared/store/catalog.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { createNumber } from '#shared/store/numbers.ts';
import type { AssistantInput, Conversation, Message } from '#shared/store/types.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';
import { startScriptedLlm, type ScriptedLlm } from './llm-server.ts';

const ids = monotonicFactory();
let kit: EngineKit;
let deps: EngineDeps;
let sqs: SQSClient;
let assistantUrl: string;
let llm: ScriptedLlm;
let endpoint: Server;
let endpointUrl: string;
const endpointCalls: string[] = [];
let suporte: string;
let backup: string;
let phoneSeq = 0;

const passages: KnowledgePassage[] = [
  { id: 'p1', title: 'Prazo de entrega', text: 'Entregamos em todo o Brasil em 3 a 7 dias úteis.', score: 0 },
  { id: 'p2', title: 'Trocas', text: 'Você pode trocar em até 7 dias após receber o pedido.', score: 0 },
  {
    id: 'p3',
    title: 'manual › Formas de pagamento',
    text: '**Pix** ou _cartão_:\n\n- Pix com 5% de desconto\n- Cartão de crédito em até 10x',
    score: 0,
  },
];
/** A stand-in knowledge base: passages sharing a word with the query. */
async function searchKnowledge(_a: string, _kb: string[], query: string, k: number) {
  const words = query
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 3);
  return passages
    .map((p) => ({
      ...p,
      score: words.filter((w) => `${p.title} ${p.text}`.toLowerCase().includes(w)).length,
    }))
    .filter((p) => p.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

beforeAll(async () => {
  kit = await engineKit();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const suffix = randomBytes(4).toString('hex');
  const outbound = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `ai-out-${suffix}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  assistantUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `ai-jobs-${suffix}` }))).QueueUrl!;
  deps = { ...kit.deps, sqs, queueUrls: { outbound, assistant: assistantUrl } };
  const accountId = kit.number.accountId;
  suporte = (await putDepartment(kit.deps.ddb, kit.deps.tableName, { id: ids(), accountId, name: 'Suporte' }))
    .id;
  backup = (await putDepartment(kit.deps.ddb, kit.deps.tableName, { id: ids(), accountId, name: 'Plantão' }))
    .id;
  llm = await startScriptedLlm();
  endpoint = createServer((req, res) => {
    endpointCalls.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pedido: '123', status: 'em transporte' }));
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sqs.destroy();
  endpoint.closeAllConnections();
  endpoint.close();
  await llm.stop();
  await kit.stop();
});

async function useLlm(on: boolean) {
  // As fn api saves them: the key in the account's credentials secret, a flag in the item.
  await saveLlmKey(kit.deps.accountSecrets!, kit.number.accountId, on ? 'sk-test-secret' : '');
  await putAiSettings(kit.deps.ddb, kit.deps.tableName, {
    accountId: kit.number.accountId,
    ...(on ? { baseUrl: llm.baseUrl, hasApiKey: true } : {}),
  });
}

/** A number routed to a new assistant; the customer writes; the job runs with the AI port. */
async function chat(
  assistant: Partial<AssistantInput>,
  text: string,
  portOpts: {
    timeoutMs?: number;
    defaultLlm?: () => Promise<{ apiKey?: string; baseUrl?: string }>;
    /** Runs between the customer's message and the job (e.g. the window closing). */
    beforeJob?: () => Promise<void>;
  } = {},
): Promise<{ conv: Conversation; messages: Message[]; outcome: string }> {
  const accountId = kit.number.accountId;
  const a = await putAssistant(kit.deps.ddb, kit.deps.tableName, {
    id: ids(),
    accountId,
    name: 'Ana IA',
    systemPrompt: 'Você é a assistente da Loja Exemplo.',
    ...assistant,
  });
  const number = await createNumber(kit.deps.ddb, kit.deps.tableName, {
    id: ids(),
    accountId,
    name: `IA ${phoneSeq}`,
    phoneNumberId: `pn-ai-${randomBytes(4).toString('hex')}`,
    wabaId: 'waba',
    displayPhone: '5511900000000',
    color: '#000000',
    routing: { kind: 'assistant', assistantId: a.id, backupDepartmentId: backup },
  });
  const from = `55119${String(70000000 + phoneSeq++)}`;
  const item = kit.text(from, text);
  await processInboundItem({ ...item, phoneNumberId: number.phoneNumberId } as typeof item, deps);
  const got = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: assistantUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  const job = assistantJobSchema.parse(JSON.parse(got.Messages![0]!.Body!));
  const port = createAiPort({
    ddb: kit.deps.ddb,
    tableName: kit.deps.tableName,
    now: () => kit.clock.now,
    searchKnowledge,
    backoffMs: [10, 20],
    timeoutMs: portOpts.timeoutMs ?? 5000,
    // The scripted model and the admin's endpoint run on this machine: the operator allows them.
    outbound: outboundPolicy([llm.baseUrl, endpointUrl]),
    accountSecrets: kit.deps.accountSecrets!,
    ...(portOpts.defaultLlm ? { defaultLlm: portOpts.defaultLlm } : {}),
  });
  await portOpts.beforeJob?.();
  const outcome = await processAssistantJob(job, { ...deps, port });
  const conv = (await getConversationById(kit.deps.ddb, kit.deps.tableName, accountId, job.conversationId))!;
  return { conv, messages: await kit.messages(conv.id), outcome };
}

describe('the AI assistant (AI-1..8)', () => {
  test('a reply through the openai client: the prompt with the WhatsApp instruction, tokens and cost recorded', async () => {
    await useLlm(true);
    llm.requests.length = 0;
    llm.script.push({
      content: 'Olá! Entregamos em todo o Brasil.',
      usage: { prompt: 1000, completion: 200, cached: 400 },
    });
    const { conv, messages, outcome } = await chat({ model: 'gpt-4o-mini' }, 'Vocês entregam em Minas?');
    assert.equal(outcome, 'answered');
    const req = llm.requests[0]!;
    assert.equal(req.headers.authorization, 'Bearer sk-test-secret');
    assert.equal(req.body.model, 'gpt-4o-mini');
    const sent = req.body.messages as { role: string; content: string }[];
    assert.equal(sent[0]!.role, 'system');
    assert.ok(sent[0]!.content.startsWith('Você é a assistente da Loja Exemplo.'));
    assert.ok(sent[0]!.content.includes(PLATFORM_INSTRUCTION));
    assert.deepEqual(sent.at(-1), { role: 'user', content: 'Vocês entregam em Minas?' });
    const reply = messages.find((m) => m.direction === 'out')!;
    assert.equal(reply.text, 'Olá! Entregamos em todo o Brasil.');
    // 600 fresh × 0.15 + 400 cached × 0.075 + 200 × 0.6, per million
    assert.deepEqual(reply.usage, {
      model: 'gpt-4o-mini',
      promptTokens: 1000,
      completionTokens: 200,
      cachedTokens: 400,
      costUsd: 0.00024,
    });
    assert.equal(conv.aiCostUsd, 0.00024);
    assert.equal(conv.aiPromptTokens, 1000);
  });

  test('tools over several steps: knowledge search, a refused then accepted CPF, each call recorded for agents', async () => {
    await useLlm(true);
    llm.requests.length = 0;
    llm.script.push(
      { toolCalls: [['search_knowledge_base', { query: 'prazo de entrega' }]] },
      { toolCalls: [['set_variable', { name: 'cpf', value: '111.111.111-11' }]] },
      { toolCalls: [['set_variable', { name: 'cpf', value: '529.982.247-25' }]] },
      { content: 'Prontinho! Entregamos em 3 a 7 dias úteis.' },
    );
    const { conv, messages } = await chat(
      {
        tools: ['search_knowledge_base', 'set_variable', 'transfer_to_human'],
        variables: [{ name: 'cpf', type: 'cpf', description: 'CPF do cliente' }],
      },
      'Qual o prazo de entrega? Meu CPF é 111.111.111-11',
    );
    assert.equal(llm.requests.length, 4);
    const toolNames = (llm.requests[0]!.body.tools as { function: { name: string } }[]).map(
      (t) => t.function.name,
    );
    assert.deepEqual(toolNames.sort(), ['search_knowledge_base', 'set_variable', 'transfer_to_human']);
    // The knowledge passage went back to the model as the tool's result.
    const second = llm.requests[1]!.body.messages as { role: string; content: string }[];
    assert.ok(second.at(-1)!.role === 'tool' && second.at(-1)!.content.includes('3 a 7 dias úteis'));
    const third = llm.requests[2]!.body.messages as { role: string; content: string }[];
    assert.ok(third.at(-1)!.content.startsWith('Valor recusado: CPF'));
    const tools = messages.filter((m) => m.tool);
    assert.deepEqual(
      tools.map((m) => [m.tool!.name, Boolean(m.tool!.error), m.direction]),
      [
        ['search_knowledge_base', false, 'internal'],
        ['set_variable', true, 'internal'],
        ['set_variable', false, 'internal'],
      ],
    );
    assert.deepEqual(conv.variables, { cpf: '529.982.247-25' });
    assert.equal(messages.at(-1)!.text, 'Prontinho! Entregamos em 3 a 7 dias úteis.');
  });

  test('schedule_appointment books a real appointment; an admin endpoint is called on its own host only', async () => {
    await useLlm(true);
    llm.script.push(
      {
        toolCalls: [['schedule_appointment', { date: '02/12/2026', time: '14:30', title: 'Visita técnica' }]],
      },
      { toolCalls: [['consultar_pedido', { id: '123' }]] },
      { content: 'Agendado e seu pedido está em transporte.' },
    );
    const { conv, messages } = await chat(
      {
        tools: ['schedule_appointment', 'http_request'],
        httpTools: [
          {
            name: 'consultar_pedido',
            description: 'Consulta um pedido',
            method: 'GET',
            url: `${endpointUrl}/pedidos/{id}`,
            headers: { authorization: 'Bearer loja' },
            parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
            timeoutMs: 2000,
          },
        ],
      },
      'Quero agendar uma visita e saber do pedido 123',
    );
    const appointments = await listAppointments(kit.deps.ddb, kit.deps.tableName, kit.number.accountId, 0);
    const mine = appointments.filter((a) => a.conversationId === conv.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.title, 'Visita técnica');
    assert.equal(mine[0]!.startsAt, Date.parse('2026-12-02T14:30:00-03:00'));
    assert.ok(endpointCalls.includes('GET /pedidos/123'));
    assert.ok(
      messages.some((m) => m.tool?.name === 'consultar_pedido' && m.tool.result.includes('em transporte')),
    );
  });

  test('transfer_to_human: the department the model chose, the summary as an internal note', async () => {
    await useLlm(true);
    llm.script.push({
      toolCalls: [
        ['transfer_to_human', { summary: 'Cliente quer cancelar o pedido 42.', department: 'Suporte' }],
      ],
    });
    const { conv, messages, outcome } = await chat(
      { tools: ['transfer_to_human'] },
      'Quero cancelar meu pedido',
    );
    assert.equal(outcome, 'handed-over');
    assert.equal(conv.departmentId, suporte);
    assert.equal(conv.routingStage, 'people');
    assert.ok(
      messages.some(
        (m) =>
          m.direction === 'internal' && m.text === 'Resumo do assistente: Cliente quer cancelar o pedido 42.',
      ),
    );
    // The customer is told (issue 15), the summary stays internal.
    assert.deepEqual(
      messages.filter((m) => m.direction === 'out').map((m) => m.text),
      [TRANSFER_NOTICE],
    );
  });

  test('errors: 5xx retried with backoff then hand-over to the backup department saying why; 429 then success answers', async () => {
    await useLlm(true);
    llm.requests.length = 0;
    llm.script.push({ status: 500 }, { status: 503 }, { status: 500 });
    const failed = await chat({}, 'Oi?');
    assert.equal(llm.requests.length, 3);
    assert.equal(failed.outcome, 'handed-over');
    assert.equal(failed.conv.departmentId, backup);
    assert.ok(
      failed.messages.some(
        (m) => m.direction === 'internal' && /não conseguiu responder \(erro 500/.test(m.text ?? ''),
      ),
    );

    llm.script.push({ status: 429 }, { content: 'Desculpe a demora! Como posso ajudar?' });
    const retried = await chat({}, 'Oi de novo');
    assert.equal(retried.outcome, 'answered');
  });

  test('a timeout is retried, then handed over; a wrong key is not retried', async () => {
    await useLlm(true);
    llm.requests.length = 0;
    llm.script.push(
      { delayMs: 400, content: 'tarde' },
      { delayMs: 400, content: 'tarde' },
      { delayMs: 400, content: 'tarde' },
    );
    const slow = await chat({}, 'Alô?', { timeoutMs: 100 });
    assert.equal(slow.outcome, 'handed-over');
    assert.ok(slow.messages.some((m) => /tempo esgotado/.test(m.text ?? '')));
    await new Promise((r) => setTimeout(r, 500));

    llm.requests.length = 0;
    llm.script.length = 0;
    llm.script.push({ status: 401, errorMessage: 'Incorrect API key' });
    const denied = await chat({}, 'Oi');
    assert.equal(llm.requests.length, 1);
    assert.equal(denied.outcome, 'handed-over');
    assert.ok(denied.messages.some((m) => /erro 401/.test(m.text ?? '')));
  });

  test('offline mode (no LLM configured): answers from the knowledge base, quoted and labelled; hands over when nothing fits', async () => {
    await useLlm(false);
    const found = await chat({}, 'qual o prazo de entrega para o Brasil?');
    assert.equal(found.outcome, 'answered');
    const reply = found.messages.find((m) => m.direction === 'out')!;
    assert.ok(reply.text!.startsWith(OFFLINE_PREFIX));
    assert.ok(reply.text!.includes('Entregamos em todo o Brasil em 3 a 7 dias úteis.'));
    assert.ok(!reply.text!.includes('trocar'), 'one passage, not two');
    assert.equal(reply.usage?.offline, true);

    // Below the threshold: it says it does not know and how to reach a person (issue 15).
    const none = await chat({}, 'vocês vendem bicicletas?');
    assert.equal(none.outcome, 'answered');
    assert.equal(none.conv.routingStage, 'assistant');
    assert.equal(none.messages.find((m) => m.direction === 'out')!.text, OFFLINE_NOT_FOUND);
  });

  test('offline mode quotes the one passage that fits, in WhatsApp formatting, not Markdown', async () => {
    await useLlm(false);
    const { outcome, messages } = await chat({}, 'quais as formas de pagamento?');
    assert.equal(outcome, 'answered');
    const text = messages.find((m) => m.direction === 'out')!.text!;
    assert.equal(
      text,
      `${OFFLINE_PREFIX}\n\n*Formas de pagamento*\n*Pix* ou _cartão_:\n\n• Pix com 5% de desconto\n• Cartão de crédito em até 10x\n\n_Se não era isso, escreva *atendente* para falar com uma pessoa._`,
    );
    assert.ok(!text.includes('**') && !text.includes('\n- '));
  });

  test('"quero falar com um atendente" hands over without asking the model, and the customer is told', async () => {
    await useLlm(true);
    llm.requests.length = 0;
    const { conv, messages, outcome } = await chat({}, 'Quero falar com um atendente, por favor');
    assert.equal(outcome, 'handed-over');
    assert.equal(llm.requests.length, 0, 'the model is not asked');
    assert.equal(conv.routingStage, 'people');
    assert.equal(conv.departmentId, backup);
    assert.deepEqual(
      messages.filter((m) => m.direction === 'out').map((m) => m.text),
      [TRANSFER_NOTICE],
    );
    assert.ok(messages.some((m) => m.direction === 'internal' && m.text === ASKED_FOR_HUMAN_NOTE));

    // Offline too, and with the assistant's own transfer message.
    await useLlm(false);
    const own = await chat({ transferMessage: 'Já já uma pessoa da equipe te responde!' }, 'atendente');
    assert.equal(own.outcome, 'handed-over');
    assert.deepEqual(
      own.messages.filter((m) => m.direction === 'out').map((m) => m.text),
      ['Já já uma pessoa da equipe te responde!'],
    );
  });
  test("an account without its own LLM uses the deployment's (the openai secret)", async () => {
    await useLlm(false);
    llm.requests.length = 0;
    llm.script.push({ content: 'Respondido pelo modelo padrão.' });
    const { outcome, messages } = await chat({}, 'Oi', {
      defaultLlm: async () => ({ baseUrl: llm.baseUrl, apiKey: 'sk-deployment' }),
    });
    assert.equal(outcome, 'answered');
    assert.equal(llm.requests[0]!.headers.authorization, 'Bearer sk-deployment');
    assert.equal(messages.find((m) => m.direction === 'out')!.text, 'Respondido pelo modelo padrão.');
  });
});
