import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, ApiError, getSession, type Conversation, type Message } from './api.ts';
import { connectLive, type LiveEvent, type LiveState } from './live.ts';
import { I18nContext, initialLanguage, languages, useI18n, type Language } from './i18n/index.ts';

const TIME_ZONE = 'America/Sao_Paulo';

export function App() {
  const [lang, setLangState] = useState<Language>(initialLanguage());
  const setLang = (l: Language) => {
    localStorage.setItem('atende.lang', l);
    document.documentElement.lang = l;
    setLangState(l);
  };
  const [loggedIn, setLoggedIn] = useState(Boolean(getSession()));
  return (
    <I18nContext.Provider value={{ t: languages[lang], lang, setLang }}>
      {loggedIn ? <Inbox onLogout={() => setLoggedIn(false)} /> : <Login onLogin={() => setLoggedIn(true)} />}
    </I18nContext.Provider>
  );
}

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      {t.language}{' '}
      <select data-testid="language" value={lang} onChange={(e) => setLang(e.target.value as Language)}>
        <option value="pt-BR">Português (Brasil)</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function Login({ onLogin }: { onLogin: () => void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.login(email, password);
      onLogin();
    } catch {
      setError(t.loginFailed);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} data-testid="login-form">
        <h1>{t.loginTitle}</h1>
        <label>
          {t.email}
          <input
            data-testid="email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          {t.password}
          <input
            data-testid="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button data-testid="sign-in" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}

const byLastMessage = (a: Conversation, b: Conversation) => b.lastMessageAt - a.lastMessageAt;

function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const map = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) map.set(m.id, { ...map.get(m.id), ...m });
  return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function Inbox({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n();
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [live, setLive] = useState<LiveState>('connecting');
  const [notice, setNotice] = useState('');
  const selectedRef = useRef<string | undefined>(undefined);
  const messagesRef = useRef<Message[]>([]);
  selectedRef.current = selected;
  messagesRef.current = messages;
  const liveRef = useRef<ReturnType<typeof connectLive> | undefined>(undefined);

  const loadList = useCallback(async () => {
    const page = await api.conversations();
    setConversations(page.items.sort(byLastMessage));
    setNextCursor(page.nextCursor);
  }, []);

  const resync = useCallback(async () => {
    await loadList();
    const id = selectedRef.current;
    if (id) {
      const last = messagesRef.current.at(-1)?.id;
      let page = await api.messages(id, last ? { after: last } : {});
      let all = page.items;
      while (last && page.nextCursor) {
        page = await api.messages(id, { cursor: page.nextCursor });
        all = all.concat(page.items);
      }
      setMessages((cur) => mergeMessages(cur, all));
    }
    setNotice(t.resynced);
    setTimeout(() => setNotice(''), 4000);
  }, [loadList, t.resynced]);

  const onEvent = useCallback((e: LiveEvent) => {
    if (e.conversation) {
      const c = e.conversation as Conversation;
      setConversations((cur) => [c, ...cur.filter((x) => x.id !== c.id)].sort(byLastMessage));
    }
    if (e.message && e.conversationId === selectedRef.current) {
      setMessages((cur) => mergeMessages(cur, [e.message as Message]));
    }
  }, []);

  useEffect(() => {
    void loadList().catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) onLogout();
    });
    liveRef.current = connectLive({ onEvent, onState: setLive, onReconnected: () => void resync() });
    return () => liveRef.current?.close();
  }, [loadList, onEvent, resync, onLogout]);

  useEffect(() => {
    if (!selected) return;
    setMessages([]);
    void api.messages(selected).then((p) => setMessages(p.items));
    void api.markRead(selected).catch(() => {});
    setConversations((cur) => cur.map((c) => (c.id === selected ? { ...c, unread: 0 } : c)));
  }, [selected]);

  const current = conversations.find((c) => c.id === selected);
  return (
    <div className="inbox">
      <header className="topbar">
        <strong>{t.appName}</strong>
        <span data-testid="live-state" className={`live live-${live}`}>
          {live === 'open' ? t.connected : live === 'offline' ? t.offline : t.reconnecting}
        </span>
        {notice && (
          <span data-testid="resync-notice" className="notice">
            {notice}
          </span>
        )}
        <button data-testid="resync" onClick={() => liveRef.current?.reconnectNow()}>
          {t.resync}
        </button>
        <LanguageSwitch />
        <button
          onClick={async () => {
            await api.logout();
            onLogout();
          }}
        >
          {t.signOut}
        </button>
      </header>
      <aside className="list" data-testid="conversation-list">
        <h2>{t.conversations}</h2>
        {conversations.length === 0 && <p className="muted">{t.noConversations}</p>}
        {conversations.map((c) => (
          <button
            key={c.id}
            data-testid="conversation-item"
            className={`row ${c.id === selected ? 'selected' : ''}`}
            style={{ borderLeftColor: c.numberColor }}
            onClick={() => setSelected(c.id)}
          >
            <span className="name">{c.contactName || `+${c.contactPhone}`}</span>
            <span className="time">{formatTime(c.lastMessageAt)}</span>
            <span className="preview">{c.lastMessage?.text ?? ''}</span>
            {c.unread > 0 && <span className="unread" data-testid="unread-dot" aria-label="unread" />}
          </button>
        ))}
        {nextCursor && (
          <button
            className="more"
            onClick={async () => {
              const page = await api.conversations(nextCursor);
              setConversations((cur) => [
                ...cur,
                ...page.items.filter((c) => !cur.some((x) => x.id === c.id)),
              ]);
              setNextCursor(page.nextCursor);
            }}
          >
            {t.loadMore}
          </button>
        )}
      </aside>
      <section className="chat">
        {current ? (
          <Chat
            conversation={current}
            messages={messages}
            onSent={(m) => setMessages((cur) => mergeMessages(cur, [m]))}
          />
        ) : (
          <p className="muted center">{t.pickConversation}</p>
        )}
      </section>
    </div>
  );
}

function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(document.documentElement.lang || 'pt-BR', {
    timeZone: TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
  }).format(ms);
}

function Chat({
  conversation,
  messages,
  onSent,
}: {
  conversation: Conversation;
  messages: Message[];
  onSent: (m: Message) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [replyTo, setReplyTo] = useState<Message>();
  const bottom = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const windowOpen = (conversation.windowExpiresAt ?? 0) > Date.now();
  useEffect(() => {
    // Newer browsers return a promise from scrollIntoView: never hand it to React as a clean-up.
    void bottom.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);

  const send = async (attachment?: { uploadId: string; filename: string; mimeType: string }) => {
    const body = text.trim();
    if (!body && !attachment) return;
    setError('');
    try {
      const m = await api.send(conversation.id, {
        ...(body ? { text: body } : {}),
        ...(attachment ? { attachment } : {}),
        ...(replyTo ? { replyToMessageId: replyTo.id } : {}),
        clientId: crypto.randomUUID(),
      });
      onSent(m);
      setText('');
      setReplyTo(undefined);
    } catch (err) {
      setError(err instanceof ApiError && err.message ? err.message : t.sendFailed);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const up = await api.upload(file);
      await fetch(up.uploadUrl, {
        method: 'PUT',
        body: file,
        headers: up.headers ?? { 'content-type': file.type },
      });
      await send({
        uploadId: up.uploadId,
        filename: file.name,
        mimeType: file.type || 'application/octet-stream',
      });
    } catch {
      setError(t.sendFailed);
    }
  };
  return (
    <>
      <header className="chat-header" style={{ borderBottomColor: conversation.numberColor }}>
        <strong data-testid="chat-title">
          {conversation.contactName || `+${conversation.contactPhone}`}
        </strong>
        <span className="muted">+{conversation.contactPhone}</span>
        {conversation.protocol && (
          <span className="muted">
            {t.protocol} {conversation.protocol}
          </span>
        )}
        <span className="number-tag" style={{ background: conversation.numberColor }}>
          {conversation.numberName}
        </span>
      </header>
      <div className="messages" data-testid="messages">
        {messages.map((m) => (
          <Bubble key={m.id} m={m} onReply={() => setReplyTo(m)} />
        ))}
        <div ref={bottom} />
      </div>
      <footer className="composer">
        {!windowOpen && (
          <p className="warning" data-testid="window-closed">
            {t.windowClosed}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="send-error">
            {error}
          </p>
        )}
        {replyTo && (
          <p className="replying">
            {t.replyingTo}: {replyTo.text ?? replyTo.type}{' '}
            <button onClick={() => setReplyTo(undefined)}>{t.cancelReply}</button>
          </p>
        )}
        <div className="compose-row">
          <button onClick={() => fileInput.current?.click()} title={t.attach}>
            {t.attach}
          </button>
          <input
            ref={fileInput}
            type="file"
            hidden
            data-testid="attach-input"
            onChange={(e) => void onFile(e.target.files?.[0])}
          />
          <textarea
            data-testid="composer"
            value={text}
            placeholder={t.composerPlaceholder}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKey}
            rows={2}
          />
          <button data-testid="send" onClick={() => void send()}>
            {t.send}
          </button>
        </div>
      </footer>
    </>
  );
}

function Bubble({ m, onReply }: { m: Message; onReply: () => void }) {
  const { t } = useI18n();
  const statusLabel = useMemo(
    () =>
      ({
        pending: t.statusPending,
        sent: t.statusSent,
        delivered: t.statusDelivered,
        read: t.statusRead,
        failed: t.statusFailed,
        received: t.statusReceived,
      })[m.status],
    [m.status, t],
  );
  const ticks = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠', received: '' }[
    m.status
  ];
  const who =
    m.direction === 'in'
      ? (m.sender.name ?? t.customer)
      : m.sender.type === 'system'
        ? t.system
        : (m.sender.name ?? t.you);
  const errorText = m.error ? `${m.error.code} — ${m.error.title}: ${m.error.message}` : undefined;
  return (
    <div
      className={`bubble ${m.direction}`}
      data-testid="message"
      data-status={m.status}
      data-direction={m.direction}
    >
      <div className="meta">
        <span>{who}</span>
        <span>{formatTime(m.createdAt)}</span>
      </div>
      <Content m={m} />
      {m.direction === 'out' && (
        <div
          className={`status status-${m.status}`}
          data-testid="message-status"
          title={errorText ?? statusLabel}
        >
          {ticks} {statusLabel}
        </div>
      )}
      {errorText && (
        <div className="error" data-testid="message-error">
          {errorText}
        </div>
      )}
      {m.direction === 'in' && (
        <button className="link" onClick={onReply}>
          {t.reply}
        </button>
      )}
    </div>
  );
}

function Content({ m }: { m: Message }) {
  const { t } = useI18n();
  const url = m.media?.url;
  switch (m.type) {
    case 'image':
    case 'sticker':
      return url ? (
        <img src={url} alt={m.media?.caption ?? ''} className="media" />
      ) : (
        <em>{m.media?.caption ?? m.type}</em>
      );
    case 'audio':
      return url ? <audio src={url} controls /> : <em>{m.type}</em>;
    case 'video':
      return url ? <video src={url} controls className="media" /> : <em>{m.type}</em>;
    case 'document':
      return url ? (
        <a href={url} target="_blank" rel="noreferrer">
          📄 {m.media?.filename ?? t.document}
        </a>
      ) : (
        <em>📄 {m.media?.filename ?? t.document}</em>
      );
    case 'location':
      return m.location ? (
        <a
          href={`https://www.openstreetmap.org/?mlat=${m.location.latitude}&mlon=${m.location.longitude}`}
          target="_blank"
          rel="noreferrer"
        >
          📍 {m.location.name ?? t.location}
        </a>
      ) : (
        <em>{t.location}</em>
      );
    case 'unsupported':
      return <em data-testid="unsupported">{t.unsupported}</em>;
    default:
      return <p className="text">{m.text ?? m.media?.caption ?? ''}</p>;
  }
}
