/**
 * The failures page (admins, /admin/falhas): what the functions gave up on — the account's
 * records in the dead-letter queues, with what, when and why — and, for each, "Reprocessar"
 * (back to its queue) and "Descartar" (deleted, after a confirmation). The API shows only
 * the account's own records.
 */
import { deadLettersApi } from '../api/dead-letters.ts';
import type { DeadLetter } from '../api-types.ts';
import { dropDeadLetter, useDeadLetters } from '../queries/dead-letters.ts';
import { useI18n } from '../i18n/index.ts';
import { useFormat } from '../format.ts';
import { StatusLine, useStatus } from './Status.tsx';

export function DeadLetters({ onOpenConversation }: { onOpenConversation: (id: string) => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const list = useDeadLetters();
  const items = list.data?.items;
  const truncated = list.data?.truncated ?? false;
  const failed = list.isError;
  const { status, run } = useStatus();

  const act = (d: DeadLetter, action: 'redrive' | 'discard') =>
    run(async () => {
      if (action === 'redrive') await deadLettersApi.redriveDeadLetter(d);
      else await deadLettersApi.discardDeadLetter(d);
      dropDeadLetter(d);
    });

  return (
    <div className="team dead-letters" data-testid="dead-letters">
      <section>
        <h2>{t.deadLettersTitle}</h2>
        <p className="hint">{t.deadLettersHelp}</p>
        <button className="ghost" data-testid="dead-letters-refresh" onClick={() => void list.refetch()}>
          {t.deadLettersRefresh}
        </button>
        {failed && <p className="error">{t.loadFailed}</p>}
        <StatusLine status={status} testid="dead-letters-status" />
        {items && !items.length && <p data-testid="dead-letters-empty">{t.deadLettersEmpty}</p>}
        {truncated && <p className="hint">{t.deadLettersTruncated}</p>}
        {items && items.length > 0 && (
          <table className="users-table">
            <thead>
              <tr>
                <th>{t.deadLetterWhat}</th>
                <th>{t.deadLetterWhen}</th>
                <th>{t.deadLetterWhy}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-testid="dead-letter">
                  <td>
                    <strong>{t.deadLetterType(d.type)}</strong>
                    <div className="hint">
                      {t.deadLetterQueue(d.queue)}
                      {d.customer && <> · {d.customer}</>}
                    </div>
                    {d.conversationId && (
                      <button
                        className="link"
                        data-testid="dead-letter-open"
                        onClick={() => onOpenConversation(d.conversationId!)}
                      >
                        {t.deadLetterOpenChat}
                      </button>
                    )}
                  </td>
                  <td>{fmt.dateTime(d.failedAt)}</td>
                  <td data-testid="dead-letter-reason">{d.reason ?? t.deadLetterMaxReceives}</td>
                  <td>
                    <button data-testid="dead-letter-redrive" onClick={() => void act(d, 'redrive')}>
                      {t.redrive}
                    </button>{' '}
                    <button
                      className="ghost"
                      data-testid="dead-letter-discard"
                      onClick={() => {
                        if (!confirm(t.confirmDiscard)) return;
                        void act(d, 'discard');
                      }}
                    >
                      {t.discard}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
