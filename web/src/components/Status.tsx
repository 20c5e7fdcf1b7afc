/**
 * The outcome of an admin page's action (save, delete): run it, keep its status, show it as
 * one line; the API's Portuguese message is shown in pt-BR.
 */
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';

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
