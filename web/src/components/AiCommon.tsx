/**
 * What the AI pages share: labels for tools, variable types and outcomes, and money/token
 * formatting in the UI language (the save/delete status line is ./Status.tsx).
 */
import type { AiConversationRow, AssistantTool, VariableType } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import { formatCount, formatUsd } from '../format.ts';

export function toolLabel(t: Messages, tool: AssistantTool): string {
  return {
    transfer_to_human: t.toolTransfer,
    set_variable: t.toolSetVariable,
    search_knowledge_base: t.toolSearch,
    schedule_appointment: t.toolSchedule,
    http_request: t.toolHttp,
  }[tool];
}

export function variableTypeLabel(t: Messages, v: VariableType): string {
  return {
    text: t.varText,
    email: t.varEmail,
    cpf: t.varCpf,
    cnpj: t.varCnpj,
    phone: t.varPhone,
    date: t.varDate,
  }[v];
}

export function outcomeLabel(t: Messages, o: AiConversationRow['outcome']): string {
  return { answering: t.outcomeAnswering, 'handed-over': t.outcomeHandedOver, closed: t.outcomeClosed }[o];
}

/** `US$ 0,0002` and `1.200` in the UI language. */
export function useMoney() {
  const { lang } = useI18n();
  return {
    usd: (v: number) => formatUsd(v, lang),
    count: (n: number) => formatCount(n, lang),
  };
}

/** The offline/online badge of the account's AI connection. */
export function ModeBadge({ mode, testid }: { mode: 'online' | 'offline'; testid?: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge mode mode-${mode}`} data-testid={testid} data-mode={mode}>
      {mode === 'offline' ? t.modeOffline : t.modeOnline}
    </span>
  );
}
