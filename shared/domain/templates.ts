/**
 * WhatsApp message templates (MSG-5, WIN-1, INB-12): the model as Meta's Graph API
 * returns it (`GET /{waba-id}/message_templates`), the checks Meta applies to a create
 * request (`POST /{waba-id}/message_templates`), the parameters a template asks for, the
 * Cloud API `template` object that sends it, and its plain text for the chat log. Pure.
 *
 * Parameters are positional (`{{1}}`, `{{2}}`: `parameter_format` POSITIONAL, the
 * default) or named (`{{first_name}}`: NAMED). Header media (image, video, document) is
 * given at send time by media id or link; a URL button may end with one `{{1}}` (the
 * suffix sent), a copy-code button takes the code.
 */
import { z } from 'zod';
import { ValidationError, type ErrorIssue } from '#shared/errors.ts';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
/** pt-BR labels of the categories (as the inbox shows them). */
export const CATEGORY_LABELS: Record<TemplateCategory, string> = {
  MARKETING: 'Marketing',
  UTILITY: 'Utilidade',
  AUTHENTICATION: 'Autenticação',
};

/** Meta's review states; the ones besides the first five are rare but do arrive. */
export const TEMPLATE_STATUSES = [
  'PENDING',
  'APPROVED',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'LIMIT_EXCEEDED',
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

/** Meta's limits on a template (create request). */
export const TEMPLATE_LIMITS = {
  name: 512,
  body: 1024,
  headerText: 60,
  footer: 60,
  buttons: 10,
  buttonText: 25,
  url: 2000,
  urlButtons: 2,
  copyCode: 15,
} as const;

const namedExample = z.object({ param_name: z.string(), example: z.string() });

export const headerComponentSchema = z.object({
  type: z.literal('HEADER'),
  format: z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']),
  text: z.string().optional(),
  example: z
    .object({
      header_text: z.array(z.string()).optional(),
      header_text_named_params: z.array(namedExample).optional(),
      header_handle: z.array(z.string()).optional(),
    })
    .optional(),
});
export const bodyComponentSchema = z.object({
  type: z.literal('BODY'),
  text: z.string(),
  example: z
    .object({
      body_text: z.array(z.array(z.string())).optional(),
      body_text_named_params: z.array(namedExample).optional(),
    })
    .optional(),
});
export const footerComponentSchema = z.object({ type: z.literal('FOOTER'), text: z.string() });
export const templateButtonSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: z.string() }),
  z.object({
    type: z.literal('URL'),
    text: z.string(),
    url: z.string(),
    example: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('PHONE_NUMBER'), text: z.string(), phone_number: z.string() }),
  z.object({
    type: z.literal('COPY_CODE'),
    text: z.string().optional(),
    example: z.union([z.string(), z.array(z.string())]).optional(),
  }),
  z.object({ type: z.literal('OTP'), text: z.string().optional(), otp_type: z.string().optional() }),
]);
export type TemplateButton = z.infer<typeof templateButtonSchema>;
export const buttonsComponentSchema = z.object({
  type: z.literal('BUTTONS'),
  buttons: z.array(templateButtonSchema),
});
export const templateComponentSchema = z.discriminatedUnion('type', [
  headerComponentSchema,
  bodyComponentSchema,
  footerComponentSchema,
  buttonsComponentSchema,
]);
export type TemplateComponent = z.infer<typeof templateComponentSchema>;

export const parameterFormatSchema = z.enum(['POSITIONAL', 'NAMED']);

/** A create request, in Meta's shape (what POST /{waba-id}/message_templates takes). */
export const templateCreateSchema = z.object({
  name: z.string(),
  language: z.string(),
  category: z.enum(TEMPLATE_CATEGORIES),
  parameter_format: parameterFormatSchema.optional(),
  components: z.array(templateComponentSchema).min(1),
});
export type TemplateCreate = z.infer<typeof templateCreateSchema>;

/** A template as stored and shown (one per Meta template id, per account and WABA). */
export const templateSchema = z.object({
  /** Meta's template id (digits). */
  id: z.string(),
  accountId: z.string(),
  wabaId: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.enum(TEMPLATE_CATEGORIES),
  status: z.enum(TEMPLATE_STATUSES),
  /** Why Meta rejected, paused or disabled it (its reason code and, when given, its text). */
  reason: z.string().optional(),
  reasonDetail: z.string().optional(),
  /** GREEN / YELLOW / RED / UNKNOWN (message_template_quality_update). */
  quality: z.string().optional(),
  parameterFormat: parameterFormatSchema,
  components: z.array(templateComponentSchema),
  updatedAt: z.number(),
});
export type Template = z.infer<typeof templateSchema>;

/** Values for one send: header/body parameters by position ('1') or name, media, buttons by index. */
export const templateValuesSchema = z.object({
  header: z.record(z.string(), z.string()).optional(),
  body: z.record(z.string(), z.string()).optional(),
  /** Header image/video/document: a Meta media id or an https link. */
  headerMedia: z
    .object({ id: z.string().optional(), link: z.string().optional(), filename: z.string().optional() })
    .optional(),
  /** URL suffix or coupon code, by the button's index in the template ('0', '1', …). */
  buttons: z.record(z.string(), z.string()).optional(),
});
export type TemplateValues = z.infer<typeof templateValuesSchema>;

const VAR = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAMED_PARAM = /^[a-z_][a-z0-9_]*$/;
const POSITIONAL_PARAM = /^[1-9]\d*$/;

/** The parameters of a text, in order of first appearance, without repeats. */
export function paramsOf(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(VAR)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

export interface TemplateParameter {
  component: 'header' | 'body' | 'button';
  /** '1', '2'… or the parameter's name; for a button, its index in the template. */
  key: string;
  kind: 'text' | 'image' | 'video' | 'document' | 'url_suffix' | 'coupon_code';
  /** The example Meta approved, when the template has one. */
  example?: string;
}

const headerOf = (components: readonly TemplateComponent[]) =>
  components.find((c): c is z.infer<typeof headerComponentSchema> => c.type === 'HEADER');
const bodyOf = (components: readonly TemplateComponent[]) =>
  components.find((c): c is z.infer<typeof bodyComponentSchema> => c.type === 'BODY');
const footerOf = (components: readonly TemplateComponent[]) =>
  components.find((c): c is z.infer<typeof footerComponentSchema> => c.type === 'FOOTER');
const buttonsOf = (components: readonly TemplateComponent[]) =>
  components.find((c): c is z.infer<typeof buttonsComponentSchema> => c.type === 'BUTTONS')?.buttons ?? [];

function exampleFor(
  key: string,
  positional: string[] | undefined,
  named: { param_name: string; example: string }[] | undefined,
): string | undefined {
  if (POSITIONAL_PARAM.test(key)) return positional?.[Number(key) - 1];
  return named?.find((n) => n.param_name === key)?.example;
}

/** Every parameter a send of this template needs (header, body, then buttons). */
export function templateParameters(t: Pick<Template, 'components'>): TemplateParameter[] {
  const out: TemplateParameter[] = [];
  const header = headerOf(t.components);
  if (header?.format === 'TEXT') {
    for (const key of paramsOf(header.text))
      out.push({
        component: 'header',
        key,
        kind: 'text',
        ...optional(
          'example',
          exampleFor(key, header.example?.header_text, header.example?.header_text_named_params),
        ),
      });
  } else if (header && header.format !== 'LOCATION') {
    out.push({ component: 'header', key: 'media', kind: header.format.toLowerCase() as 'image' });
  }
  const body = bodyOf(t.components);
  for (const key of paramsOf(body?.text))
    out.push({
      component: 'body',
      key,
      kind: 'text',
      ...optional(
        'example',
        exampleFor(key, body?.example?.body_text?.[0], body?.example?.body_text_named_params),
      ),
    });
  buttonsOf(t.components).forEach((b, i) => {
    if (b.type === 'URL' && paramsOf(b.url).length)
      out.push({
        component: 'button',
        key: String(i),
        kind: 'url_suffix',
        ...optional('example', b.example?.[0]),
      });
    if (b.type === 'COPY_CODE')
      out.push({
        component: 'button',
        key: String(i),
        kind: 'coupon_code',
        ...optional('example', Array.isArray(b.example) ? b.example[0] : b.example),
      });
  });
  return out;
}

const optional = <K extends string, V>(k: K, v: V | undefined) =>
  (v === undefined ? {} : { [k]: v }) as Partial<Record<K, V>>;

/**
 * The problems Meta would refuse a create request for (pt-BR, each with a stable code in
 * `path`'s message); empty when it may be sent.
 */
export function templateCreateProblems(req: TemplateCreate): (ErrorIssue & { code: string })[] {
  const out: (ErrorIssue & { code: string })[] = [];
  const add = (path: string, code: string, message: string) => out.push({ path, code, message });
  if (!/^[a-z0-9_]+$/.test(req.name))
    add('name', 'TEMPLATE_NAME_INVALID', 'O nome do modelo usa só letras minúsculas, números e "_".');
  if (req.name.length > TEMPLATE_LIMITS.name)
    add('name', 'TEMPLATE_NAME_TOO_LONG', `O nome do modelo passa de ${TEMPLATE_LIMITS.name} caracteres.`);
  if (!/^[a-z]{2,3}(_[A-Z]{2}|_[A-Za-z]{4})?$/.test(req.language))
    add('language', 'TEMPLATE_LANGUAGE_INVALID', 'Idioma inválido (ex.: pt_BR, en_US, es).');
  const format = req.parameter_format ?? 'POSITIONAL';
  const count = (type: TemplateComponent['type']) => req.components.filter((c) => c.type === type).length;
  for (const type of ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'] as const)
    if (count(type) > 1)
      add('components', 'TEMPLATE_COMPONENT_REPEATED', `O modelo tem mais de um componente ${type}.`);
  const body = bodyOf(req.components);
  if (!body || !body.text.trim())
    add('components.body', 'TEMPLATE_BODY_REQUIRED', 'O corpo (BODY) do modelo é obrigatório.');

  /** Checks a text's parameters against the format, their order and their examples. */
  const checkParams = (
    path: string,
    text: string,
    examples: { positional?: string[]; named?: { param_name: string }[] },
  ) => {
    const params = paramsOf(text);
    if (!params.length) return;
    const bad = params.filter((p) => !(format === 'NAMED' ? NAMED_PARAM : POSITIONAL_PARAM).test(p));
    if (bad.length) {
      add(
        path,
        'TEMPLATE_PARAM_FORMAT',
        format === 'NAMED'
          ? `Parâmetros nomeados usam letras minúsculas, números e "_" (ex.: {{primeiro_nome}}): ${bad.map((b) => `{{${b}}}`).join(', ')}.`
          : `Parâmetros posicionais são {{1}}, {{2}}…: ${bad.map((b) => `{{${b}}}`).join(', ')}. Para nomes, use parameter_format NAMED.`,
      );
      return;
    }
    if (format === 'POSITIONAL') {
      const nums = params.map(Number).sort((a, b) => a - b);
      if (nums.some((n, i) => n !== i + 1))
        add(path, 'TEMPLATE_PARAM_SEQUENCE', 'Os parâmetros devem ser sequenciais, começando em {{1}}.');
      if ((examples.positional?.length ?? 0) < params.length)
        add(path, 'TEMPLATE_EXAMPLE_REQUIRED', 'Dê um exemplo para cada parâmetro.');
    } else {
      const named = new Set(examples.named?.map((n) => n.param_name));
      if (params.some((p) => !named.has(p)))
        add(path, 'TEMPLATE_EXAMPLE_REQUIRED', 'Dê um exemplo para cada parâmetro.');
    }
    if (/\}\}\s*\{\{/.test(text))
      add(path, 'TEMPLATE_PARAMS_ADJACENT', 'Separe os parâmetros com texto: {{1}}{{2}} não é aceito.');
  };

  if (body?.text.trim()) {
    if (body.text.length > TEMPLATE_LIMITS.body)
      add(
        'components.body',
        'TEMPLATE_BODY_TOO_LONG',
        `O corpo passa de ${TEMPLATE_LIMITS.body} caracteres.`,
      );
    const t = body.text.trim();
    if (/^\{\{[^{}]*\}\}/.test(t) || /\{\{[^{}]*\}\}$/.test(t))
      add(
        'components.body',
        'TEMPLATE_PARAM_AT_EDGE',
        'O corpo não pode começar nem terminar com um parâmetro.',
      );
    checkParams('components.body', body.text, {
      ...optional('positional', body.example?.body_text?.[0]),
      ...optional('named', body.example?.body_text_named_params),
    });
  }
  const header = headerOf(req.components);
  if (header?.format === 'TEXT') {
    const text = header.text ?? '';
    if (!text.trim()) add('components.header', 'TEMPLATE_HEADER_EMPTY', 'O cabeçalho de texto está vazio.');
    if (text.length > TEMPLATE_LIMITS.headerText)
      add(
        'components.header',
        'TEMPLATE_HEADER_TOO_LONG',
        `O cabeçalho passa de ${TEMPLATE_LIMITS.headerText} caracteres.`,
      );
    if (paramsOf(text).length > 1)
      add('components.header', 'TEMPLATE_HEADER_PARAMS', 'O cabeçalho aceita no máximo um parâmetro.');
    else
      checkParams('components.header', text, {
        ...optional('positional', header.example?.header_text),
        ...optional('named', header.example?.header_text_named_params),
      });
  } else if (header && header.format !== 'LOCATION' && !header.example?.header_handle?.length) {
    add(
      'components.header',
      'TEMPLATE_HEADER_EXAMPLE',
      'Um cabeçalho de imagem, vídeo ou documento precisa de um arquivo de exemplo.',
    );
  }
  const footer = footerOf(req.components);
  if (footer) {
    if (footer.text.length > TEMPLATE_LIMITS.footer)
      add(
        'components.footer',
        'TEMPLATE_FOOTER_TOO_LONG',
        `O rodapé passa de ${TEMPLATE_LIMITS.footer} caracteres.`,
      );
    if (paramsOf(footer.text).length)
      add('components.footer', 'TEMPLATE_FOOTER_PARAMS', 'O rodapé não aceita parâmetros.');
  }
  const buttons = buttonsOf(req.components);
  if (buttons.length > TEMPLATE_LIMITS.buttons)
    add('components.buttons', 'TEMPLATE_TOO_MANY_BUTTONS', `No máximo ${TEMPLATE_LIMITS.buttons} botões.`);
  if (buttons.filter((b) => b.type === 'URL').length > TEMPLATE_LIMITS.urlButtons)
    add(
      'components.buttons',
      'TEMPLATE_TOO_MANY_BUTTONS',
      `No máximo ${TEMPLATE_LIMITS.urlButtons} botões de link.`,
    );
  if (
    buttons.filter((b) => b.type === 'COPY_CODE').length > 1 ||
    buttons.filter((b) => b.type === 'PHONE_NUMBER').length > 1
  )
    add(
      'components.buttons',
      'TEMPLATE_TOO_MANY_BUTTONS',
      'No máximo um botão de copiar código e um de telefone.',
    );
  buttons.forEach((b, i) => {
    const path = `components.buttons.${i}`;
    if (b.type !== 'COPY_CODE' && b.type !== 'OTP') {
      if (!b.text.trim()) add(path, 'TEMPLATE_BUTTON_TEXT', 'O botão precisa de um texto.');
      if (b.text.length > TEMPLATE_LIMITS.buttonText)
        add(
          path,
          'TEMPLATE_BUTTON_TEXT',
          `O texto do botão passa de ${TEMPLATE_LIMITS.buttonText} caracteres.`,
        );
    }
    if (b.type === 'URL') {
      if (!/^https?:\/\/\S+$/.test(b.url) || b.url.length > TEMPLATE_LIMITS.url)
        add(path, 'TEMPLATE_BUTTON_URL', 'O link do botão deve começar com https:// (até 2000 caracteres).');
      const vars = paramsOf(b.url);
      if (vars.length > 1 || (vars.length === 1 && !/\{\{\s*1\s*\}\}$/.test(b.url)))
        add(path, 'TEMPLATE_BUTTON_URL', 'O link aceita um só parâmetro, {{1}}, no fim.');
      else if (vars.length === 1 && !b.example?.length)
        add(path, 'TEMPLATE_EXAMPLE_REQUIRED', 'Dê um exemplo do link completo.');
    }
    if (b.type === 'COPY_CODE') {
      const ex = Array.isArray(b.example) ? b.example[0] : b.example;
      if (!ex || ex.length > TEMPLATE_LIMITS.copyCode)
        add(
          path,
          'TEMPLATE_BUTTON_CODE',
          `Dê um código de exemplo de até ${TEMPLATE_LIMITS.copyCode} caracteres.`,
        );
    }
  });
  if (req.category === 'AUTHENTICATION' && header && header.format !== 'TEXT')
    add('components.header', 'TEMPLATE_AUTH_MEDIA', 'Modelos de autenticação não têm mídia.');
  return out;
}

/** Throws ValidationError (code of the first problem, every problem in `issues`) unless Meta would take it. */
export function validateTemplateCreate(req: TemplateCreate): void {
  const problems = templateCreateProblems(req);
  if (problems.length)
    throw new ValidationError(
      problems[0]!.message,
      problems.map(({ path, message }) => ({ path, message })),
      problems[0]!.code,
    );
}

/** The parameters of a template that `values` leaves empty (pt-BR labels). */
export function missingParameters(
  t: Pick<Template, 'components'>,
  values: TemplateValues,
): TemplateParameter[] {
  return templateParameters(t).filter((p) => {
    if (p.component === 'header')
      return p.kind === 'text'
        ? !values.header?.[p.key]?.trim()
        : !(values.headerMedia?.id || values.headerMedia?.link);
    if (p.component === 'body') return !values.body?.[p.key]?.trim();
    return !values.buttons?.[p.key]?.trim();
  });
}

const labelOf = (p: TemplateParameter) =>
  p.component === 'header'
    ? p.kind === 'text'
      ? `cabeçalho {{${p.key}}}`
      : 'mídia do cabeçalho'
    : p.component === 'body'
      ? `{{${p.key}}}`
      : `botão ${Number(p.key) + 1}`;

/**
 * The Cloud API `template` object that sends `t` with `values` (components in Meta's
 * send shape: lowercase types, `parameter_name` for named parameters, buttons by index).
 * Throws ValidationError TEMPLATE_PARAMS_MISSING when a parameter has no value.
 */
export function buildTemplateSend(
  t: Pick<Template, 'name' | 'language' | 'components' | 'parameterFormat'>,
  values: TemplateValues,
): Record<string, unknown> {
  const missing = missingParameters(t, values);
  if (missing.length)
    throw new ValidationError(
      `Preencha os parâmetros do modelo: ${missing.map(labelOf).join(', ')}.`,
      missing.map((p) => ({ path: `${p.component}.${p.key}`, message: 'Obrigatório.' })),
      'TEMPLATE_PARAMS_MISSING',
    );
  const named = t.parameterFormat === 'NAMED';
  const textParam = (key: string, text: string) => ({
    type: 'text',
    ...(named ? { parameter_name: key } : {}),
    text,
  });
  const components: Record<string, unknown>[] = [];
  const header = headerOf(t.components);
  if (header?.format === 'TEXT') {
    const keys = paramsOf(header.text);
    if (keys.length)
      components.push({ type: 'header', parameters: keys.map((k) => textParam(k, values.header![k]!)) });
  } else if (header && header.format !== 'LOCATION') {
    const kind = header.format.toLowerCase();
    const m = values.headerMedia!;
    components.push({
      type: 'header',
      parameters: [
        {
          type: kind,
          [kind]: {
            ...(m.id ? { id: m.id } : { link: m.link }),
            ...(kind === 'document' && m.filename ? { filename: m.filename } : {}),
          },
        },
      ],
    });
  }
  const bodyKeys = paramsOf(bodyOf(t.components)?.text);
  if (bodyKeys.length)
    components.push({ type: 'body', parameters: bodyKeys.map((k) => textParam(k, values.body![k]!)) });
  buttonsOf(t.components).forEach((b, i) => {
    const v = values.buttons?.[String(i)];
    if (b.type === 'URL' && paramsOf(b.url).length)
      components.push({
        type: 'button',
        sub_type: 'url',
        index: String(i),
        parameters: [{ type: 'text', text: v }],
      });
    if (b.type === 'COPY_CODE')
      components.push({
        type: 'button',
        sub_type: 'copy_code',
        index: String(i),
        parameters: [{ type: 'coupon_code', coupon_code: v }],
      });
  });
  return {
    name: t.name,
    language: { code: t.language },
    ...(components.length ? { components } : {}),
  };
}

const fill = (text: string | undefined, values: Record<string, string> | undefined) =>
  (text ?? '').replace(VAR, (whole, key: string) => values?.[key] ?? whole);

/**
 * The template as the chat log and the preview show it: header, body, footer (parameters
 * filled, the unfilled kept as `{{…}}`), and one line per button.
 */
export function renderTemplateText(t: Pick<Template, 'components'>, values: TemplateValues = {}): string {
  const lines: string[] = [];
  const header = headerOf(t.components);
  if (header?.format === 'TEXT' && header.text) lines.push(`*${fill(header.text, values.header)}*`);
  const body = bodyOf(t.components);
  if (body) lines.push(fill(body.text, values.body));
  const footer = footerOf(t.components);
  if (footer?.text) lines.push(`_${footer.text}_`);
  const buttons = buttonsOf(t.components);
  if (buttons.length)
    lines.push(
      buttons
        .map((b, i) => {
          if (b.type !== 'COPY_CODE' && b.type !== 'OTP') return `[${b.text}]`;
          const code = values.buttons?.[String(i)];
          return code ? `[Copiar código: ${code}]` : '[Copiar código]';
        })
        .join(' '),
    );
  return lines.join('\n\n');
}

/**
 * What Meta checks when the template is sent (the simulator's 132000): the number of
 * parameters given per component against the template's. Returns the mismatch, pt-BR, or
 * undefined when they agree.
 */
export function sendParameterMismatch(
  t: Pick<Template, 'components'>,
  send: {
    components?: { type?: string; sub_type?: string; index?: string | number; parameters?: unknown[] }[];
  },
): string | undefined {
  const given = (type: string, index?: string) =>
    (send.components ?? [])
      .filter((c) => c.type === type && (index === undefined || String(c.index) === index))
      .reduce((n, c) => n + (c.parameters?.length ?? 0), 0);
  const needed = templateParameters(t);
  const want = (component: TemplateParameter['component'], key?: string) =>
    needed.filter((p) => p.component === component && (key === undefined || p.key === key)).length;
  if (given('header') !== want('header'))
    return `header: expected ${want('header')} parameters, received ${given('header')}`;
  if (given('body') !== want('body'))
    return `body: expected ${want('body')} parameters, received ${given('body')}`;
  const buttons = buttonsOf(t.components);
  for (let i = 0; i < buttons.length; i++) {
    const w = want('button', String(i));
    const g = given('button', String(i));
    if (w && g !== w) return `button ${i}: expected ${w} parameters, received ${g}`;
  }
  return undefined;
}

/** A template from Graph's `GET /{waba-id}/message_templates` (one `data` entry), as stored. */
export function templateFromGraph(
  raw: Record<string, unknown>,
  ctx: { accountId: string; wabaId: string; now: number },
): Template | undefined {
  const parsed = z
    .object({
      id: z.union([z.string(), z.number()]).transform(String),
      name: z.string(),
      language: z.string(),
      category: z.string(),
      status: z.string(),
      parameter_format: z.string().optional(),
      rejected_reason: z.string().optional(),
      quality_score: z.object({ score: z.string().optional() }).optional(),
      components: z.array(z.unknown()).default([]),
    })
    .safeParse(raw);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const category = (TEMPLATE_CATEGORIES as readonly string[]).includes(d.category.toUpperCase())
    ? (d.category.toUpperCase() as TemplateCategory)
    : undefined;
  const status = (TEMPLATE_STATUSES as readonly string[]).includes(d.status.toUpperCase())
    ? (d.status.toUpperCase() as TemplateStatus)
    : undefined;
  if (!category || !status) return undefined;
  // Unknown component kinds (carousels, flows…) are left out: they cannot be sent from here.
  const components = d.components
    .map((c) => templateComponentSchema.safeParse(c))
    .filter((r) => r.success)
    .map((r) => r.data);
  return {
    id: d.id,
    accountId: ctx.accountId,
    wabaId: ctx.wabaId,
    name: d.name,
    language: d.language,
    category,
    status,
    ...(d.rejected_reason && d.rejected_reason !== 'NONE' ? { reason: d.rejected_reason } : {}),
    ...(d.quality_score?.score ? { quality: d.quality_score.score } : {}),
    parameterFormat: d.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    components,
    updatedAt: ctx.now,
  };
}

/** A template webhook's change (status, quality or category), as the stored template takes it. */
export type TemplateEventChange =
  | { kind: 'status'; templateId: string; status: TemplateStatus; reason?: string; reasonDetail?: string }
  | { kind: 'quality'; templateId: string; quality: string }
  | { kind: 'category'; templateId: string; category: TemplateCategory };

/**
 * Reads `message_template_status_update`, `message_template_quality_update` and
 * `template_category_update` values; undefined for any other field or a value without a
 * template id.
 */
export function templateEventChange(field: string, value: unknown): TemplateEventChange | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const id = v.message_template_id;
  const templateId = typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
  if (!templateId || !/^\d{1,30}$/.test(templateId)) return undefined;
  const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  if (field === 'message_template_status_update') {
    const status = str(v.event)?.toUpperCase();
    if (!status || !(TEMPLATE_STATUSES as readonly string[]).includes(status)) return undefined;
    const info = v.rejection_info as Record<string, unknown> | undefined;
    const reason = str(v.reason);
    const detail =
      str(info?.reason) ?? str(v.other_info && (v.other_info as Record<string, unknown>).description);
    return {
      kind: 'status',
      templateId,
      status: status as TemplateStatus,
      ...(reason && reason !== 'NONE' ? { reason } : {}),
      ...(detail ? { reasonDetail: detail.slice(0, 1000) } : {}),
    };
  }
  if (field === 'message_template_quality_update') {
    const quality = str(v.new_quality_score);
    return quality ? { kind: 'quality', templateId, quality: quality.slice(0, 20) } : undefined;
  }
  if (field === 'template_category_update') {
    const category = str(v.new_category)?.toUpperCase();
    return category && (TEMPLATE_CATEGORIES as readonly string[]).includes(category)
      ? { kind: 'category', templateId, category: category as TemplateCategory }
      : undefined;
  }
  return undefined;
}

/** The template fields a webhook's change sets. */
export function applyTemplateEvent(t: Template, change: TemplateEventChange, now: number): Template {
  if (change.kind === 'status') {
    const { reason: _r, reasonDetail: _d, ...rest } = t;
    return {
      ...rest,
      status: change.status,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.reasonDetail ? { reasonDetail: change.reasonDetail } : {}),
      updatedAt: now,
    };
  }
  if (change.kind === 'quality') return { ...t, quality: change.quality, updatedAt: now };
  return { ...t, category: change.category, updatedAt: now };
}
