/**
 * The inbox: the conversation list (a view, filters, sort and search, answered by the
 * server), the open conversation, and the live connection that keeps both current.
 * Pushed conversations enter or leave the current tab by the inbox rules
 * (shared/domain/inbox.ts); the tab counts refresh at most every 2 s. After a dropped
 * connection the inbox refetches the list and the open conversation's messages after the
 * last one it has (`?after=`), and tells the agent it did.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { authApi } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { conversationsApi } from '../api/conversations.ts';
import { messagesApi } from '../api/messages.ts';
import type { Conversation, ConversationQuery, Me, Message } from '../api-types.ts';
import { Integrations } from './Integrations.tsx';
import { Team } from './Team.tsx';
import { QuickReplies } from './QuickReplies.tsx';
import { Templates } from './Templates.tsx';
import { DeadLetters } from './DeadLetters.tsx';
import { Assistants } from './Assistants.tsx';
import { connectLive, type LiveConnection, type LiveEvent, type LiveState } from '../live.ts';
import { lastStoredId, mergeMessages, newerConversation, upsertConversations } from '../inbox-state.ts';
import { onOpenConversationRequest } from '../push.ts';
import { belongs, comparatorOf, viewerOf } from '../inbox-list.ts';
import { assistantOnly } from '../../../shared/domain/inbox.ts';
import { useI18n } from '../i18n/index.ts';
import { DEFAULT_TIME_ZONE, TimeZoneContext } from '../format.ts';
import { DirectoryContext } from '../directory.ts';
import { ConversationList } from './ConversationList.tsx';
import { Chat, type Thread } from './Chat.tsx';
import { NewChat } from './NewChat.tsx';
import { ConnectionBanner, type SyncState } from './ConnectionBanner.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { UserMenu } from './UserMenu.tsx';
import { Notifications, useNotifications } from './Notifications.tsx';
import { ChatIcon } from './icons.tsx';
import { paths, placeOf, type AppPage } from '../routes.ts';
import { useMe } from '../queries/auth.ts';
import { queryKeys, refresh } from '../queries/client.ts';
import {
  applyLiveEvent,
  fetchConversation,
  fetchConversationCounts,
  useConversationCounts,
} from '../queries/conversations.ts';
import { useDepartments, useNumbers } from '../queries/integrations.ts';
import { useUsers } from '../queries/team.ts';

const SYNCED_NOTICE_MS = 6000;
const COUNTS_EVERY_MS = 2000;
const PAGE_SIZE = 30;
const NONE: never[] = [];

/** Digits of the `?target_phone=` deep link, if any. */
function targetPhone(search: string): string | undefined {
  const v = new URLSearchParams(search).get('target_phone');
  const digits = v?.replace(/\D/g, '');
  return digits || undefined;
}

/** The conversation could not be read: gone, another account's, or out of this user's sight. */
const isNotFound = (err: unknown) => err instanceof ApiError && (err.status === 404 || err.status === 403);

export function Inbox({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n();
  // Who is signed in, the team and the numbers: the shared query cache (web/src/queries/).
  const me = useMe().data;
  const users = useUsers().data ?? NONE;
  const departments = useDepartments().data ?? NONE;
  const numbers = useNumbers().data ?? NONE;
  const [query, setQueryState] = useState<ConversationQuery>({ view: 'all', sort: 'latest' });
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [listState, setListState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [listCursor, setListCursor] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const counts = useConversationCounts().data;
  const [selectedId, setSelectedId] = useState<string>();
  const [selected, setSelected] = useState<Conversation>();
  const [thread, setThread] = useState<Thread>();
  const [highlight, setHighlight] = useState<{ id: string; n: number }>();
  /** The phone a `?target_phone=` link prefills the new-chat panel with. */
  const [newChatPhone, setNewChatPhone] = useState<string>();
  const [live, setLive] = useState<LiveState>('connecting');
  const [sync, setSync] = useState<SyncState>('idle');
  // The page and the open chat are the address's (web/src/routes.ts).
  const location = useLocation();
  const navigate = useNavigate();
  const place = placeOf(location.pathname) ?? { page: 'inbox' as const };
  const page: AppPage = place.page;
  const routeConversationId = place.conversationId;
  const newChat = page === 'inbox' && Boolean(place.newChat);
  const setPage = useCallback(
    (p: AppPage) => {
      // The inbox comes back to the chat that was open.
      const open = selectedRef.current;
      navigate(p === 'inbox' ? (open ? paths.conversation(open) : paths.inbox) : paths[p]);
    },
    [navigate],
  );

  const reloadDirectory = useCallback(() => refresh(queryKeys.departments, queryKeys.users), []);
  // Another page may have changed names or numbers: asked again on each page change (the
  // first render's queries are already on their way).
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    reloadDirectory();
    refresh(queryKeys.numbers);
  }, [page, reloadDirectory]);

  // Event handlers and the resync read the latest state through refs (they outlive renders).
  const selectedRef = useRef<string | undefined>(undefined);
  const threadRef = useRef<Thread | undefined>(undefined);
  const queryRef = useRef(query);
  const meRef = useRef<Me | undefined>(undefined);
  const pageRef = useRef<AppPage>(page);
  const cursorRef = useRef<string | undefined>(undefined);
  const liveRef = useRef<LiveConnection | undefined>(undefined);
  const syncTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const readTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Every conversation this page has seen, newest copy (notifications look them up). */
  const known = useRef(new Map<string, Conversation>());
  /** Each list request gets a number: an answer to an older query is dropped. */
  const listSeq = useRef(0);
  /**
   * Bumped only when the agent asks another query: a next page fetched meanwhile belongs
   * to the old one. A refetch of the first page (catch-up) does not invalidate it.
   */
  const querySeq = useRef(0);
  /** Once the agent paged further, refetching the first page must not reset the cursor. */
  const pagedFurther = useRef(false);
  useEffect(() => {
    selectedRef.current = selectedId;
    threadRef.current = thread;
    queryRef.current = query;
    meRef.current = me;
    pageRef.current = page;
    cursorRef.current = listCursor;
  });

  const remember = (list: Conversation[]) => {
    for (const c of list) known.current.set(c.id, { ...known.current.get(c.id), ...c });
  };

  // ── counts: at most one request every 2 s ─────────────────────────────────────────────
  const countsAt = useRef(0);
  const countsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshCounts = useCallback(() => {
    if (countsTimer.current) return; // one is already on its way
    const wait = Math.max(0, countsAt.current + COUNTS_EVERY_MS - Date.now());
    countsTimer.current = setTimeout(() => {
      countsTimer.current = undefined;
      countsAt.current = Date.now();
      void fetchConversationCounts().catch(() => {});
    }, wait);
  }, []);

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
      void conversationsApi.markRead(id).catch(() => {});
    }, 400);
  }, []);

  /** A conversation as the list should now show it: in, out, or updated in place. */
  const applyToList = useCallback((cur: Conversation[], c: Conversation): Conversation[] => {
    const q = queryRef.current;
    const viewer = meRef.current ? viewerOf(meRef.current) : undefined;
    const fits = belongs(c, q, viewer, Date.now());
    const present = cur.some((x) => x.id === c.id);
    if (fits === false) return present ? cur.filter((x) => x.id !== c.id) : cur;
    if (fits === undefined && !present) return cur;
    const order = comparatorOf(q.sort);
    // Past the last loaded row with more pages to come: it arrives with its page.
    const last = cur.at(-1);
    if (!present && cursorRef.current && last && order(c, last) > 0) return cur;
    return upsertConversations(cur, [c], order);
  }, []);

  /** A newer copy of a conversation (pushed, or returned by an action). */
  const conversationChanged = useCallback(
    (incoming: Conversation) => {
      const open = incoming.id === selectedRef.current;
      const c = open ? { ...incoming, unread: 0 } : incoming;
      remember([c]);
      // The header follows the newer copy whole: an agent or department it dropped goes at once.
      if (open) setSelected((cur) => newerConversation(cur?.id === c.id ? cur : undefined, c));
      setConversations((cur) => applyToList(cur, c));
      refreshCounts();
    },
    [applyToList, refreshCounts],
  );

  const loadFirstPage = useCallback(async (fresh = false) => {
    const seq = ++listSeq.current;
    const q = queryRef.current;
    const page = await conversationsApi.conversations(q, undefined, PAGE_SIZE);
    if (seq !== listSeq.current) return; // another query was asked meanwhile
    remember(page.items);
    const order = comparatorOf(q.sort);
    const viewer = meRef.current ? viewerOf(meRef.current) : undefined;
    setConversations((cur) => {
      const merged = fresh ? [...page.items].sort(order) : upsertConversations(cur, page.items, order);
      // The open conversation stays read while the agent looks at it; rows that left
      // the view while we were away go.
      return merged
        .filter((c) => belongs(c, q, viewer, Date.now()) !== false)
        .map((c) => (c.id === selectedRef.current ? { ...c, unread: 0 } : c));
    });
    const sel = page.items.find((c) => c.id === selectedRef.current);
    if (sel)
      setSelected((cur) => ({ ...newerConversation(cur?.id === sel.id ? cur : undefined, sel), unread: 0 }));
    if (fresh || !pagedFurther.current) setListCursor(page.nextCursor);
    setListState('ready');
  }, []);

  const setQuery = useCallback(
    (q: ConversationQuery) => {
      queryRef.current = q;
      querySeq.current++;
      setQueryState(q);
      pagedFurther.current = false;
      setConversations([]);
      setListCursor(undefined);
      cursorRef.current = undefined;
      setListState('loading');
      void loadFirstPage(true).catch(() => setListState('failed'));
    },
    [loadFirstPage],
  );

  const loadingMoreRef = useRef(false);
  const loadMore = useCallback(async () => {
    const cursor = cursorRef.current;
    if (!cursor || loadingMoreRef.current) return;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    pagedFurther.current = true;
    const seq = querySeq.current;
    const q = queryRef.current;
    try {
      const page = await conversationsApi.conversations(q, cursor, PAGE_SIZE);
      if (seq !== querySeq.current) return;
      remember(page.items);
      setConversations((cur) => upsertConversations(cur, page.items, comparatorOf(q.sort)));
      cursorRef.current = page.nextCursor;
      setListCursor(page.nextCursor);
    } catch {
      setListState('failed');
    } finally {
      loadingMoreRef.current = false;
      setLoadingMore(false);
    }
  }, []);

  /** Everything newer than what the open conversation shows, plus fresh copies of its latest page. */
  const catchUpThread = useCallback(
    async (id: string) => {
      const th = threadRef.current;
      if (!th || th.conversationId !== id || th.state !== 'ready') return;
      const after = lastStoredId(th.messages);
      const fetched: Message[] = [];
      if (after) {
        let page = await messagesApi.messages(id, { after });
        fetched.push(...page.items);
        for (let i = 0; page.nextCursor && i < 20; i++) {
          page = await messagesApi.messages(id, { cursor: page.nextCursor });
          fetched.push(...page.items);
        }
      }
      // Statuses (ticks) of messages we already had may have changed while disconnected.
      const latest = await messagesApi.messages(id);
      fetched.push(...latest.items);
      updateThread(id, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, fetched) }));
      const conv = await conversationsApi.conversation(id).catch(() => undefined);
      if (conv && selectedRef.current === id)
        setSelected((cur) => ({
          ...newerConversation(cur?.id === conv.id ? cur : undefined, conv),
          unread: 0,
        }));
    },
    [updateThread],
  );

  const resync = useCallback(async () => {
    clearTimeout(syncTimer.current);
    setSync('syncing');
    try {
      await loadFirstPage();
      refreshCounts();
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
  }, [loadFirstPage, catchUpThread, markReadSoon, refreshCounts]);

  /** The same catch-up without telling anyone (nothing went wrong). */
  const quietCatchUp = useCallback(async () => {
    await loadFirstPage();
    refreshCounts();
    const id = selectedRef.current;
    if (id) await catchUpThread(id);
  }, [loadFirstPage, catchUpThread, refreshCounts]);

  /** Shows a conversation (the address already says it is open): its copy and its messages. */
  const showConversation = useCallback(
    async (target: Conversation | string) => {
      const id = typeof target === 'string' ? target : target.id;
      setSelectedId(id);
      selectedRef.current = id;
      setHighlight(undefined);
      const knownCopy = typeof target === 'string' ? known.current.get(id) : target;
      setSelected(knownCopy ? { ...knownCopy, unread: 0, markedUnread: false } : undefined);
      const fresh: Thread = { conversationId: id, messages: [], state: 'loading' };
      threadRef.current = fresh;
      setThread(fresh);
      setConversations((cur) => cur.map((c) => (c.id === id ? { ...c, unread: 0, markedUnread: false } : c)));
      void conversationsApi.markRead(id).catch(() => {});
      if (!knownCopy)
        void fetchConversation(id)
          .then((c) => {
            remember([c]);
            if (selectedRef.current === id) setSelected({ ...c, unread: 0, markedUnread: false });
          })
          .catch((err: unknown) =>
            updateThread(id, (cur) => ({ ...cur, state: isNotFound(err) ? 'notFound' : 'failed' })),
          );
      try {
        const page = await messagesApi.messages(id);
        // Events that arrived while loading are kept (merge), a newer selection wins.
        updateThread(id, (cur) => ({
          ...cur,
          messages: mergeMessages(cur.messages, page.items),
          olderCursor: page.nextCursor,
          state: 'ready',
        }));
      } catch {
        updateThread(id, (cur) => ({ ...cur, state: cur.state === 'notFound' ? cur.state : 'failed' }));
      }
    },
    [updateThread],
  );

  /** Opens a conversation: its address (the route below shows it). */
  const openConversation = useCallback(
    (target: Conversation | string, opts: { replace?: boolean } = {}) => {
      if (typeof target !== 'string') remember([target]);
      const id = typeof target === 'string' ? target : target.id;
      navigate(paths.conversation(id), opts);
    },
    [navigate],
  );

  const closeChat = useCallback(() => {
    setSelectedId(undefined);
    selectedRef.current = undefined;
    setSelected(undefined);
  }, []);

  // The address decides which chat is open: a link, Back, reload, or a click on a row.
  useEffect(() => {
    if (page !== 'inbox') return;
    if (routeConversationId && routeConversationId !== selectedRef.current)
      void showConversation(routeConversationId);
    else if (!routeConversationId && selectedRef.current) closeChat();
  }, [page, routeConversationId, showConversation, closeChat]);

  const notifications = useNotifications({
    meRef,
    known,
    // The reference's rule: nothing is registered while the agent looks at the Chat page
    // (any chat or none), only on another page or with the tab hidden or minimised.
    onChatPage: () => pageRef.current === 'inbox' && document.visibilityState === 'visible',
  });
  const notify = notifications.consider;

  const onEvent = useCallback(
    (e: LiveEvent) => {
      applyLiveEvent(e);
      const open = e.conversationId === selectedRef.current;
      if (e.type === 'conversation.removed') {
        // Out of this user's sight (transferred away): off the list; an open thread stays
        // on screen until the agent leaves it.
        known.current.delete(e.conversationId);
        setConversations((cur) => cur.filter((c) => c.id !== e.conversationId));
        refreshCounts();
        return;
      }
      if (e.conversation) {
        conversationChanged(e.conversation);
        if (open && e.conversation.unread > 0) markReadSoon(e.conversationId);
      }
      if (e.message && open) {
        const m = e.message;
        updateThread(e.conversationId, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, [m]) }));
      }
      // Conversations held only with an assistant (Testar, the API) are nobody's chat.
      const test = assistantOnly(e.conversation?.channel ?? known.current.get(e.conversationId)?.channel);
      if (e.type === 'message.created' && e.message && !test) notify(e.message);
    },
    [markReadSoon, updateThread, conversationChanged, notify, refreshCounts],
  );

  useEffect(() => {
    void loadFirstPage().catch(() => setListState('failed'));
    refreshCounts();
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
  }, [loadFirstPage, onEvent, resync, quietCatchUp, refreshCounts]);

  useEffect(
    () => () => {
      clearTimeout(countsTimer.current);
      countsTimer.current = undefined;
    },
    [],
  );

  // The deep link `?target_phone=`: that contact's chat, or a "new chat" panel.
  const phone = targetPhone(location.search);
  useEffect(() => {
    if (!phone) return;
    let cancelled = false;
    void conversationsApi
      .conversations({ q: phone }, undefined, 10)
      .then((page) => {
        if (cancelled) return;
        const found = page.items.find((c) => c.contactPhone === phone) ?? page.items[0];
        // The link is consumed: the chat's own address, or the inbox's.
        if (found) openConversation(found, { replace: true });
        else {
          closeChat();
          setNewChatPhone(phone);
          navigate(paths.newChat, { replace: true });
        }
      })
      .catch(() => {
        if (cancelled) return;
        setNewChatPhone(phone);
        navigate(paths.newChat, { replace: true });
      });
    return () => {
      cancelled = true;
    };
  }, [phone, openConversation, navigate, closeChat]);

  // A tapped phone notification: `?conversation=<id>` (the app was closed; App redirects it
  // to the chat's address) or a message from the service worker (it was open).
  useEffect(() => onOpenConversationRequest((cid) => openConversation(cid)), [openConversation]);

  // Coming back to the tab: what arrived while it was hidden is now read.
  useEffect(() => {
    const onVisible = () => {
      const id = selectedRef.current;
      if (document.visibilityState === 'visible' && id) markReadSoon(id);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [markReadSoon]);

  const loadOlder = useCallback(async () => {
    const th = threadRef.current;
    if (!th?.olderCursor) return;
    const id = th.conversationId;
    const page = await messagesApi.messages(id, { cursor: th.olderCursor });
    updateThread(id, (cur) => ({
      ...cur,
      messages: mergeMessages(cur.messages, page.items),
      olderCursor: page.nextCursor,
    }));
  }, [updateThread]);

  /** A search hit: older pages until the message is loaded, then scroll to it. */
  const jumpTo = useCallback(
    async (messageId: string) => {
      const th = threadRef.current;
      if (!th) return false;
      const id = th.conversationId;
      let found = th.messages.some((m) => m.id === messageId);
      let cursor = th.olderCursor;
      const fetched: Message[] = [];
      for (let i = 0; !found && cursor && i < 200; i++) {
        const page = await messagesApi.messages(id, { cursor });
        fetched.push(...page.items);
        cursor = page.nextCursor;
        found = page.items.some((m) => m.id === messageId);
      }
      if (fetched.length)
        updateThread(id, (cur) => ({
          ...cur,
          messages: mergeMessages(cur.messages, fetched),
          olderCursor: cursor,
        }));
      if (found) setHighlight({ id: messageId, n: Date.now() });
      return found;
    },
    [updateThread],
  );

  /** Media URLs last 5 minutes: when one fails to load, fetch fresh copies of the latest page. */
  const refreshMedia = useCallback(async () => {
    const th = threadRef.current;
    if (!th) return;
    const page = await messagesApi.messages(th.conversationId);
    updateThread(th.conversationId, (cur) => ({ ...cur, messages: mergeMessages(cur.messages, page.items) }));
  }, [updateThread]);

  /** Back to the list (the chat's address goes too). */
  const leaveChat = () => {
    closeChat();
    navigate(paths.inbox);
  };

  const current = selected && selected.id === selectedId ? selected : undefined;
  const directory = useMemo(() => ({ me, users, departments, numbers }), [me, users, departments, numbers]);

  return (
    <DirectoryContext.Provider value={directory}>
      <TimeZoneContext.Provider value={me?.account?.timezone ?? DEFAULT_TIME_ZONE}>
        <div className={`inbox ${selectedId || newChat ? 'has-selection' : ''} page-${page}`}>
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
                <>
                  <button
                    className={`ghost ${page === 'integrations' ? 'active' : ''}`}
                    data-testid="nav-integrations"
                    onClick={() => setPage('integrations')}
                  >
                    {t.integrations}
                  </button>
                  <button
                    className={`ghost ${page === 'team' ? 'active' : ''}`}
                    data-testid="nav-team"
                    onClick={() => setPage('team')}
                  >
                    {t.team}
                  </button>
                  <button
                    className={`ghost ${page === 'failures' ? 'active' : ''}`}
                    data-testid="nav-failures"
                    onClick={() => setPage('failures')}
                  >
                    {t.deadLetters}
                  </button>
                </>
              )}
              {me?.permissions.includes('settings') && (
                <button
                  className={`ghost ${page === 'templates' ? 'active' : ''}`}
                  data-testid="nav-templates"
                  onClick={() => setPage('templates')}
                >
                  {t.templates}
                </button>
              )}
              <button
                className={`ghost ${page === 'quickReplies' ? 'active' : ''}`}
                data-testid="nav-quick-replies"
                onClick={() => setPage('quickReplies')}
              >
                {t.quickReplies}
              </button>
              <button
                className={`ghost ${page === 'assistants' ? 'active' : ''}`}
                data-testid="nav-assistants"
                onClick={() => setPage('assistants')}
              >
                {t.assistants}
              </button>
            </nav>
            <span className="spacer" />
            <Notifications state={notifications} onOpen={(id) => openConversation(id)} />
            <UserMenu>
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
                  await authApi.logout();
                  onLogout();
                }}
              >
                {t.signOut}
              </button>
            </UserMenu>
          </header>
          <ConnectionBanner live={live} sync={sync} onResync={() => void resync()} />
          {page === 'integrations' && <Integrations />}
          {page === 'team' && <Team />}
          {page === 'quickReplies' && <QuickReplies me={me} />}
          {page === 'templates' && <Templates />}
          {page === 'failures' && <DeadLetters onOpenConversation={(id) => openConversation(id)} />}
          {page === 'assistants' && <Assistants me={me} />}
          {page === 'inbox' && (
            <>
              <ConversationList
                conversations={conversations}
                state={listState}
                selectedId={selectedId}
                hasMore={Boolean(listCursor)}
                loadingMore={loadingMore}
                onSelect={(c) => openConversation(c)}
                onLoadMore={() => void loadMore()}
                onRetry={() => {
                  setListState('loading');
                  void loadFirstPage().catch(() => setListState('failed'));
                }}
                query={query}
                onQuery={setQuery}
                counts={counts}
                numbers={numbers}
                onNewChat={() => navigate(paths.newChat)}
              />
              <section className="chat" data-testid="chat">
                {newChat && !selectedId ? (
                  <NewChat
                    phone={newChatPhone}
                    onClose={() => {
                      setNewChatPhone(undefined);
                      navigate(paths.inbox);
                    }}
                    onOpenConversation={(id) => {
                      setNewChatPhone(undefined);
                      openConversation(id);
                    }}
                  />
                ) : selectedId && thread?.conversationId === selectedId && thread.state === 'notFound' ? (
                  <div className="empty-chat" data-testid="chat-not-found" role="alert">
                    <span className="logo big" aria-hidden="true">
                      <ChatIcon size={64} />
                    </span>
                    <p>{t.conversationNotFound}</p>
                    <button className="ghost" data-testid="chat-not-found-back" onClick={leaveChat}>
                      {t.backToInbox}
                    </button>
                  </div>
                ) : current && thread?.conversationId === current.id ? (
                  <Chat
                    key={current.id}
                    conversation={current}
                    thread={thread}
                    highlight={highlight}
                    onBack={leaveChat}
                    onLoadOlder={loadOlder}
                    onJumpTo={jumpTo}
                    onChanged={conversationChanged}
                    onMarkedUnread={leaveChat}
                    onMediaError={() => void refreshMedia().catch(() => {})}
                    onRetry={() => void showConversation(current.id)}
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
                      setSelected((cur) => (cur ? { ...cur, windowExpiresAt: Date.now() - 1 } : cur))
                    }
                  />
                ) : selectedId && thread?.state !== 'failed' ? (
                  <p className="muted center">{t.loading}</p>
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
    </DirectoryContext.Provider>
  );
}
