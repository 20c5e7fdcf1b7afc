/**
 * The inbox: the conversation list, the open conversation, and the live connection that
 * keeps both current. Pushed events are applied as they come; after a dropped connection
 * the inbox refetches the list and the open conversation's messages after the last one it
 * has (`?after=`), and tells the agent it did.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Conversation, type Department, type Me, type Message } from '../api.ts';
import { Integrations } from './Integrations.tsx';
import { connectLive, type LiveConnection, type LiveEvent, type LiveState } from '../live.ts';
import { lastStoredId, mergeMessages, upsertConversations } from '../inbox-state.ts';
import { useI18n } from '../i18n/index.ts';
import { DEFAULT_TIME_ZONE, TimeZoneContext } from '../format.ts';
import { ConversationList } from './ConversationList.tsx';
import { Chat, type Thread } from './Chat.tsx';
import { ConnectionBanner, type SyncState } from './ConnectionBanner.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ChatIcon } from './icons.tsx';

const SYNCED_NOTICE_MS = 6000;

export function Inbox({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n();
  const [me, setMe] = useState<Me>();
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [listState, setListState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [listCursor, setListCursor] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [selectedId, setSelectedId] = useState<string>();
  const [thread, setThread] = useState<Thread>();
  const [live, setLive] = useState<LiveState>('connecting');
  const [sync, setSync] = useState<SyncState>('idle');
  const [page, setPage] = useState<'inbox' | 'integrations'>('inbox');
  const [departments, setDepartments] = useState<Department[]>([]);
  useEffect(() => {
    void api
      .departments()
      .then((d) => setDepartments(d.items))
      .catch(() => {});
  }, [page]);

  // Event handlers and the resync read the latest state through refs (they outlive renders).
  const selectedRef = useRef<string | undefined>(undefined);
  const threadRef = useRef<Thread | undefined>(undefined);
  const liveRef = useRef<LiveConnection | undefined>(undefined);
  const syncTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const readTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Once the agent paged further, refetching the first page must not reset the cursor. */
  const pagedFurther = useRef(false);
  useEffect(() => {
    selectedRef.current = selectedId;
    threadRef.current = thread;
  });

  const updateThread = useCallback((conversationId: string, fn: (th: Thread) => Thread) => {
    setThread((cur) => {
      const next = cur && cur.conversationId === conversationId ? fn(cur) : cur;
      threadRef.current = next;
      return next;
    });
  }, []);

  /** Marks the open conversation read (debounced: a burst of messages is one request). */
  const markReadSoon = useCallback((id: string) => {
    clearTimeout(readTimer.current);
    readTimer.current = setTimeout(() => {
      if (selectedRef.current !== id || document.visibilityState === 'hidden') return;
      void api.markRead(id).catch(() => {});
    }, 400);
  }, []);

  const loadFirstPage = useCallback(async () => {
    const page = await api.conversations();
    setConversations((cur) => {
      const merged = upsertConversations(cur, page.items);
      // The open conversation stays read while the agent looks at it.
      return merged.map((c) => (c.id === selectedRef.current ? { ...c, unread: 0 } : c));
    });
    if (!pagedFurther.current) setListCursor(page.nextCursor);
    setListState('ready');
  }, []);

  const loadMore = async () => {
    if (!listCursor) return;
    setLoadingMore(true);
    pagedFurther.current = true;
    try {
      const page = await api.conversations(listCursor);
      setConversations((cur) => upsertConversations(cur, page.items));
      setListCursor(page.nextCursor);
    } catch {
      setListState('failed');
    } finally {
      setLoadingMore(false);
    }
  };

  /** Everything newer than what the open conversation shows, plus fresh copies of its latest page. */
  const catchUpThread = useCallback(
    async (id: string) => {
      const th = threadRef.current;
      if (!th || th.conversationId !== id || th.state !== 'ready') return;
      const after = lastStoredId(th.messages);
      const fetched: Message[] = [];
      if (after) {
        let page = await api.messages(id, { after });
        fetched.push(...page.items);
        for (let i = 0; page.nextCursor && i < 20; i++) {
          page = await api.messages(id, { cursor: page.nextCursor });
          fetched.push(...page.items);
        }
      }
      // Statuses (ticks) of messages we already had may have changed while disconnected.
      const latest = await api.messages(id);
      fetched.push(...latest.items);
      updateThread(id, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, fetched) }));
    },
    [updateThread],
  );

  const resync = useCallback(async () => {
    clearTimeout(syncTimer.current);
    setSync('syncing');
    try {
      await loadFirstPage();
      const id = selectedRef.current;
      if (id) {
        await catchUpThread(id);
        markReadSoon(id);
      }
      setSync('synced');
      syncTimer.current = setTimeout(() => setSync('idle'), SYNCED_NOTICE_MS);
    } catch {
      setSync('failed');
    }
  }, [loadFirstPage, catchUpThread, markReadSoon]);

  /** The same catch-up without telling anyone (nothing went wrong). */
  const quietCatchUp = useCallback(async () => {
    await loadFirstPage();
    const id = selectedRef.current;
    if (id) await catchUpThread(id);
  }, [loadFirstPage, catchUpThread]);

  const onEvent = useCallback(
    (e: LiveEvent) => {
      const open = e.conversationId === selectedRef.current;
      if (e.conversation) {
        const c = open ? { ...e.conversation, unread: 0 } : e.conversation;
        setConversations((cur) => upsertConversations(cur, [c]));
        if (open && e.conversation.unread > 0) markReadSoon(e.conversationId);
      }
      if (e.message && open) {
        const m = e.message;
        updateThread(e.conversationId, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, [m]) }));
      }
    },
    [markReadSoon, updateThread],
  );

  useEffect(() => {
    void api
      .me()
      .then(setMe)
      .catch(() => {});
    void loadFirstPage().catch(() => setListState('failed'));
    const conn = connectLive({
      onEvent,
      onState: setLive,
      onReconnected: () => void resync(),
      onSettled: () => void quietCatchUp().catch(() => {}),
    });
    liveRef.current = conn;
    return () => {
      conn.close();
      clearTimeout(syncTimer.current);
      clearTimeout(readTimer.current);
    };
  }, [loadFirstPage, onEvent, resync, quietCatchUp]);

  // Coming back to the tab: what arrived while it was hidden is now read.
  useEffect(() => {
    const onVisible = () => {
      const id = selectedRef.current;
      if (document.visibilityState === 'visible' && id) markReadSoon(id);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [markReadSoon]);

  const openConversation = useCallback(
    async (id: string) => {
      setSelectedId(id);
      selectedRef.current = id;
      const fresh: Thread = { conversationId: id, messages: [], state: 'loading' };
      threadRef.current = fresh;
      setThread(fresh);
      setConversations((cur) => cur.map((c) => (c.id === id ? { ...c, unread: 0 } : c)));
      void api.markRead(id).catch(() => {});
      try {
        const page = await api.messages(id);
        // Events that arrived while loading are kept (merge), a newer selection wins.
        updateThread(id, (cur) => ({
          ...cur,
          messages: mergeMessages(cur.messages, page.items),
          olderCursor: page.nextCursor,
          state: 'ready',
        }));
      } catch {
        updateThread(id, (cur) => ({ ...cur, state: 'failed' }));
      }
    },
    [updateThread],
  );

  const loadOlder = useCallback(async () => {
    const th = threadRef.current;
    if (!th?.olderCursor) return;
    const id = th.conversationId;
    const page = await api.messages(id, { cursor: th.olderCursor });
    updateThread(id, (cur) => ({
      ...cur,
      messages: mergeMessages(cur.messages, page.items),
      olderCursor: page.nextCursor,
    }));
  }, [updateThread]);

  /** Media URLs last 5 minutes: when one fails to load, fetch fresh copies of the latest page. */
  const refreshMedia = useCallback(async () => {
    const th = threadRef.current;
    if (!th) return;
    const page = await api.messages(th.conversationId);
    updateThread(th.conversationId, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, page.items) }));
  }, [updateThread]);

  const current = conversations.find((c) => c.id === selectedId);

  return (
    <TimeZoneContext.Provider value={me?.account?.timezone ?? DEFAULT_TIME_ZONE}>
      <div className={`inbox ${selectedId ? 'has-selection' : ''} page-${page}`}>
        <header className="topbar">
          <strong className="brand-name">{t.appName}</strong>
          <span data-testid="live-state" className={`live live-${live}`} data-state={live}>
            <span className="live-dot" aria-hidden="true" />
            {live === 'open'
              ? t.connected
              : live === 'offline'
                ? t.offline
                : live === 'connecting'
                  ? t.connecting
                  : t.reconnecting}
          </span>
          <nav className="pages">
            <button
              className={`ghost ${page === 'inbox' ? 'active' : ''}`}
              data-testid="nav-inbox"
              onClick={() => setPage('inbox')}
            >
              {t.inbox}
            </button>
            {me?.role === 'admin' && (
              <button
                className={`ghost ${page === 'integrations' ? 'active' : ''}`}
                data-testid="nav-integrations"
                onClick={() => setPage('integrations')}
              >
                {t.integrations}
              </button>
            )}
          </nav>
          <span className="spacer" />
          <button
            data-testid="resync"
            className="ghost"
            onClick={() => {
              if (liveRef.current?.isOpen()) void resync();
              else liveRef.current?.reconnectNow();
            }}
          >
            {t.resync}
          </button>
          <LanguageSwitch className="on-dark" />
          {me && (
            <span className="user" data-testid="user-name">
              {me.name}
            </span>
          )}
          <button
            className="ghost"
            data-testid="sign-out"
            onClick={async () => {
              liveRef.current?.close();
              await api.logout();
              onLogout();
            }}
          >
            {t.signOut}
          </button>
        </header>
        <ConnectionBanner live={live} sync={sync} onResync={() => void resync()} />
        {page === 'integrations' && <Integrations />}
        {page === 'inbox' && (
          <>
            <ConversationList
              departments={departments}
              conversations={conversations}
              state={listState}
              selectedId={selectedId}
              hasMore={Boolean(listCursor)}
              loadingMore={loadingMore}
              onSelect={(id) => void openConversation(id)}
              onLoadMore={() => void loadMore()}
              onRetry={() => {
                setListState('loading');
                void loadFirstPage().catch(() => setListState('failed'));
              }}
            />
            <section className="chat" data-testid="chat">
              {current && thread?.conversationId === current.id ? (
                <Chat
                  key={current.id}
                  conversation={current}
                  thread={thread}
                  onBack={() => {
                    setSelectedId(undefined);
                    selectedRef.current = undefined;
                  }}
                  onLoadOlder={loadOlder}
                  onMediaError={() => void refreshMedia().catch(() => {})}
                  onRetry={() => void openConversation(current.id)}
                  onLocalMessages={(msgs) =>
                    updateThread(current.id, (cur) => ({
                      ...cur,
                      messages: mergeMessages(cur.messages, msgs),
                    }))
                  }
                  onRemoveLocal={(id) =>
                    updateThread(current.id, (cur) => ({
                      ...cur,
                      messages: cur.messages.filter((m) => m.id !== id),
                    }))
                  }
                  onWindowClosed={() =>
                    setConversations((cur) =>
                      cur.map((c) => (c.id === current.id ? { ...c, windowExpiresAt: Date.now() - 1 } : c)),
                    )
                  }
                />
              ) : (
                <div className="empty-chat">
                  <span className="logo big" aria-hidden="true">
                    <ChatIcon size={64} />
                  </span>
                  <p className="muted">{t.pickConversation}</p>
                </div>
              )}
            </section>
          </>
        )}
      </div>
    </TimeZoneContext.Provider>
  );
}
