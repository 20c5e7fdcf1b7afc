/**
 * What the AI pages share: a save/delete status line, labels for tools, variable types and
 * outcomes, and money/token formatting in the UI language.
 */
import { useState } from 'react';
import { ApiError, type AiConversationRow, type AssistantTool, type VariableType } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import { formatCount, formatUsd } from '../format.ts';

export type Status =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

/** Runs an action and keeps its outcome; the API's Portuguese message is shown in pt-BR. */
export function useStatus(initial: Status = { kind: 'idle' }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<Status>(initial);
  const run = async (fn: () => Promise<void>): Promise<boolean> => {
    setStatus({ kind: 'saving' });
    try {
      await fn();
      setStatus({ kind: 'saved' });
      return true;
    } catch (err) {
      setStatus({ kind: 'error', message: errorText(err, t, lang) });
      return false;
    }
  };
  return {
    status,
    run,
    fail: (message: string) => setStatus({ kind: 'error', message }),
    reset: () => setStatus({ kind: 'idle' }),
  };
}

export function errorText(err: unknown, t: Messages, lang: string): string {
  return err instanceof ApiError && err.status < 500 && err.message && lang === 'pt-BR'
    ? err.message
    : t.actionFailed;
}

export function StatusLine({ status, testid }: { status: Status; testid: string }) {
  const { t } = useI18n();
  if (status.kind === 'saved')
    return (
      <span className="ok small" role="status" data-testid={`${testid}-ok`}>
        {t.savedShort}
      </span>
    );
  if (status.kind === 'error')
    return (
      <span className="error small" role="alert" data-testid={`${testid}-error`}>
        {status.message}
      </span>
    );
  return null;
}

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
