import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { ValidationError } from '#shared/errors.ts';
import {
  buildTemplateSend,
  missingParameters,
  renderTemplateText,
  sendParameterMismatch,
  templateCreateProblems,
  templateEventChange,
  templateFromGraph,
  templateParameters,
  validateTemplateCreate,
  type Template,
  type TemplateCreate,
} from '#shared/domain/templates.ts';

const positional: Template = {
  id: '111',
  accountId: 'a',
  wabaId: 'w',
  name: 'pedido_enviado',
  language: 'pt_BR',
  category: 'UTILITY',
  status: 'APPROVED',
  parameterFormat: 'POSITIONAL',
  updatedAt: 0,
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['h'] } },
    {
      type: 'BODY',
      text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.',
      example: { body_text: [['Ana', '42']] },
    },
    { type: 'FOOTER', text: 'Loja Exemplo' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Falar com atendente' },
        {
          type: 'URL',
          text: 'Rastrear',
          url: 'https://example.com/r/{{1}}',
          example: ['https://example.com/r/42'],
        },
        { type: 'COPY_CODE', example: 'CUPOM10' },
      ],
    },
  ],
};

const named: Template = {
  ...positional,
  id: '222',
  name: 'boas_vindas',
  parameterFormat: 'NAMED',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Oi, {{nome}}',
      example: { header_text_named_params: [{ param_name: 'nome', example: 'Ana' }] },
    },
    {
      type: 'BODY',
      text: 'Seu protocolo é {{protocolo}}. Até logo!',
      example: { body_text_named_params: [{ param_name: 'protocolo', example: '2026-1' }] },
    },
  ],
};

const create = (over: Partial<TemplateCreate> = {}): TemplateCreate => ({
  name: 'lembrete_pagamento',
  language: 'pt_BR',
  category: 'UTILITY',
  components: [
    { type: 'BODY', text: 'Olá {{1}}, sua fatura vence amanhã.', example: { body_text: [['Ana']] } },
  ],
  ...over,
});
const codes = (req: TemplateCreate) => templateCreateProblems(req).map((p) => p.code);

describe('template create validation (as Meta states it)', () => {
  test('a well-formed positional or named request passes', () => {
    expect(codes(create())).toEqual([]);
    expect(
      codes(
        create({
          parameter_format: 'NAMED',
          components: named.components,
        }),
      ),
    ).toEqual([]);
    expect(() => validateTemplateCreate(create())).not.toThrow();
  });
  test('name, language, body and repeated components', () => {
    expect(codes(create({ name: 'Lembrete Pagamento' }))).toContain('TEMPLATE_NAME_INVALID');
    expect(codes(create({ language: 'portugues' }))).toContain('TEMPLATE_LANGUAGE_INVALID');
    expect(codes(create({ components: [{ type: 'FOOTER', text: 'x' }] }))).toContain(
      'TEMPLATE_BODY_REQUIRED',
    );
    expect(
      codes(
        create({
          components: [
            ...create().components,
            { type: 'BODY', text: 'outro {{1}} texto', example: { body_text: [['a']] } },
          ],
        }),
      ),
    ).toContain('TEMPLATE_COMPONENT_REPEATED');
  });
  test('parameters: sequence, format, examples, adjacency, edges', () => {
    const body = (text: string, ex?: string[]) =>
      create({ components: [{ type: 'BODY', text, ...(ex ? { example: { body_text: [ex] } } : {}) }] });
    expect(codes(body('Olá {{2}}, tudo bem?', ['a']))).toContain('TEMPLATE_PARAM_SEQUENCE');
    expect(codes(body('Olá {{nome}}, tudo bem?', ['a']))).toContain('TEMPLATE_PARAM_FORMAT');
    expect(codes(body('Olá {{1}}, tudo bem?'))).toContain('TEMPLATE_EXAMPLE_REQUIRED');
    expect(codes(body('Olá {{1}}{{2}} tudo bem?', ['a', 'b']))).toContain('TEMPLATE_PARAMS_ADJACENT');
    expect(codes(body('{{1}}, tudo bem?', ['a']))).toContain('TEMPLATE_PARAM_AT_EDGE');
    expect(codes(body('Tudo bem, {{1}}', ['a']))).toContain('TEMPLATE_PARAM_AT_EDGE');
    expect(codes(body('x'.repeat(1025)))).toContain('TEMPLATE_BODY_TOO_LONG');
    expect(
      codes(
        create({ parameter_format: 'NAMED', components: [{ type: 'BODY', text: 'Olá {{1}} tudo bem' }] }),
      ),
    ).toContain('TEMPLATE_PARAM_FORMAT');
  });
  test('header, footer and buttons', () => {
    const withParts = (...parts: TemplateCreate['components']) =>
      create({ components: [...create().components, ...parts] });
    expect(codes(withParts({ type: 'HEADER', format: 'IMAGE' }))).toContain('TEMPLATE_HEADER_EXAMPLE');
    expect(codes(withParts({ type: 'HEADER', format: 'TEXT', text: 'x'.repeat(61) }))).toContain(
      'TEMPLATE_HEADER_TOO_LONG',
    );
    expect(
      codes(
        withParts({
          type: 'HEADER',
          format: 'TEXT',
          text: 'a {{1}} b {{2}}',
          example: { header_text: ['x', 'y'] },
        }),
      ),
    ).toContain('TEMPLATE_HEADER_PARAMS');
    expect(codes(withParts({ type: 'FOOTER', text: 'Oi {{1}}' }))).toContain('TEMPLATE_FOOTER_PARAMS');
    expect(
      codes(
        withParts({ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://x.com/{{1}}/a' }] }),
      ),
    ).toContain('TEMPLATE_BUTTON_URL');
    expect(
      codes(withParts({ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'x'.repeat(26) }] })),
    ).toContain('TEMPLATE_BUTTON_TEXT');
    expect(
      codes(
        withParts({
          type: 'BUTTONS',
          buttons: Array.from({ length: 11 }, () => ({ type: 'QUICK_REPLY' as const, text: 'ok' })),
        }),
      ),
    ).toContain('TEMPLATE_TOO_MANY_BUTTONS');
    expect(codes(withParts({ type: 'BUTTONS', buttons: [{ type: 'COPY_CODE' }] }))).toContain(
      'TEMPLATE_BUTTON_CODE',
    );
  });
  test('the thrown error carries the first code and every issue, in pt-BR', () => {
    try {
      validateTemplateCreate(create({ name: 'A B', language: 'x' }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('TEMPLATE_NAME_INVALID');
      expect((err as ValidationError).issues?.map((i) => i.path)).toEqual(['name', 'language']);
      expect((err as ValidationError).message).toMatch(/letras minúsculas/);
    }
  });
});

describe('parameters, send payload and rendering', () => {
  test('the parameters a template needs, with their examples', () => {
    expect(templateParameters(positional)).toEqual([
      { component: 'header', key: 'media', kind: 'image' },
      { component: 'body', key: '1', kind: 'text', example: 'Ana' },
      { component: 'body', key: '2', kind: 'text', example: '42' },
      { component: 'button', key: '1', kind: 'url_suffix', example: 'https://example.com/r/42' },
      { component: 'button', key: '2', kind: 'coupon_code', example: 'CUPOM10' },
    ]);
    expect(templateParameters(named).map((p) => `${p.component}:${p.key}`)).toEqual([
      'header:nome',
      'body:protocolo',
    ]);
  });

  test('positional: header media by id, body in order, url suffix and coupon by index', () => {
    const values = {
      headerMedia: { id: '998877' },
      body: { '1': 'Ana', '2': '42' },
      buttons: { '1': '42', '2': 'CUPOM10' },
    };
    expect(missingParameters(positional, values)).toEqual([]);
    expect(buildTemplateSend(positional, values)).toEqual({
      name: 'pedido_enviado',
      language: { code: 'pt_BR' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { id: '998877' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '42' },
          ],
        },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '42' }] },
        {
          type: 'button',
          sub_type: 'copy_code',
          index: '2',
          parameters: [{ type: 'coupon_code', coupon_code: 'CUPOM10' }],
        },
      ],
    });
  });

  test('named: parameter_name on each text parameter; document header by link keeps its filename', () => {
    expect(buildTemplateSend(named, { header: { nome: 'Ana' }, body: { protocolo: '2026-7' } })).toEqual({
      name: 'boas_vindas',
      language: { code: 'pt_BR' },
      components: [
        { type: 'header', parameters: [{ type: 'text', parameter_name: 'nome', text: 'Ana' }] },
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'protocolo', text: '2026-7' }] },
      ],
    });
    const doc: Template = {
      ...positional,
      components: [
        { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['h'] } },
        { type: 'BODY', text: 'Segue o boleto.' },
      ],
    };
    expect(
      buildTemplateSend(doc, { headerMedia: { link: 'https://x.com/b.pdf', filename: 'boleto.pdf' } }),
    ).toEqual({
      name: 'pedido_enviado',
      language: { code: 'pt_BR' },
      components: [
        {
          type: 'header',
          parameters: [
            { type: 'document', document: { link: 'https://x.com/b.pdf', filename: 'boleto.pdf' } },
          ],
        },
      ],
    });
  });

  test('a missing value is refused with TEMPLATE_PARAMS_MISSING, naming what is missing', () => {
    try {
      buildTemplateSend(positional, { body: { '1': 'Ana' } });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).code).toBe('TEMPLATE_PARAMS_MISSING');
      expect((err as ValidationError).message).toBe(
        'Preencha os parâmetros do modelo: mídia do cabeçalho, {{2}}, botão 2, botão 3.',
      );
    }
  });

  test('plain-text rendering for the chat log and preview', () => {
    expect(renderTemplateText(named, { header: { nome: 'Ana' }, body: { protocolo: '9' } })).toBe(
      '*Oi, Ana*\n\nSeu protocolo é 9. Até logo!',
    );
    expect(renderTemplateText(positional, { body: { '1': 'Ana' } })).toBe(
      'Olá Ana, seu pedido {{2}} saiu para entrega.\n\n_Loja Exemplo_\n\n[Falar com atendente] [Rastrear] [Copiar código]',
    );
  });

  test('the send-time parameter count check (Meta 132000)', () => {
    const ok = buildTemplateSend(positional, {
      headerMedia: { id: '1' },
      body: { '1': 'a', '2': 'b' },
      buttons: { '1': 'x', '2': 'y' },
    }) as { components: { type: string; parameters: unknown[] }[] };
    expect(sendParameterMismatch(positional, ok)).toBeUndefined();
    const fewer = {
      components: ok.components.map((c) => (c.type === 'body' ? { ...c, parameters: [c.parameters[0]] } : c)),
    };
    expect(sendParameterMismatch(positional, fewer)).toBe('body: expected 2 parameters, received 1');
    expect(sendParameterMismatch(positional, {})).toBe('header: expected 1 parameters, received 0');
  });
});

describe('Graph and webhook shapes', () => {
  test('a Graph list entry becomes a stored template; unknown categories are skipped', () => {
    const t = templateFromGraph(
      {
        id: '5',
        name: 'x',
        language: 'pt_BR',
        category: 'MARKETING',
        status: 'REJECTED',
        rejected_reason: 'INVALID_FORMAT',
        parameter_format: 'NAMED',
        components: [
          { type: 'BODY', text: 'oi' },
          { type: 'CAROUSEL', cards: [] },
        ],
      },
      { accountId: 'a', wabaId: 'w', now: 7 },
    );
    expect(t).toMatchObject({
      id: '5',
      status: 'REJECTED',
      reason: 'INVALID_FORMAT',
      parameterFormat: 'NAMED',
    });
    expect(t?.components).toEqual([{ type: 'BODY', text: 'oi' }]);
    expect(
      templateFromGraph(
        { id: '5', name: 'x', language: 'pt', category: 'OTHER', status: 'APPROVED' },
        { accountId: 'a', wabaId: 'w', now: 1 },
      ),
    ).toBeUndefined();
  });

  test("the fixtures' status updates, quality and category changes", () => {
    const fixture = (name: string) =>
      JSON.parse(readFileSync(new URL(`../fixtures/meta-webhooks/${name}`, import.meta.url), 'utf8')) as {
        entry: { changes: { field: string; value: unknown }[] }[];
      };
    const approved = fixture('pywa-template_status_update--approved.json').entry[0]!.changes[0]!;
    expect(templateEventChange(approved.field, approved.value)).toEqual({
      kind: 'status',
      templateId: '1689556908129832',
      status: 'APPROVED',
    });
    const rejected = fixture('pywa-template_status_update--rejected.json').entry[0]!.changes[0]!;
    expect(templateEventChange(rejected.field, rejected.value)).toMatchObject({
      kind: 'status',
      status: 'REJECTED',
      reason: 'INVALID_FORMAT',
      reasonDetail: expect.stringMatching(/parameters placed next to each other/),
    });
    expect(
      templateEventChange('message_template_quality_update', {
        previous_quality_score: 'GREEN',
        new_quality_score: 'YELLOW',
        message_template_id: 12,
      }),
    ).toEqual({ kind: 'quality', templateId: '12', quality: 'YELLOW' });
    expect(
      templateEventChange('template_category_update', {
        message_template_id: '13',
        new_category: 'MARKETING',
      }),
    ).toEqual({ kind: 'category', templateId: '13', category: 'MARKETING' });
    expect(templateEventChange('account_update', { message_template_id: 1 })).toBeUndefined();
    expect(
      templateEventChange('message_template_status_update', { event: 'APPROVED', message_template_id: 'x' }),
    ).toBeUndefined();
  });
});
