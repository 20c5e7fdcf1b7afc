/**
 * The header's user controls (resync, language, the user's name, sign out). Wide screens
 * show them inline in the header; at phone width (styles.css, ≤ 760 px) they fold into a
 * menu behind one button, so the header fits. Escape or a click outside closes it.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/index.ts';

export function UserMenu({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className={`user-menu ${open ? 'open' : ''}`} ref={root}>
      <button
        type="button"
        ref={toggle}
        className="ghost user-menu-toggle"
        data-testid="user-menu"
        aria-label={t.userMenu}
        title={t.userMenu}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="8" r="4" fill="currentColor" />
          <path d="M4 20c0-4 3.6-6 8-6s8 2 8 6z" fill="currentColor" />
        </svg>
      </button>
      <div className="user-menu-items" id={id} data-testid="user-menu-items">
        {children}
      </div>
    </div>
  );
}
