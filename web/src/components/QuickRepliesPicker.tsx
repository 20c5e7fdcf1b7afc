/**
 * The composer's pop-ups (MSG-2, MSG-7): the quick-reply list that `/` opens, searched by
 * what follows the slash (arrows move, Enter or Tab inserts, Esc closes — the composer
 * routes those keys here), and the variables menu that inserts `{nome}`… at the cursor.
 */
import { useEffect, useRef, useState } from 'react';
import type { QuickReply } from '../api/quick-replies.ts';
import { useI18n } from '../i18n/index.ts';
import { variableNames } from '../../../shared/domain/variables.ts';
import { PaperclipIcon } from './icons.tsx';

export const QUICK_REPLY_LIST_ID = 'quick-reply-list';
export const quickReplyOptionId = (id: string) => `quick-reply-${id}`;

export function QuickRepliesPicker({
  items,
  active,
  loading,
  onPick,
  onHover,
}: {
  items: QuickReply[];
  active: number;
  loading: boolean;
  onPick: (qr: QuickReply) => void;
  onHover: (index: number) => void;
}) {
  const { t } = useI18n();
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.children[active]?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  return (
    <div className="quick-replies-popup" data-testid="quick-replies-popup">
      <div className="muted small popup-head">
        <strong>{t.quickRepliesList}</strong> · {t.quickRepliesHelp}
      </div>
      {items.length === 0 ? (
        <p className="muted small" data-testid="quick-replies-empty">
          {loading ? t.quickRepliesLoading : t.quickRepliesNoMatch}
        </p>
      ) : (
        <ul id={QUICK_REPLY_LIST_ID} role="listbox" aria-label={t.quickRepliesList} ref={list}>
          {items.map((qr, i) => (
            <li
              key={qr.id}
              id={quickReplyOptionId(qr.id)}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              data-testid="quick-reply-option"
              data-shortcut={qr.shortcut}
              // Keeps the focus in the text field.
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => onHover(i)}
              onClick={() => onPick(qr)}
            >
              <span className="qr-shortcut">/{qr.shortcut}</span>
              <span className="qr-title">{qr.title}</span>
              {qr.attachment && <PaperclipIcon size={14} />}
              <span className="qr-text muted small">{qr.text}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A button opening the variables menu; a click on one inserts it. */
export function VariablesMenu({ onInsert, disabled }: { onInsert: (v: string) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <div className="variables-menu">
      <button
        type="button"
        className="icon"
        title={t.variables}
        aria-label={`${t.variables} {x}`}
        aria-expanded={open}
        data-testid="variables-button"
        disabled={disabled}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => setOpen((o) => !o)}
      >
        {'{x}'}
      </button>
      {open && (
        <div
          className="quick-replies-popup variables-popup"
          data-testid="variables-popup"
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        >
          <div className="muted small popup-head">{t.variablesHelp}</div>
          <ul>
            {variableNames.map((v) => (
              <li key={v}>
                <button
                  type="button"
                  className="link"
                  data-testid={`variable-${v}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => {
                    onInsert(`{${v}}`);
                    setOpen(false);
                  }}
                >
                  <code>{`{${v}}`}</code> <span className="muted small">{t.variableLabels[v]}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Inserts `snippet` at the field's cursor (or the end); the new text and cursor. */
export function insertAt(
  el: HTMLTextAreaElement | HTMLInputElement | null,
  text: string,
  snippet: string,
): { text: string; cursor: number } {
  const start = el?.selectionStart ?? text.length;
  const end = el?.selectionEnd ?? text.length;
  return { text: text.slice(0, start) + snippet + text.slice(end), cursor: start + snippet.length };
}
