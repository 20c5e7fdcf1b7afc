/**
 * The bell: while the agent is not on the Chat page (on another page of the app, or with
 * the tab hidden or the window minimised — the reference's rule: looking at the Chat page,
 * any chat, registers nothing), new customer messages in chats that are theirs (they are
 * the agent, or it is one of their departments) and chats forwarded to them or to their
 * departments are listed, with a short beep (synthesised with the Web Audio API) unless
 * muted; the choice and the list are remembered in this browser. Only chats the socket
 * delivers are considered: the visibility rule ("Setores isolados") already applied.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { getSession } from '../api/client.ts';
import type { Conversation, Me, Message } from '../api-types.ts';
import { fetchConversation } from '../queries/conversations.ts';
import { disablePush, enablePush, pushState, type PushState } from '../push.ts';
import { useI18n } from '../i18n/index.ts';
import { useDirectory } from '../directory.ts';
import { formatPhone, useFormat } from '../format.ts';
import { BellIcon } from './icons.tsx';

const MUTED_KEY = 'atende.notifications.muted';
const ITEMS_KEY = 'atende.notifications.items';
const MAX_ITEMS = 50;
/** The conversation's own push follows its message: wait for it before deciding. */
const SETTLE_MS = 300;

export interface Notice {
  id: string;
  conversationId: string;
  kind: 'message' | 'agent' | 'department';
  /** Contact's name or phone. */
  title: string;
  text?: string;
  departmentId?: string;
  by?: string;
  at: number;
}

let audio: AudioContext | undefined;
/** A short two-tone beep. Browsers allow sound only after the user interacted with the page. */
export function beep() {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume();
    const t0 = ctx.currentTime;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.32);
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, t0);
    osc.frequency.setValueAtTime(1175, t0 + 0.12);
    osc.connect(gain);
    osc.start(t0);
    osc.stop(t0 + 0.34);
  } catch {
    // No audio in this browser: the list is still there.
  }
}

/**
 * The list survives a reload in this browser, for the user it was made for (the session
 * already lives in this browser's storage; another user who signs in here starts empty).
 */
function storedItems(): Notice[] {
  const userId = getSession()?.user.id;
  try {
    const saved = JSON.parse(localStorage.getItem(ITEMS_KEY) ?? 'null') as {
      userId?: string;
      items?: Notice[];
    } | null;
    return userId && saved?.userId === userId && Array.isArray(saved.items)
      ? saved.items.slice(0, MAX_ITEMS)
      : [];
  } catch {
    return [];
  }
}

export function useNotifications({
  meRef,
  known,
  onChatPage,
}: {
  meRef: RefObject<Me | undefined>;
  known: RefObject<Map<string, Conversation>>;
  /** Whether the agent is looking at the Chat page now (the inbox, visible). */
  onChatPage: () => boolean;
}) {
  const [items, setItems] = useState<Notice[]>(storedItems);
  useEffect(() => {
    const userId = getSession()?.user.id;
    if (userId) localStorage.setItem(ITEMS_KEY, JSON.stringify({ userId, items }));
  }, [items]);
  const [muted, setMutedState] = useState(() => localStorage.getItem(MUTED_KEY) === '1');
  const [beeps, setBeeps] = useState(0);
  const lookingRef = useRef(onChatPage);
  const mutedRef = useRef(muted);
  useEffect(() => {
    lookingRef.current = onChatPage;
    mutedRef.current = muted;
  });

  /** Each message notifies once (a redelivered push, or one removed from the list, does not come back). */
  const [seen] = useState(() => new Set(items.map((n) => n.id)));
  const add = useCallback(
    (n: Notice) => {
      if (lookingRef.current() || seen.has(n.id)) return;
      seen.add(n.id);
      setItems((cur) => [n, ...cur].slice(0, MAX_ITEMS));
      if (mutedRef.current) return;
      beep();
      setBeeps((b) => b + 1);
    },
    [seen],
  );

  const consider = useCallback(
    (m: Message) => {
      const me = meRef.current;
      if (!me) return;
      const mine = (deptId: string | undefined) => Boolean(deptId && me.departmentIds?.includes(deptId));
      const title = (c: Conversation | undefined) => (c ? c.contactName || formatPhone(c.contactPhone) : '');
      const e = m.event;
      if (e && (e.kind === 'agent' || e.kind === 'department')) {
        if (e.by === me.id) return;
        if (e.kind === 'agent' ? e.agentId !== me.id : !mine(e.departmentId)) return;
        setTimeout(async () => {
          const c =
            known.current?.get(m.conversationId) ??
            (await fetchConversation(m.conversationId).catch(() => undefined));
          add({
            id: m.id,
            conversationId: m.conversationId,
            kind: e.kind,
            title: title(c),
            by: e.by,
            ...(e.kind === 'department' ? { departmentId: e.departmentId } : {}),
            at: m.createdAt,
          });
        }, SETTLE_MS);
        return;
      }
      if (m.direction !== 'in') return;
      setTimeout(async () => {
        let c = known.current?.get(m.conversationId);
        if (!c) {
          c = await fetchConversation(m.conversationId).catch(() => undefined);
          if (c) known.current?.set(c.id, c);
        }
        if (!c) return;
        if (c.agentId !== me.id && !mine(c.departmentId)) return;
        add({
          id: m.id,
          conversationId: m.conversationId,
          kind: 'message',
          title: title(c),
          text: m.text ?? m.media?.caption ?? '',
          at: m.createdAt,
        });
      }, SETTLE_MS);
    },
    [meRef, known, add],
  );

  const setMuted = (v: boolean) => {
    localStorage.setItem(MUTED_KEY, v ? '1' : '0');
    setMutedState(v);
  };
  const remove = (id: string) => setItems((cur) => cur.filter((x) => x.id !== id));
  const clear = () => setItems([]);
  return { items, muted, setMuted, remove, clear, consider, beeps };
}

export function Notifications({
  state,
  onOpen,
}: {
  state: ReturnType<typeof useNotifications>;
  onOpen: (conversationId: string) => void;
}) {
  const { t } = useI18n();
  const f = useFormat();
  const { userName, deptName } = useDirectory();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const describe = (n: Notice) => {
    if (n.kind === 'message') return n.text || t.newMessage;
    const by = userName(n.by);
    if (n.kind === 'agent') return by ? t.assignedToYouBy(by) : t.assignedToYou;
    return t.forwardedToDepartment(deptName(n.departmentId) ?? '');
  };

  const count = state.items.length;
  return (
    <div className="bell-wrap" ref={box}>
      <button
        className="ghost bell"
        data-testid="notifications"
        data-beeps={state.beeps}
        aria-label={t.notificationsCount(count)}
        title={t.notificationsCount(count)}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon size={18} />
        {count > 0 && (
          <span className="bell-count" data-testid="notification-count">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div
          className="bell-panel"
          data-testid="notification-panel"
          role="dialog"
          aria-label={t.notifications}
        >
          <div className="bell-head">
            <strong>{t.notifications}</strong>
            <label className="check small">
              <input
                type="checkbox"
                data-testid="notification-mute"
                checked={state.muted}
                onChange={(e) => state.setMuted(e.target.checked)}
              />
              {t.muteSound}
            </label>
            <button
              className="link"
              data-testid="notification-clear"
              disabled={count === 0}
              onClick={() => state.clear()}
            >
              {t.clearAll}
            </button>
          </div>
          <PhonePush />
          {count === 0 && <p className="muted small pad">{t.noNotifications}</p>}
          <ul>
            {state.items.map((n) => (
              <li key={n.id} className="notice" data-testid="notification">
                <button
                  className="notice-open"
                  onClick={() => {
                    state.remove(n.id);
                    setOpen(false);
                    onOpen(n.conversationId);
                  }}
                >
                  <strong>{n.title}</strong>
                  <span className="notice-text">{describe(n)}</span>
                  <time className="muted small">{f.clock(n.at)}</time>
                </button>
                <button
                  className="link notice-remove"
                  data-testid="notification-remove"
                  aria-label={t.removeNotification}
                  title={t.removeNotification}
                  onClick={() => state.remove(n.id)}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** "Notificações no celular": subscribe this device (the installed PWA) to web push. */
function PhonePush() {
  const { t } = useI18n();
  const [state, setState] = useState<PushState | 'busy'>('busy');
  useEffect(() => {
    void pushState().then(setState);
  }, []);
  if (state === 'unsupported') return null;
  const toggle = async () => {
    const was = state;
    setState('busy');
    try {
      setState(was === 'on' ? await disablePush() : await enablePush());
    } catch {
      setState('unavailable');
    }
  };
  return (
    <div className="phone-push small pad" data-testid="phone-push" data-state={state}>
      <button
        className="link"
        disabled={state === 'busy' || state === 'denied'}
        onClick={() => void toggle()}
      >
        {state === 'on' ? t.phonePushOff : t.phonePushOn}
      </button>
      {state === 'denied' && <span className="muted"> {t.phonePushDenied}</span>}
      {state === 'unavailable' && <span className="muted"> {t.phonePushUnavailable}</span>}
    </div>
  );
}
