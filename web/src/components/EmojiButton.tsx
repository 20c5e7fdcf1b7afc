/**
 * The composer's emoji picker (MSG-2): emoji-picker-react with native emoji (no image sheet,
 * nothing fetched at run time; the pt or en dataset is bundled and loaded with the panel).
 * A picked emoji goes where the cursor is (the caller inserts it).
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/index.ts';

const loadPt = () => import('emoji-picker-react/data/emojis-pt');
const loadEn = () => import('emoji-picker-react/data/emojis-en');

const EmojiPicker = lazy(() => import('emoji-picker-react'));

const adopted = new Set<string>();
/**
 * The picker writes its stylesheet into an inline <style>, which the app's CSP
 * (`style-src 'self'`, infra/web-headers.ts) refuses to apply, and a static site has no
 * per-response nonce to give it. The same rules are adopted as a constructed stylesheet
 * (document.adoptedStyleSheets), which that policy does not govern: no 'unsafe-inline'.
 */
function adoptPickerStyles() {
  for (const el of document.querySelectorAll('style')) {
    const css = el.textContent ?? '';
    if (!css.includes('epr') || adopted.has(css)) continue;
    adopted.add(css);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
}

export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // A click elsewhere or Esc closes the panel.
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);

  // The panel's styles, once the lazily loaded picker has rendered them.
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open || !panel.current) return;
    adoptPickerStyles();
    const watch = new MutationObserver(adoptPickerStyles);
    watch.observe(document.head, { childList: true, subtree: true });
    watch.observe(panel.current, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, [open]);

  return (
    <div className="emoji-box" ref={box}>
      <button
        type="button"
        className="icon"
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => setOpen((o) => !o)}
        title={t.emoji}
        aria-label={t.emoji}
        aria-expanded={open}
        data-testid="emoji-button"
        disabled={disabled}
      >
        <span aria-hidden="true">😊</span>
      </button>
      {open && (
        <div className="emoji-panel" data-testid="emoji-panel" ref={panel}>
          <Suspense fallback={<p className="muted small">…</p>}>
            <EmojiPicker
              emojiStyle="native"
              emojiData={lang === 'pt-BR' ? loadPt : loadEn}
              lazyLoadEmojis
              autoFocusSearch={false}
              skinTonesDisabled
              previewConfig={{ showPreview: false }}
              width={320}
              height={380}
              labels={{ searchPlaceholder: t.emojiSearch, searchLabel: t.emojiSearch }}
              onEmojiClick={(e) => onPick(e.emoji)}
            />
          </Suspense>
        </div>
      )}
    </div>
  );
}
