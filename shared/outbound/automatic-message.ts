/**
 * A message an automation sends (the triage menu, an assistant's greeting, answer or
 * hand-over notice, anything the platform writes on its own): as free text inside the 24 h
 * window; outside it (WIN-1) as the template the admin chose for that purpose ("modelo para
 * mensagens fora da janela", the account's `outsideWindowTemplate`, approved on the chat's
 * number); and when there is none, an internal line in the chat saying why nothing was sent
 * — never a silent drop.
 *
 * The chosen template's body may have one text parameter: it carries the automatic text
 * (on one line, as Meta requires). A template with other parameters cannot be filled by an
 * automation and is reported as such.
 */
import { assistantOnly } from '#shared/domain/inbox.ts';
import { canSendFreeForm } from '#shared/domain/window.ts';
import {
  buildTemplateSend,
  renderTemplateText,
  templateParameters,
  type Template,
  type TemplateValues,
} from '#shared/domain/templates.ts';
import { emit } from '#shared/events/listeners.ts';
import type { EventDeps } from '#shared/events/emit.ts';
import { getAccount } from '#shared/store/accounts.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { putMessageOnce } from '#shared/store/messages.ts';
import { getNumber } from '#shared/store/numbers.ts';
import { listTemplates } from '#shared/store/templates.ts';
import { messageSchema, type Account, type Conversation, type Message } from '#shared/store/types.ts';
import {
  queueAgentMessage,
  type AgentMessageInput,
  type QueueAgentMessageDeps,
} from './queue-agent-message.ts';

/** Meta's limit for a body parameter's text. */
const PARAM_MAX = 1024;

export type AutomaticOutcome =
  | { sent: 'free-form'; message: Message }
  | { sent: 'template'; message: Message }
  | { sent: 'none'; note: Message };

/** Why an automatic message could not be sent outside the window (pt-BR, for the agents). */
export function notSentReason(
  chosen: Account['outsideWindowTemplate'],
  template: Template | undefined,
  problem?: string,
): string {
  const head = 'Mensagem automática não enviada: a janela de 24 horas está fechada';
  if (!chosen) return `${head} e nenhum modelo para mensagens fora da janela foi escolhido em Configurações.`;
  const name = `"${chosen.name}" (${chosen.language})`;
  if (!template) return `${head} e o modelo ${name} não existe neste número.`;
  if (template.status !== 'APPROVED') return `${head} e o modelo ${name} não está aprovado pela Meta.`;
  return `${head} e o modelo ${name} não pôde ser usado (${problem ?? 'parâmetros'}).`;
}

/**
 * The values that fill `t` with an automation's text, or why it cannot: no parameters, or a
 * single body text parameter (the text, on one line).
 */
export function automaticValues(
  t: Pick<Template, 'components'>,
  text: string | undefined,
): { values: TemplateValues } | { problem: string } {
  const params = templateParameters(t);
  if (!params.length) return { values: {} };
  if (params.length === 1 && params[0]!.component === 'body' && params[0]!.kind === 'text') {
    const line = (text ?? '')
      .replace(/\s*\n+\s*/g, ' · ')
      .replace(/\s{2,}/g, ' ')
      .trim()
      .slice(0, PARAM_MAX);
    if (!line) return { problem: 'mensagem sem texto' };
    return { values: { body: { [params[0]!.key]: line } } };
  }
  return { problem: 'o modelo tem parâmetros que uma automação não preenche' };
}

/**
 * Queues an automation's message (its id derived from its cause: stored once). `known` is
 * the conversation as the caller already read it (its window), which spares a read; the
 * message itself is stored and checked by queueAgentMessage as any other.
 */
export async function queueAutomaticMessage(
  deps: QueueAgentMessageDeps & EventDeps,
  input: AgentMessageInput & { id: string },
  known?: Conversation,
): Promise<AutomaticOutcome> {
  const conv =
    known ?? (await getConversationById(deps.ddb, deps.tableName, input.accountId, input.conversationId));
  if (!conv || assistantOnly(conv.channel) || canSendFreeForm(conv.windowExpiresAt, deps.now()))
    return { sent: 'free-form', message: await queueAgentMessage(deps, input) };

  const account = await getAccount(deps.ddb, deps.tableName, input.accountId);
  const chosen = account?.outsideWindowTemplate;
  let template: Template | undefined;
  let problem: string | undefined;
  if (chosen) {
    const number = await getNumber(deps.ddb, deps.tableName, input.accountId, conv.numberId);
    template = number
      ? (await listTemplates(deps.ddb, deps.tableName, input.accountId, { wabaId: number.wabaId })).find(
          (t) => t.name === chosen.name && t.language === chosen.language,
        )
      : undefined;
    if (template?.status === 'APPROVED') {
      const filled = automaticValues(template, input.text);
      if ('values' in filled) {
        const message = await queueAgentMessage(deps, {
          id: input.id,
          accountId: input.accountId,
          conversationId: input.conversationId,
          sender: input.sender,
          text: renderTemplateText(template, filled.values),
          template: {
            id: template.id,
            name: template.name,
            language: template.language,
            category: template.category,
            send: buildTemplateSend(template, filled.values),
          },
        });
        return { sent: 'template', message };
      }
      problem = filled.problem;
    }
  }
  const note = messageSchema.parse({
    id: `${input.id}-w`,
    accountId: input.accountId,
    conversationId: input.conversationId,
    ...(conv.attendanceId ? { attendanceId: conv.attendanceId } : {}),
    direction: 'internal',
    type: 'system',
    text: notSentReason(chosen, template, problem),
    status: 'received',
    sender: input.sender,
    createdAt: deps.now(),
  });
  const { created } = await putMessageOnce(deps.ddb, deps.tableName, note);
  if (created) await emit([{ type: 'message.created', message: note }], deps);
  return { sent: 'none', note };
}
