/**
 * The assistant's tools (AI-3): their definitions for the model (Chat Completions
 * `tools`) and what each does. Every call and its result is recorded in the conversation
 * by the caller (shared/assistant/ai-port.ts), visible to agents.
 *
 * - transfer_to_human(summary, department?) — hands over; the summary becomes an internal note.
 * - set_variable(name, value) — validated by the variable's type (AI-5), kept on the conversation.
 * - search_knowledge_base(query) — the best passages of the assistant's knowledge bases.
 * - schedule_appointment(date, time, title, …) — an appointment of the account.
 * - one function per HTTP endpoint the admin configured — only that URL's host, with a timeout,
 *   through the outbound-URL guard (shared/net/outbound-url.ts): internal addresses refused.
 *   Its header values (API keys) are sent, never recorded: the call record keeps the
 *   model's arguments and the answer with those values blanked.
 */
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { checkDate, checkVariable } from '#shared/domain/validators.ts';
import { redactHeaderValues } from '#shared/domain/http-tool-headers.ts';
import { zonedEpoch } from '#shared/domain/hours.ts';
import { checkUrlShape } from '#shared/domain/outbound-address.ts';
import { guardedFetch, OutboundUrlError, type OutboundPolicy } from '#shared/net/outbound-url.ts';
import type { Assistant, Conversation, Department, HttpTool } from '#shared/store/types.ts';

export interface KnowledgePassage {
  id: string;
  text: string;
  title?: string;
  score: number;
}

export interface ToolContext {
  assistant: Assistant;
  conversation: Conversation;
  departments: Department[];
  timeZone: string;
  now: number;
  /** A stable id for side effects of this call (a redelivered job repeats it, not them). */
  callKey: string;
  searchKnowledge: (query: string, k: number) => Promise<KnowledgePassage[]>;
  setVariable: (name: string, value: string) => Promise<void>;
  bookAppointment: (a: {
    id: string;
    startsAt: number;
    durationMinutes: number;
    title: string;
    notes?: string;
  }) => Promise<void>;
  /** The operator's exceptions to the outbound-URL guard the HTTP tools go through. */
  outbound?: OutboundPolicy;
  /**
   * Tests only: a stand-in transport for the HTTP tools (the URL's shape is still checked;
   * DNS is not). Production leaves it unset: every call goes through guardedFetch.
   */
  fetch?: typeof fetch;
}

export type ToolOutcome =
  | { result: string; error?: boolean }
  | { result: string; handover: { departmentId?: string; summary: string } };

const fn = (name: string, description: string, parameters: Record<string, unknown>): ChatCompletionTool => ({
  type: 'function',
  function: { name, description, parameters },
});

/** The tools the assistant has enabled, as the model sees them. */
export function toolDefinitions(assistant: Assistant, departments: Department[]): ChatCompletionTool[] {
  const out: ChatCompletionTool[] = [];
  const on = new Set(assistant.tools);
  if (on.has('transfer_to_human'))
    out.push(
      fn(
        'transfer_to_human',
        'Transfere a conversa para um atendente humano. Use quando o cliente pedir uma pessoa, quando você não souber responder ou quando o assunto exigir um humano.',
        {
          type: 'object',
          properties: {
            summary: { type: 'string', description: 'Resumo curto da conversa para o atendente.' },
            department: {
              type: 'string',
              description: 'Setor que deve atender, se algum se aplica.',
              ...(departments.length ? { enum: departments.map((d) => d.name) } : {}),
            },
          },
          required: ['summary'],
        },
      ),
    );
  if (on.has('set_variable'))
    out.push(
      fn('set_variable', 'Guarda um dado informado pelo cliente (validado).', {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            ...(assistant.variables.length ? { enum: assistant.variables.map((v) => v.name) } : {}),
            description:
              assistant.variables.map((v) => `${v.name} (${v.type}): ${v.description}`).join('; ') ||
              'Nome do dado.',
          },
          value: { type: 'string', description: 'O valor como o cliente informou.' },
        },
        required: ['name', 'value'],
      }),
    );
  if (on.has('search_knowledge_base'))
    out.push(
      fn(
        'search_knowledge_base',
        'Busca na base de conhecimento da empresa os trechos que respondem a uma pergunta.',
        {
          type: 'object',
          properties: { query: { type: 'string', description: 'A pergunta ou palavras-chave.' } },
          required: ['query'],
        },
      ),
    );
  if (on.has('schedule_appointment'))
    out.push(
      fn('schedule_appointment', 'Agenda um horário para o cliente.', {
        type: 'object',
        properties: {
          date: { type: 'string', description: 'Data, dd/mm/aaaa.' },
          time: { type: 'string', description: 'Hora, HH:MM (fuso da empresa).' },
          durationMinutes: { type: 'integer', description: 'Duração em minutos (padrão 30).' },
          title: { type: 'string', description: 'Assunto do agendamento.' },
          notes: { type: 'string', description: 'Observações.' },
        },
        required: ['date', 'time', 'title'],
      }),
    );
  if (on.has('http_request'))
    for (const t of assistant.httpTools) out.push(fn(t.name, t.description, t.parameters));
  return out;
}

const MAX_RESULT = 4000;

/** Runs one tool call; never throws (a failure is a result the model reads). */
export async function runTool(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome> {
  let args: Record<string, unknown>;
  try {
    args = rawArgs ? (JSON.parse(rawArgs) as Record<string, unknown>) : {};
  } catch {
    return { result: 'Argumentos inválidos (JSON).', error: true };
  }
  const str = (k: string) => (typeof args[k] === 'string' ? (args[k] as string) : '');
  const on = new Set(ctx.assistant.tools);
  try {
    if (name === 'transfer_to_human' && on.has('transfer_to_human')) {
      const wanted = str('department').trim().toLowerCase();
      const dept = ctx.departments.find((d) => d.name.trim().toLowerCase() === wanted);
      return {
        result: 'Conversa transferida para atendimento humano.',
        handover: { summary: str('summary') || 'Sem resumo.', ...(dept ? { departmentId: dept.id } : {}) },
      };
    }
    if (name === 'set_variable' && on.has('set_variable')) {
      const declared = ctx.assistant.variables.find((v) => v.name === str('name'));
      if (ctx.assistant.variables.length && !declared)
        return { result: `Dado desconhecido: ${str('name')}.`, error: true };
      const checked = checkVariable(declared?.type ?? 'text', str('value'));
      if (!checked.ok)
        return { result: `Valor recusado: ${checked.reason} Peça de novo ao cliente.`, error: true };
      await ctx.setVariable(str('name'), checked.value);
      return { result: `Guardado: ${str('name')} = ${checked.value}` };
    }
    if (name === 'search_knowledge_base' && on.has('search_knowledge_base')) {
      const passages = await ctx.searchKnowledge(str('query'), 4);
      if (!passages.length) return { result: 'Nada encontrado na base de conhecimento.' };
      return {
        result: passages
          .map((p, i) => `[${i + 1}]${p.title ? ` ${p.title}:` : ''} ${p.text}`)
          .join('\n\n')
          .slice(0, MAX_RESULT),
      };
    }
    if (name === 'schedule_appointment' && on.has('schedule_appointment')) {
      const date = checkDate(str('date'));
      if (!date.ok) return { result: `Data recusada: ${date.reason}`, error: true };
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(str('time')))
        return { result: 'Hora inválida: use HH:MM.', error: true };
      const startsAt = zonedEpoch(date.value, str('time'), ctx.timeZone);
      if (startsAt <= ctx.now) return { result: 'Esse horário já passou. Ofereça outro.', error: true };
      const duration = Number.isInteger(args.durationMinutes)
        ? Math.min(Math.max(Number(args.durationMinutes), 5), 480)
        : 30;
      await ctx.bookAppointment({
        id: ctx.callKey,
        startsAt,
        durationMinutes: duration,
        title: str('title').slice(0, 200) || 'Agendamento',
        ...(str('notes') ? { notes: str('notes').slice(0, 1000) } : {}),
      });
      return { result: `Agendado: ${str('date')} às ${str('time')} (${duration} min) — ${str('title')}.` };
    }
    const http = on.has('http_request') ? ctx.assistant.httpTools.find((t) => t.name === name) : undefined;
    if (http) return await callEndpoint(http, args, ctx.outbound, ctx.fetch);
  } catch (err) {
    if (err instanceof OutboundUrlError)
      return { result: `Endereço recusado: ${err.message}`.slice(0, 500), error: true };
    return { result: `Falha na ferramenta: ${(err as Error).message}`.slice(0, 500), error: true };
  }
  return { result: `Ferramenta indisponível: ${name}.`, error: true };
}

/**
 * Calls the admin's endpoint: `{name}` placeholders in the URL take arguments (encoded),
 * the rest go in the query string (GET/DELETE) or the JSON body. The final URL must stay on
 * the configured host.
 */
async function callEndpoint(
  t: HttpTool,
  args: Record<string, unknown>,
  outbound: OutboundPolicy | undefined,
  transport: typeof fetch | undefined,
): Promise<ToolOutcome> {
  const rest = { ...args };
  let url = t.url.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = rest[k];
    delete rest[k];
    return encodeURIComponent(String(v ?? ''));
  });
  const withQuery = t.method === 'GET' || t.method === 'DELETE';
  if (withQuery && Object.keys(rest).length) {
    const u = new URL(url);
    for (const [k, v] of Object.entries(rest))
      u.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    url = u.toString();
  }
  if (new URL(url).host !== new URL(t.url).host)
    return { result: 'Endereço fora do permitido.', error: true };
  // Through the outbound-URL guard: https to a public address (checked where the socket
  // connects), redirects re-checked, the tool's timeout, a capped answer.
  const init = {
    method: t.method,
    headers: { ...t.headers, ...(withQuery ? {} : { 'content-type': 'application/json' }) },
    ...(withQuery ? {} : { body: JSON.stringify(rest) }),
  };
  let res: Response;
  if (transport) {
    const shape = checkUrlShape(url, outbound?.allowedOrigins ?? []);
    if (!shape.ok) throw new OutboundUrlError(shape.refusal);
    res = await transport(url, { ...init, signal: AbortSignal.timeout(t.timeoutMs), redirect: 'error' });
  } else
    res = await guardedFetch(url, init, {
      ...(outbound ? { policy: outbound } : {}),
      timeoutMs: t.timeoutMs,
      maxBytes: 1024 * 1024,
    });
  // The answer goes to the model and into the call record agents read: an endpoint that
  // echoes the request must not show them the admin's write-only header values.
  const body = redactHeaderValues(await res.text(), t.headers).slice(0, MAX_RESULT);
  return res.ok
    ? { result: body || `HTTP ${res.status}` }
    : { result: `HTTP ${res.status}: ${body}`, error: true };
}
