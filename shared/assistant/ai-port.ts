/**
 * The AI assistant (AI-1..3, AI-6, AI-8) behind the AssistantPort: the account's
 * OpenAI-compatible endpoint through the `openai` package (Chat Completions with tools),
 * the assistant's prompt plus the platform's WhatsApp instruction, the conversation's
 * recent messages, up to MAX_STEPS rounds of tool calls, tokens and cost per answer.
 *
 * Failure (AI-8): timeouts, 429 and 5xx are retried with backoff; after that, or on an
 * error a retry cannot fix (a wrong key), the conversation goes to the backup department
 * with an internal note saying why. Without an LLM configured the assistant answers in
 * offline mode from the knowledge base (AI-4): the one passage that answers (above a
 * coverage threshold), WhatsApp-formatted, or that it does not know and how to reach a person.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { addUsage, costOf, defaultPrices, noUsage, type TokenUsage } from '#shared/domain/pricing.ts';
import { getAiSettings, putAppointment } from '#shared/store/ai.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { getAssistant, listDepartments } from '#shared/store/catalog.ts';
import { setConversationVariables } from '#shared/store/conversations.ts';
import { listConversationMessages } from '#shared/store/messages.ts';
import { DEFAULT_TIMEZONE, type AiSettings, type Assistant, type Message } from '#shared/store/types.ts';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { AssistantAnswer, AssistantPort, AssistantTurn, ToolTrace } from './process-job.ts';
import { wantsHuman } from '#shared/domain/intents.ts';
import { markdownToWhatsApp } from '#shared/domain/whatsapp-format.ts';
import { queryCoverage } from '#shared/knowledge/lexical.ts';
import { llmConnection, type LlmDefault } from './llm-config.ts';
import { accountLlmKey, type AccountSecrets } from '#shared/secrets/account-secrets.ts';
import { runTool, toolDefinitions, type KnowledgePassage } from './tools.ts';
import { guardedFetcher, outboundRefusalOf, type OutboundPolicy } from '#shared/net/outbound-url.ts';

/**
 * The `fetch` the openai client uses: the account's base URL goes through the outbound-URL
 * guard (refused when it is an internal address), with room for long answers (the client's
 * own timeout governs) and embeddings of a whole batch.
 */
export function llmFetch(policy: OutboundPolicy | undefined): typeof fetch {
  return guardedFetcher({
    ...(policy ? { policy } : {}),
    timeoutMs: 10 * 60_000,
    maxBytes: 32 * 1024 * 1024,
  });
}

/** Appended to every assistant's prompt: how to write for WhatsApp. */
export const PLATFORM_INSTRUCTION = [
  'Você atende clientes pelo WhatsApp, em português do Brasil.',
  'Escreva mensagens curtas e cordiais: parágrafos de uma a três frases, listas simples com hífen quando ajudarem.',
  'Não use tabelas, títulos Markdown, links Markdown nem blocos de código; use *negrito* do WhatsApp com moderação.',
  'Não invente informações: quando não souber, use as ferramentas disponíveis ou transfira para um atendente humano.',
].join(' ');

export const OFFLINE_PREFIX =
  '🤖 Assistente em modo offline (sem IA): encontrei isto na nossa base de conhecimento:';

const MAX_STEPS = 6;
const HISTORY = 20;

export interface AiPortDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  now: () => number;
  /** Best passages of these knowledge bases for a query (AI-4). */
  searchKnowledge: (
    accountId: string,
    knowledgeBaseIds: string[],
    query: string,
    k: number,
  ) => Promise<KnowledgePassage[]>;
  /** Per LLM request. */
  timeoutMs?: number;
  /** Waits between attempts (tests pass a fast one). */
  backoffMs?: number[];
  /**
   * The operator's exceptions to the outbound-URL guard (OUTBOUND_ALLOWED_ORIGINS): the LLM
   * base URL and the HTTP tools are fetched through it; without it, https to public hosts only.
   */
  outbound?: OutboundPolicy;
  /** The deployment's LLM, for accounts that did not set their own. */
  defaultLlm?: LlmDefault;
  /** The accounts' `credentials` secrets, where an account's own LLM key is. */
  accountSecrets?: AccountSecrets;
  log?: (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
}

/** Whether an LLM error may pass on a retry (time, load), or never will (key, request). */
function retryable(err: unknown): boolean {
  if (outboundRefusalOf(err)) return false; // the base URL is refused: it will be next time too
  if (err instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (err instanceof OpenAI.APIError)
    return err.status === undefined || err.status === 429 || err.status >= 500;
  return false;
}

function describe(err: unknown): string {
  const refusal = outboundRefusalOf(err);
  if (refusal) return refusal.message;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'tempo esgotado';
  if (err instanceof OpenAI.APIError && err.status)
    return `erro ${err.status}${err.message ? `: ${err.message}` : ''}`;
  return (err as Error).message || 'erro desconhecido';
}

/** What a stored message says to the model. */
function asChat(m: Message): ChatCompletionMessageParam | undefined {
  if (m.direction === 'internal') return undefined;
  const text =
    m.text ??
    (m.type === 'location'
      ? '[localização]'
      : m.media
        ? `[${m.type}${m.media.filename ? `: ${m.media.filename}` : ''}]`
        : undefined);
  if (!text) return undefined;
  return m.direction === 'in' ? { role: 'user', content: text } : { role: 'assistant', content: text };
}

export function createAiPort(deps: AiPortDeps): AssistantPort {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const backoff = deps.backoffMs ?? [1000, 3000];

  return {
    async answer(turn: AssistantTurn): Promise<AssistantAnswer> {
      const conv = turn.conversation;
      const [assistant, departments, settings, account] = await Promise.all([
        getAssistant(deps.ddb, deps.tableName, conv.accountId, turn.assistantId),
        listDepartments(deps.ddb, deps.tableName, conv.accountId),
        getAiSettings(deps.ddb, deps.tableName, conv.accountId),
        getAccount(deps.ddb, deps.tableName, conv.accountId),
      ]);
      if (!assistant) return { kind: 'handover', note: 'Assistente não encontrado: conversa transferida.' };
      const search = (query: string, k: number) =>
        deps.searchKnowledge(conv.accountId, assistant.knowledgeBaseIds, query, k);
      const llm = await llmConnection(settings, deps.defaultLlm, () =>
        accountLlmKey(deps.accountSecrets, settings),
      );
      if (!llm) return offline(turn, search);

      const trace: ToolTrace[] = [];
      let usage: TokenUsage = noUsage;
      const used = () => usageRecord(usage, assistant.model, settings);
      const client = new OpenAI({
        apiKey: llm.apiKey ?? 'not-needed',
        ...(llm.baseUrl ? { baseURL: llm.baseUrl } : {}),
        timeout: deps.timeoutMs ?? 30_000,
        maxRetries: 0,
        fetch: llmFetch(deps.outbound),
      });
      const history = (
        await listConversationMessages(deps.ddb, deps.tableName, conv.accountId, conv.id, HISTORY)
      )
        .filter((m) => m.id <= (turn.pending.at(-1)?.id ?? '\uffff'))
        .map(asChat)
        .filter((m): m is ChatCompletionMessageParam => Boolean(m));
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt(assistant, conv.variables) },
        ...history,
      ];
      const tools = toolDefinitions(assistant, departments);
      const variables = { ...(conv.variables ?? {}) };

      for (let step = 0; step < MAX_STEPS; step++) {
        let completion: OpenAI.Chat.Completions.ChatCompletion | undefined;
        let lastError: unknown;
        for (let attempt = 0; attempt <= backoff.length; attempt++) {
          try {
            completion = await client.chat.completions.create({
              model: assistant.model,
              temperature: assistant.temperature,
              messages,
              ...(tools.length ? { tools } : {}),
            });
            break;
          } catch (err) {
            lastError = err;
            deps.log?.('warn', 'LLM request failed', { attempt, error: describe(err) });
            if (!retryable(err) || attempt === backoff.length) break;
            await sleep(backoff[attempt]!);
          }
        }
        if (!completion)
          return {
            kind: 'handover',
            note: `O assistente ${assistant.name} não conseguiu responder (${describe(lastError)}): conversa transferida para atendimento humano.`,
            trace,
            usage: used(),
          };
        const u = completion.usage;
        usage = addUsage(usage, {
          promptTokens: u?.prompt_tokens ?? 0,
          completionTokens: u?.completion_tokens ?? 0,
          cachedTokens: u?.prompt_tokens_details?.cached_tokens ?? 0,
        });
        const reply = completion.choices[0]?.message;
        const calls = (reply?.tool_calls ?? []).filter((c) => c.type === 'function');
        if (!calls.length) {
          const text = reply?.content?.trim();
          if (!text) break;
          return { kind: 'reply', text, trace, usage: used() };
        }
        messages.push({ role: 'assistant', content: reply?.content ?? null, tool_calls: calls });
        for (const [i, call] of calls.entries()) {
          const outcome = await runTool(call.function.name, call.function.arguments, {
            assistant,
            conversation: { ...conv, variables },
            departments,
            timeZone: account?.timezone ?? DEFAULT_TIMEZONE,
            now: deps.now(),
            callKey: `${turn.pending.at(-1)?.id ?? conv.id}-${step}-${i}`,
            searchKnowledge: search,
            setVariable: async (name, value) => {
              variables[name] = value;
              await setConversationVariables(deps.ddb, deps.tableName, conv, variables);
            },
            bookAppointment: async (a) => {
              await putAppointment(deps.ddb, deps.tableName, {
                ...a,
                accountId: conv.accountId,
                conversationId: conv.id,
                contactName: conv.contactName,
                contactPhone: conv.contactPhone,
                createdBy: `assistant:${assistant.id}`,
                createdAt: deps.now(),
              });
            },
            ...(deps.outbound ? { outbound: deps.outbound } : {}),
          });
          trace.push({
            name: call.function.name,
            arguments: call.function.arguments,
            result: outcome.result,
            ...('error' in outcome && outcome.error ? { error: true } : {}),
          });
          if ('handover' in outcome)
            return {
              kind: 'handover',
              note: `Resumo do assistente: ${outcome.handover.summary}`,
              ...(outcome.handover.departmentId ? { departmentId: outcome.handover.departmentId } : {}),
              trace,
              usage: used(),
            };
          messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.result });
        }
      }
      return {
        kind: 'handover',
        note: `O assistente ${assistant.name} não chegou a uma resposta: conversa transferida para atendimento humano.`,
        trace,
        usage: used(),
      };
    },
  };

  async function offline(
    turn: AssistantTurn,
    search: (q: string, k: number) => Promise<KnowledgePassage[]>,
  ): Promise<AssistantAnswer> {
    const question = turn.pending
      .map((m) => m.text ?? '')
      .join(' ')
      .trim();
    const offlineUsage = {
      model: 'offline',
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      costUsd: 0,
      offline: true,
    };
    if (!question)
      return {
        kind: 'handover',
        note: 'Modo offline: mensagem sem texto, conversa transferida.',
        usage: offlineUsage,
      };
    if (wantsHuman(question))
      return { kind: 'handover', note: 'Modo offline: o cliente pediu um atendente.', usage: offlineUsage };
    const found = bestPassage(question, await search(question, OFFLINE_CANDIDATES));
    if (!found) return { kind: 'reply', text: OFFLINE_NOT_FOUND, usage: offlineUsage };
    return { kind: 'reply', text: offlineReply(question, found), usage: offlineUsage };
  }
}

/** Passages the offline mode weighs; it quotes one. */
const OFFLINE_CANDIDATES = 3;
/** Below this share of the question's words a passage does not answer it (shared/knowledge/lexical.ts queryCoverage). */
export const OFFLINE_MIN_COVERAGE = 0.3;
/** A longer passage is narrowed to its block (paragraph, list) that fits best. */
const OFFLINE_MAX_QUOTE = 900;

export const OFFLINE_NOT_FOUND =
  '🤖 Assistente em modo offline (sem IA): não encontrei uma resposta para isso na nossa base de conhecimento. Escreva *atendente* para falar com uma pessoa.';

/**
 * The one passage that answers: the best covered of the search's candidates (ties: the
 * search's order), if it covers at least OFFLINE_MIN_COVERAGE of the question.
 */
export function bestPassage(question: string, passages: KnowledgePassage[]): KnowledgePassage | undefined {
  let best: { p: KnowledgePassage; fit: number } | undefined;
  for (const p of passages) {
    if (!(p.score > 0)) continue;
    const fit = queryCoverage(question, `${p.title ?? ''}\n${p.text}`);
    if (fit >= OFFLINE_MIN_COVERAGE && (!best || fit > best.fit)) best = { p, fit };
  }
  return best?.p;
}

/** The offline answer: the passage (its best block when long) with its title, WhatsApp-formatted. */
export function offlineReply(question: string, p: KnowledgePassage): string {
  let text = p.text.trim();
  if (text.length > OFFLINE_MAX_QUOTE) {
    const blocks = text
      .split(/\n\s*\n/)
      .map((b) => b.trim())
      .filter(Boolean);
    let top = { block: blocks[0] ?? text, fit: -1 };
    for (const block of blocks) {
      const fit = queryCoverage(question, block);
      if (fit > top.fit) top = { block, fit };
    }
    text =
      top.block.length > OFFLINE_MAX_QUOTE
        ? `${top.block.slice(0, OFFLINE_MAX_QUOTE).trimEnd()}…`
        : top.block;
  }
  const title = p.title?.split(' › ').at(-1)?.trim();
  const body = markdownToWhatsApp(text);
  const head = title && !body.toLowerCase().includes(title.toLowerCase()) ? `*${title}*\n` : '';
  return `${OFFLINE_PREFIX}\n\n${head}${body}\n\n_Se não era isso, escreva *atendente* para falar com uma pessoa._`;
}

function systemPrompt(assistant: Assistant, variables: Record<string, string> | undefined): string {
  const parts = [assistant.systemPrompt.trim(), PLATFORM_INSTRUCTION];
  if (assistant.variables.length)
    parts.push(
      `Dados a coletar com set_variable: ${assistant.variables.map((v) => `${v.name} (${v.type})${v.description ? ` — ${v.description}` : ''}`).join('; ')}.`,
    );
  if (variables && Object.keys(variables).length)
    parts.push(
      `Dados já coletados: ${Object.entries(variables)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}.`,
    );
  return parts.filter(Boolean).join('\n\n');
}

function usageRecord(usage: TokenUsage, model: string, settings: AiSettings) {
  const cost = costOf(usage, model, { ...defaultPrices, ...settings.prices });
  return { model, ...usage, ...(cost !== undefined ? { costUsd: cost } : {}) };
}
