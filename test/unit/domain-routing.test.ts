import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  DEFAULT_INVALID_REPLY,
  decideRouting,
  menuInteractive,
  numberRoutingSchema,
  routingProblems,
  stateAfter,
  type NumberRouting,
  type RoutingInput,
  type TriageMenu,
} from '#shared/domain/routing.ts';
import { isWithinHours, localTime, type WorkingHours } from '#shared/domain/hours.ts';

const TZ = 'America/Sao_Paulo';
/** Monday 2026-11-23 at the given São Paulo time (UTC−3, no daylight saving). */
const monday = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00-03:00`);
const business: WorkingHours = {
  days: { '1': [{ from: '08:00', to: '18:00' }], '2': [{ from: '08:00', to: '18:00' }] },
};

const menu: TriageMenu = {
  body: 'Olá! Como podemos ajudar?',
  button: 'Ver opções',
  options: [
    { id: 'vendas', title: 'Comprar', target: { kind: 'department', departmentId: 'd-vendas' } },
    {
      id: 'duvidas',
      title: 'Tirar dúvidas',
      description: 'Nosso assistente responde na hora',
      target: { kind: 'assistant', assistantId: 'a-1', backupDepartmentId: 'd-suporte' },
    },
  ],
};

const input = (over: Partial<RoutingInput>): RoutingInput => ({
  routing: { kind: 'menu', menu },
  state: { stage: 'new' },
  startedByBusiness: false,
  assistants: [{ id: 'a-1', workingHours: business }],
  now: monday('10:00'),
  timeZone: TZ,
  ...over,
});

describe('routing of a conversation the customer starts', () => {
  test('each default: a department (with its automatic message), an assistant, a menu, or nobody', () => {
    assert.deepEqual(
      decideRouting(
        input({ routing: { kind: 'department', departmentId: 'd-1', autoMessage: 'Já vamos te atender' } }),
      ),
      { action: 'toDepartment', departmentId: 'd-1', autoMessage: 'Já vamos te atender', reason: 'default' },
    );
    assert.deepEqual(
      decideRouting(input({ routing: { kind: 'assistant', assistantId: 'a-1', backupDepartmentId: 'd-2' } })),
      { action: 'toAssistant', assistantId: 'a-1', reason: 'default' },
    );
    assert.deepEqual(decideRouting(input({})), { action: 'sendMenu', menu });
    assert.deepEqual(decideRouting(input({ routing: { kind: 'none' } })), { action: 'none' });
  });

  test('an assistant outside its working hours hands over to the backup department', () => {
    const routing: NumberRouting = { kind: 'assistant', assistantId: 'a-1', backupDepartmentId: 'd-2' };
    assert.deepEqual(decideRouting(input({ routing, now: monday('19:30') })), {
      action: 'toDepartment',
      departmentId: 'd-2',
      reason: 'backup',
    });
    // A switched-off or missing assistant is "not working" too.
    assert.equal(
      decideRouting(input({ routing, assistants: [{ id: 'a-1', enabled: false }] })).action,
      'toDepartment',
    );
    assert.equal(decideRouting(input({ routing, assistants: [] })).action, 'toDepartment');
  });

  test('a menu answer routes by its option; an assistant option falls back outside hours', () => {
    const waiting = { stage: 'menu' } as const;
    assert.deepEqual(decideRouting(input({ state: waiting, reply: { id: 'vendas' } })), {
      action: 'toDepartment',
      departmentId: 'd-vendas',
      reason: 'menu',
    });
    assert.deepEqual(decideRouting(input({ state: waiting, reply: { id: 'duvidas' } })), {
      action: 'toAssistant',
      assistantId: 'a-1',
      reason: 'menu',
    });
    assert.deepEqual(
      decideRouting(input({ state: waiting, reply: { id: 'duvidas' }, now: monday('07:59') })),
      { action: 'toDepartment', departmentId: 'd-suporte', reason: 'backup' },
    );
  });

  test('an answer that is not an option gets the menu again, with a polite sentence', () => {
    const waiting = { stage: 'menu' } as const;
    assert.deepEqual(decideRouting(input({ state: waiting })), {
      action: 'sendMenu',
      menu,
      apology: DEFAULT_INVALID_REPLY,
    });
    const own = { ...menu, invalidReply: 'Escolha uma opção, por favor 🙂' };
    assert.deepEqual(
      decideRouting(input({ state: waiting, routing: { kind: 'menu', menu: own }, reply: { id: 'x' } })),
      { action: 'sendMenu', menu: own, apology: 'Escolha uma opção, por favor 🙂' },
    );
  });

  test('active routing: when the business started the conversation, the reply goes to its department', () => {
    const active = { enabled: true, departmentId: 'd-ativo' };
    assert.deepEqual(decideRouting(input({ startedByBusiness: true, active })), {
      action: 'toDepartment',
      departmentId: 'd-ativo',
      reason: 'active',
    });
    // Not when the customer started it, nor when switched off.
    assert.equal(decideRouting(input({ startedByBusiness: false, active })).action, 'sendMenu');
    assert.equal(
      decideRouting(input({ startedByBusiness: true, active: { ...active, enabled: false } })).action,
      'sendMenu',
    );
  });

  test('once routed: a department keeps it (people answer), an assistant keeps answering', () => {
    assert.deepEqual(decideRouting(input({ state: { stage: 'people' } })), { action: 'none' });
    assert.deepEqual(decideRouting(input({ state: { stage: 'assistant', assistantId: 'a-1' } })), {
      action: 'toAssistant',
      assistantId: 'a-1',
      reason: 'assistant',
    });
  });

  test('the state a decision leaves', () => {
    assert.deepEqual(stateAfter({ action: 'sendMenu', menu }, { stage: 'new' }), { stage: 'menu' });
    assert.deepEqual(
      stateAfter({ action: 'toDepartment', departmentId: 'd', reason: 'menu' }, { stage: 'menu' }),
      { stage: 'people' },
    );
    assert.deepEqual(
      stateAfter({ action: 'toAssistant', assistantId: 'a', reason: 'menu' }, { stage: 'menu' }),
      { stage: 'assistant', assistantId: 'a' },
    );
    assert.deepEqual(stateAfter({ action: 'none' }, { stage: 'new' }), { stage: 'people' });
  });
});

describe('triage menu as WhatsApp sends it', () => {
  test('is an interactive list with one row per option', () => {
    assert.deepEqual(menuInteractive({ ...menu, header: 'Loja Azul' }), {
      type: 'list',
      header: { type: 'text', text: 'Loja Azul' },
      body: { text: 'Olá! Como podemos ajudar?' },
      action: {
        button: 'Ver opções',
        sections: [
          {
            rows: [
              { id: 'vendas', title: 'Comprar' },
              { id: 'duvidas', title: 'Tirar dúvidas', description: 'Nosso assistente responde na hora' },
            ],
          },
        ],
      },
    });
  });

  test('Meta’s limits are enforced when saving: at most 10 rows, 24-character titles, 20-character button', () => {
    const option = (i: number) => ({
      id: `o${i}`,
      title: `Opção ${i}`,
      target: { kind: 'department' as const, departmentId: 'd-1' },
    });
    const eleven = numberRoutingSchema.safeParse({
      kind: 'menu',
      menu: { ...menu, options: Array.from({ length: 11 }, (_, i) => option(i)) },
    });
    assert.equal(eleven.success, false);
    const longTitle = numberRoutingSchema.safeParse({
      kind: 'menu',
      menu: { ...menu, options: [{ ...option(1), title: 'Um título com mais de vinte e quatro' }] },
    });
    assert.equal(longTitle.success, false);
    assert.equal(
      numberRoutingSchema.safeParse({ kind: 'menu', menu: { ...menu, button: 'Um botão longo demais aqui' } })
        .success,
      false,
    );
  });

  test('unknown departments or assistants and repeated option ids are named in Portuguese', () => {
    const problems = routingProblems(
      {
        kind: 'menu',
        menu: { ...menu, options: [menu.options[0]!, { ...menu.options[1]!, id: 'vendas' }] },
      },
      { departmentIds: ['d-vendas'], assistantIds: [] },
    );
    assert.deepEqual(
      problems.map((p) => p.code),
      ['DUPLICATE_OPTION', 'UNKNOWN_ASSISTANT', 'UNKNOWN_DEPARTMENT'],
    );
    assert.match(problems[1]!.message, /Opção 2 \(Tirar dúvidas\): o assistente escolhido não existe/);
    assert.deepEqual(
      routingProblems(
        { kind: 'menu', menu },
        { departmentIds: ['d-vendas', 'd-suporte'], assistantIds: ['a-1'] },
      ),
      [],
    );
  });
});

describe('working hours', () => {
  test('no hours means always; ranges are read in the account’s time zone', () => {
    assert.equal(isWithinHours(undefined, monday('03:00'), TZ), true);
    assert.equal(isWithinHours(business, monday('08:00'), TZ), true);
    assert.equal(isWithinHours(business, monday('17:59'), TZ), true);
    assert.equal(isWithinHours(business, monday('18:00'), TZ), false);
    // 10:00 in São Paulo is 13:00 UTC and 14:00 in Lisbon's winter… still Monday in both.
    assert.equal(isWithinHours(business, monday('10:00'), 'Europe/Lisbon'), true);
    // Sunday is closed.
    assert.equal(isWithinHours(business, Date.parse('2026-11-22T10:00:00-03:00'), TZ), false);
    assert.deepEqual(localTime(monday('23:30'), TZ), { weekday: 1, hhmm: '23:30' });
    assert.deepEqual(localTime(monday('23:30'), 'UTC'), { weekday: 2, hhmm: '02:30' });
  });
});
