/**
 * Routing through the real engine (processInboundItem) on DynamoDB Local and fauxqs:
 * the triage menu round trip, the backup department outside hours, active routing,
 * grouping of quick messages into one assistant answer, and the phone filter.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { processInboundItem } from '#shared/engine/inbound/dispatch.ts';
import type { EngineDeps } from '#shared/engine/engine-deps.ts';
import {
  processAssistantJob,
  assistantGreeting,
  assistantJobSchema,
  TRANSFER_NOTICE,
  type AssistantPort,
} from '#shared/assistant/process-job.ts';
import { createAccount, getAccount, setOutsideWindowTemplate } from '#shared/store/accounts.ts';
import { putTemplate } from '#shared/store/templates.ts';
import { putAssistant, putDepartment } from '#shared/store/catalog.ts';
import { createNumber, flushNumberStats, getNumberStats } from '#shared/store/numbers.ts';
import { keys } from '#shared/store/keys.ts';
import type { NumberRouting, TriageMenu } from '#shared/domain/routing.ts';
import type { Conversation, Message, WhatsAppNumber } from '#shared/store/types.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { engineKit, type EngineKit } from './engine-kit.ts';

let kit: EngineKit;
let sqs: SQSClient;
let outboundUrl: string;
let assistantUrl: string;
let deps: EngineDeps;
const ids = monotonicFactory();
const dept = { vendas: '', suporte: '', ativo: '' };
let assistantId = '';

/** Monday 2026-11-23, São Paulo time. */
const monday = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00-03:00`);

beforeAll(async () => {
  kit = await engineKit();
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const suffix = randomBytes(4).toString('hex');
  outboundUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `route-out-${suffix}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  assistantUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `route-ai-${suffix}` }))).QueueUrl!;
  deps = { ...kit.deps, sqs, queueUrls: { outbound: outboundUrl, assistant: assistantUrl } };
  const accountId = kit.number.accountId;
  for (const [k, name] of [
    ['vendas', 'Vendas'],
    ['suporte', 'Suporte'],
    ['ativo', 'Cobrança'],
  ] as const)
    dept[k] = (await putDepartment(kit.deps.ddb, kit.deps.tableName, { id: ids(), accountId, name })).id;
  assistantId = (
    await putAssistant(kit.deps.ddb, kit.deps.tableName, {
      id: ids(),
      accountId,
      name: 'Assistente',
      enabled: true,
      workingHours: { days: { '1': [{ from: '08:00', to: '18:00' }] } },
    })
  ).id;
  kit.clock.now = monday('10:00');
});
afterAll(async () => {
  sqs.destroy();
  await kit.stop();
});

const menu = (): TriageMenu => ({
  body: 'Olá! Como podemos ajudar?',
  button: 'Ver opções',
  options: [
    {
      id: 'comprar',
      title: 'Comprar',
      target: { kind: 'department', departmentId: dept.vendas, autoMessage: 'Já vamos te atender!' },
    },
    {
      id: 'duvidas',
      title: 'Dúvidas',
      target: { kind: 'assistant', assistantId, backupDepartmentId: dept.suporte },
    },
  ],
});

/** A number of the kit's account with this configuration (numbers are cached by the engine: one per test). */
async function numberWith(
  routing: NumberRouting,
  extra: Partial<Pick<WhatsAppNumber, 'activeRouting' | 'groupMessagesSeconds' | 'allowlist'>> = {},
): Promise<WhatsAppNumber> {
  return createNumber(kit.deps.ddb, kit.deps.tableName, {
    id: ids(),
    accountId: kit.number.accountId,
    name: `Número ${randomBytes(2).toString('hex')}`,
    phoneNumberId: `pn-${randomBytes(5).toString('hex')}`,
    wabaId: 'waba',
    displayPhone: '5511900000009',
    color: '#ff6600',
    routing,
    ...extra,
  });
}

let seq = 0;
function customer(number: WhatsAppNumber, from: string) {
  const item = (message: Record<string, unknown>): InboundQueueItem => ({
    kind: 'message',
    phoneNumberId: number.phoneNumberId,
    contact: { waId: from, name: 'Cliente Teste' },
    message: {
      from,
      id: `wamid.route-${from}-${++seq}`,
      timestamp: String(Math.floor(kit.clock.now / 1000)),
      ...message,
    } as InboundQueueItem['message'],
    receivedAt: kit.clock.now,
  });
  const send = async (message: Record<string, unknown>) => {
    kit.clock.now += 1000;
    await processInboundItem(item(message), deps);
  };
  return {
    says: (body: string) => send({ type: 'text', text: { body } }),
    picks: (id: string, title: string) =>
      send({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title } } }),
    conversation: async (): Promise<Conversation> =>
      (await kit.conversations()).find((c) => c.numberId === number.id && c.contactPhone === from)!,
  };
}

/** Jobs waiting on a queue, removed from it. */
async function drain(url: string, waitSeconds = 1): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
    );
    if (!res.Messages?.length) return out;
    for (const m of res.Messages) {
      out.push(JSON.parse(m.Body!) as Record<string, unknown>);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

const sentByBusiness = async (conv: Conversation): Promise<Message[]> =>
  (await kit.messages(conv.id)).filter((m) => m.direction === 'out');

describe('routing a conversation the customer starts', () => {
  test('triage menu round trip: menu, a choice, the department with its automatic message', async () => {
    const number = await numberWith({ kind: 'menu', menu: menu() });
    const ana = customer(number, '5521970000001');

    await ana.says('Oi, boa tarde');
    let conv = await ana.conversation();
    let out = await sentByBusiness(conv);
    assert.equal(conv.routingStage, 'menu');
    assert.equal(out.length, 1);
    assert.equal(out[0]!.type, 'interactive');
    assert.deepEqual(
      (
        out[0]!.interactive as { action: { sections: { rows: { id: string }[] }[] } }
      ).action.sections[0]!.rows.map((r) => r.id),
      ['comprar', 'duvidas'],
    );
    assert.deepEqual(
      (await drain(outboundUrl)).map((j) => j.messageId),
      [out[0]!.id],
    );

    await ana.picks('comprar', 'Comprar');
    conv = await ana.conversation();
    out = await sentByBusiness(conv);
    assert.equal(conv.routingStage, 'people');
    assert.equal(conv.departmentId, dept.vendas);
    assert.equal(out.at(-1)!.text, 'Já vamos te atender!');
    assert.equal((await drain(outboundUrl)).length, 1);

    // From now on people answer: nothing automatic.
    await ana.says('Quero o modelo azul');
    assert.equal((await sentByBusiness(await ana.conversation())).length, 2);
    assert.deepEqual(await drain(outboundUrl, 0), []);
  });

  test('an answer that is not an option gets a polite sentence and the menu again', async () => {
    const number = await numberWith({ kind: 'menu', menu: menu() });
    const bia = customer(number, '5521970000002');
    await bia.says('Olá');
    await bia.says('quero falar com alguém');
    const conv = await bia.conversation();
    const out = await sentByBusiness(conv);
    assert.equal(conv.routingStage, 'menu');
    assert.deepEqual(
      out.map((m) => m.type),
      ['interactive', 'text', 'interactive'],
    );
    assert.match(out[1]!.text!, /não entendi/);
    await drain(outboundUrl);
  });

  test('an assistant option outside its working hours goes to the backup department', async () => {
    const number = await numberWith({ kind: 'menu', menu: menu() });
    const caio = customer(number, '5521970000003');
    kit.clock.now = monday('19:30');
    await caio.says('Boa noite');
    await caio.picks('duvidas', 'Dúvidas');
    const conv = await caio.conversation();
    assert.equal(conv.routingStage, 'people');
    assert.equal(conv.departmentId, dept.suporte);
    assert.deepEqual(await drain(assistantUrl, 0), [], 'no assistant job');
    kit.clock.now = monday('10:00');
    await drain(outboundUrl);
  });

  test('within hours the assistant gets the conversation; without an AI it hands over with an internal note', async () => {
    const number = await numberWith({ kind: 'assistant', assistantId, backupDepartmentId: dept.suporte });
    const duda = customer(number, '5521970000004');
    await duda.says('Vocês entregam em Niterói?');
    let conv = await duda.conversation();
    assert.equal(conv.routingStage, 'assistant');
    const jobs = await drain(assistantUrl);
    assert.equal(jobs.length, 1);

    const { handOverPort } = await import('#shared/assistant/process-job.ts');
    assert.equal(
      await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...deps, port: handOverPort }),
      'handed-over',
    );
    conv = await duda.conversation();
    assert.equal(conv.routingStage, 'people');
    assert.equal(conv.departmentId, dept.suporte);
    const note = (await kit.messages(conv.id)).find((m) => m.direction === 'internal');
    assert.match(note!.text!, /transferida para atendimento humano/);
    // The note never goes to the customer; the customer is told they are transferred (issue 15).
    const told = (await sentByBusiness(conv)).map((m) => m.text);
    assert.deepEqual(told, [TRANSFER_NOTICE]);
    assert.equal((await drain(outboundUrl)).length, 1);
  });

  test('a menu option to the assistant: it greets, and answers what the customer writes next (not the click)', async () => {
    const number = await numberWith({ kind: 'menu', menu: menu() });
    const gil = customer(number, '5521970000011');
    await gil.says('Boa tarde');
    await gil.picks('duvidas', 'Dúvidas');
    let conv = await gil.conversation();
    assert.equal(conv.routingStage, 'assistant');
    const turns: string[][] = [];
    const port: AssistantPort = {
      answer: async (turn) => {
        turns.push(turn.pending.map((m) => m.text ?? ''));
        return { kind: 'reply', text: 'Entregamos em 3 dias úteis.' };
      },
    };
    let jobs = await drain(assistantUrl);
    assert.equal(jobs.length, 1);
    assert.equal(await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...deps, port }), 'greeted');
    assert.deepEqual(turns, [], 'the menu click is not a question');
    assert.equal((await sentByBusiness(conv)).at(-1)!.text, assistantGreeting('Assistente'));

    await gil.says('Qual o prazo de entrega?');
    jobs = await drain(assistantUrl);
    assert.equal(await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...deps, port }), 'answered');
    assert.deepEqual(turns, [['Qual o prazo de entrega?']]);
    conv = await gil.conversation();
    assert.deepEqual(
      (await sentByBusiness(conv)).slice(1).map((m) => m.text),
      [assistantGreeting('Assistente'), 'Entregamos em 3 dias úteis.'],
    );

    // "quero falar com um atendente" transfers, and the customer is told.
    await gil.says('quero falar com um atendente');
    jobs = await drain(assistantUrl);
    assert.equal(
      await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...deps, port }),
      'handed-over',
    );
    assert.equal(turns.length, 1, 'the port is not asked');
    conv = await gil.conversation();
    assert.equal(conv.routingStage, 'people');
    assert.equal(conv.departmentId, dept.suporte);
    assert.equal((await sentByBusiness(conv)).at(-1)!.text, TRANSFER_NOTICE);
    await drain(outboundUrl);
  });

  test('outside the 24 h window an automation sends the chosen template, or says in the chat why it could not', async () => {
    const accountId = kit.number.accountId;
    const number = await numberWith({ kind: 'menu', menu: menu() });
    const port: AssistantPort = { answer: async () => ({ kind: 'reply', text: 'nunca' }) };
    const late = async (phone: string) => {
      const c = customer(number, phone);
      await c.says('Oi');
      await c.picks('duvidas', 'Dúvidas');
      const jobs = await drain(assistantUrl);
      kit.clock.now += 25 * 3_600_000; // the job runs after the window closed
      assert.equal(
        await processAssistantJob(assistantJobSchema.parse(jobs[0]), { ...deps, port }),
        'greeted',
      );
      kit.clock.now = monday('10:00');
      return c.conversation();
    };
    await drain(outboundUrl);

    // No template chosen: nothing sent, a line in the chat says why.
    let conv = await late('5521970000012');
    let log = await kit.messages(conv.id);
    assert.equal(log.filter((m) => m.direction === 'out').length, 1, 'only the menu, sent in the window');
    const why = log.find((m) => m.direction === 'internal');
    assert.match(
      why!.text!,
      /^Mensagem automática não enviada: a janela de 24 horas está fechada e nenhum modelo/,
    );
    assert.equal((await drain(outboundUrl)).length, 1, 'the menu alone');

    // A chosen template that is not approved: said too.
    if (!(await getAccount(kit.deps.ddb, kit.deps.tableName, accountId)))
      await createAccount(kit.deps.ddb, kit.deps.tableName, { id: accountId, name: 'Loja' });
    const template = {
      id: `tpl-${randomBytes(3).toString('hex')}`,
      accountId,
      wabaId: 'waba',
      name: 'retomar_conversa',
      language: 'pt_BR',
      category: 'UTILITY' as const,
      status: 'PENDING' as const,
      parameterFormat: 'POSITIONAL' as const,
      components: [{ type: 'BODY' as const, text: 'Olá! Sobre a sua conversa: {{1}}' }],
      updatedAt: kit.clock.now,
    };
    await putTemplate(kit.deps.ddb, kit.deps.tableName, template);
    await setOutsideWindowTemplate(kit.deps.ddb, kit.deps.tableName, accountId, {
      name: 'retomar_conversa',
      language: 'pt_BR',
    });
    conv = await late('5521970000013');
    log = await kit.messages(conv.id);
    assert.match(
      log.find((m) => m.direction === 'internal')!.text!,
      /"retomar_conversa" \(pt_BR\) não está aprovado/,
    );
    await drain(outboundUrl);

    // Approved: the greeting goes as that template, its parameter the automatic text.
    await putTemplate(kit.deps.ddb, kit.deps.tableName, { ...template, status: 'APPROVED' });
    conv = await late('5521970000014');
    log = await kit.messages(conv.id);
    const sent = log.filter((m) => m.direction === 'out').at(-1)!;
    assert.equal(sent.type, 'template');
    assert.equal(sent.template!.name, 'retomar_conversa');
    assert.equal(sent.text, `Olá! Sobre a sua conversa: ${assistantGreeting('Assistente')}`);
    assert.deepEqual(sent.template!.send, {
      name: 'retomar_conversa',
      language: { code: 'pt_BR' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: assistantGreeting('Assistente') }] }],
    });
    assert.ok(!log.some((m) => m.direction === 'internal'));
    assert.deepEqual(
      (await drain(outboundUrl)).map((j) => j.messageId),
      log.filter((m) => m.direction === 'out').map((m) => m.id),
    );
    await setOutsideWindowTemplate(kit.deps.ddb, kit.deps.tableName, accountId, null);
  });

  test('grouping: three quick messages, one assistant answer covering all three', async () => {
    const number = await numberWith(
      { kind: 'assistant', assistantId, backupDepartmentId: dept.suporte },
      { groupMessagesSeconds: 1 },
    );
    const eva = customer(number, '5521970000005');
    // What the engine asks SQS for: each job hidden for the grouping time. (Checked on the
    // request, not by looking at the queue right away: on a loaded machine three messages can
    // take longer than the 1 s window to process, and the first job is then rightly visible.)
    const delays: (number | undefined)[] = [];
    const watch = 'routing-test-delays';
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { QueueUrl?: string; DelaySeconds?: number };
        if (input.QueueUrl === assistantUrl) delays.push(input.DelaySeconds);
        return next(args);
      },
      { step: 'initialize', name: watch },
    );
    try {
      await eva.says('Oi');
      await eva.says('queria saber o prazo');
      await eva.says('para o CEP 24000-000');
    } finally {
      sqs.middlewareStack.remove(watch);
    }
    assert.deepEqual(delays, [1, 1, 1], 'jobs are delayed by the grouping time');
    const jobs = await drain(assistantUrl, 2);
    assert.equal(jobs.length, 3);

    const turns: string[][] = [];
    const port: AssistantPort = {
      answer: async (turn) => {
        turns.push(turn.pending.map((m) => m.text ?? ''));
        return { kind: 'reply', text: 'O prazo para Niterói é de 2 dias úteis.' };
      },
    };
    const outcomes = [];
    for (const j of jobs)
      outcomes.push(await processAssistantJob(assistantJobSchema.parse(j), { ...deps, port }));
    assert.deepEqual(outcomes.sort(), ['answered', 'superseded', 'superseded']);
    assert.deepEqual(turns, [['Oi', 'queria saber o prazo', 'para o CEP 24000-000']]);
    // A redelivered job changes nothing.
    assert.equal(
      await processAssistantJob(assistantJobSchema.parse(jobs.at(-1)), { ...deps, port }),
      'done-before',
    );
    const conv = await eva.conversation();
    const answers = (await kit.messages(conv.id)).filter((m) => m.sender.type === 'assistant');
    assert.equal(answers.length, 1);
    assert.equal((await drain(outboundUrl)).length, 1);
  });

  test('active routing: the reply to a conversation the business started goes to its department', async () => {
    const number = await numberWith(
      { kind: 'menu', menu: menu() },
      { activeRouting: { enabled: true, departmentId: dept.ativo } },
    );
    const fabio = customer(number, '5521970000006');
    await fabio.says('Oi'); // opens the conversation (menu)…
    let conv = await fabio.conversation();
    // …as if the business had started this attendance (a template, in a later issue).
    await kit.deps.ddb.send(
      new UpdateCommand({
        TableName: kit.deps.tableName,
        Key: keys.conversation(conv.accountId, conv.id),
        UpdateExpression: 'SET startedBy = :b, routingStage = :new',
        ExpressionAttributeValues: { ':b': 'business', ':new': 'new' },
      }),
    );
    await drain(outboundUrl);
    await fabio.says('Recebi a mensagem de vocês, pode falar');
    conv = await fabio.conversation();
    assert.equal(conv.departmentId, dept.ativo);
    assert.equal(conv.routingStage, 'people');
    assert.deepEqual(await drain(outboundUrl, 0), [], 'no menu');
  });

  test('phone filter: other numbers are recorded as ignored, never answered nor routed', async () => {
    const number = await numberWith({ kind: 'menu', menu: menu() }, { allowlist: ['5521970000008'] });
    await customer(number, '5521970000007').says('Oi, sou de fora da lista');
    await customer(number, '5521970000008').says('Oi, sou técnico de campo');
    await flushNumberStats(kit.deps.ddb);
    const convs = (await kit.conversations()).filter((c) => c.numberId === number.id);
    assert.deepEqual(
      convs.map((c) => c.contactPhone),
      ['5521970000008'],
    );
    const stats = await getNumberStats(kit.deps.ddb, kit.deps.tableName, number.accountId, number.id);
    assert.equal(stats.ignored, 1);
    assert.equal(stats.received, 1);
    assert.equal(stats.conversations, 1);
    assert.equal(stats.contacts, 1);
    assert.equal((await drain(outboundUrl)).length, 1, 'only the allowed customer got the menu');
  });

  test('phone filter: a number listed without the Brazilian 9th digit still lets that customer in', async () => {
    const number = await numberWith({ kind: 'none' }, { allowlist: ['552187000009'] });
    await customer(number, '5521987000009').says('Oi, sou eu mesmo');
    const convs = (await kit.conversations()).filter((c) => c.numberId === number.id);
    assert.deepEqual(
      convs.map((c) => c.contactPhone),
      ['5521987000009'],
    );
  });
});
