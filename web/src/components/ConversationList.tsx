/**
 * The conversation list: the four views as tabs (with counts), filters, sort and search
 * (all answered by the server), and the rows, virtualised: only the rows on screen are in
 * the page, and the next page loads as the agent scrolls near the end. Each row carries
 * the number's colour, the department, Expirando/Expirado, the agent, the automation,
 * the channel and the unread dot.
 */
import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { conversationSorts, conversationViews } from '../api/conversations.ts';
import type {
  Campaign,
  Conversation,
  ConversationCounts,
  ConversationQuery,
  ConversationSort,
  ConversationView,
  WhatsAppNumber,
} from '../api-types.ts';
import { formatPhone, useFormat } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { useDirectory } from '../directory.ts';
import { botRunning, isUnread, tagOf } from '../inbox-list.ts';
import { useCampaigns } from '../queries/conversations.ts';
import { BotIcon, HeadsetIcon, WhatsAppIcon } from './icons.tsx';
import { inkOn } from '../contrast.ts';

const SEARCH_DEBOUNCE_MS = 350;
const NO_CAMPAIGNS: Campaign[] = [];

export function ConversationList({
  conversations,
  state,
  selectedId,
  hasMore,
  loadingMore,
  onSelect,
  onLoadMore,
  onRetry,
  query,
  onQuery,
  counts,
  numbers = [],
  onNewChat,
}: {
  conversations: Conversation[];
  state: 'loading' | 'ready' | 'failed';
  selectedId?: string;
  hasMore: boolean;
  loadingMore: boolean;
  onSelect: (c: Conversation) => void;
  onLoadMore: () => void;
  onRetry: () => void;
  query: ConversationQuery;
  onQuery: (q: ConversationQuery) => void;
  counts?: ConversationCounts;
  numbers?: Pick<WhatsAppNumber, 'id' | 'name' | 'color'>[];
  /** Opens the new-chat panel (INB-12). */
  onNewChat?: () => void;
}) {
  const { t } = useI18n();
  const f = useFormat();
  const { departments, users, userName, deptName, colorOf, me } = useDirectory();
  const [search, setSearch] = useState(query.q ?? '');
  const [showFilters, setShowFilters] = useState(false);
  const campaigns = useCampaigns(showFilters).data ?? NO_CAMPAIGNS;
  const scroller = useRef<HTMLDivElement>(null);

  // The search box queries the server once the agent stops typing.
  const queryRef = useRef(query);
  queryRef.current = query;
  useEffect(() => {
    const q = search.trim();
    if ((queryRef.current.q ?? '') === q) return;
    const timer = setTimeout(() => onQuery({ ...queryRef.current, q: q || undefined }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, onQuery]);

  const set = (patch: Partial<ConversationQuery>) => onQuery({ ...query, ...patch });

  const virtualizer = useVirtualizer({
    count: conversations.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 86,
    overscan: 8,
    getItemKey: (i) => conversations[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;

  // Near the end of what is loaded: the next page.
  useEffect(() => {
    if (hasMore && !loadingMore && state === 'ready' && lastShown >= conversations.length - 5) onLoadMore();
  }, [hasMore, loadingMore, state, lastShown, conversations.length, onLoadMore]);

  // A new query starts at the top.
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  const viewLabel: Record<ConversationView, string> = {
    all: t.viewAll,
    open: t.viewOpen,
    mine: t.viewMine,
    service: t.viewService,
  };
  const sortLabel: Record<ConversationSort, string> = {
    latest: t.sortLatest,
    oldest: t.sortOldest,
    newestOpening: t.sortNewestOpening,
    oldestOpening: t.sortOldestOpening,
  };
  const activeFilters = [query.agentId, query.numberId, query.tag, query.unread].filter(Boolean).length;
  const now = Date.now();

  return (
    <aside className="list conversation-list" data-testid="conversation-list">
      <div className="list-head">
        <h2 className="visually-hidden">{t.conversations}</h2>
        <nav className="views" role="tablist" aria-label={t.conversations}>
          {conversationViews.map((v) => (
            <button
              key={v}
              role="tab"
              aria-selected={query.view === v}
              className={`view-tab ${query.view === v ? 'active' : ''}`}
              data-testid={`view-${v}`}
              onClick={() => set({ view: v })}
            >
              {viewLabel[v]}
              {v !== 'all' && counts && (
                <span className="count" data-testid={`count-${v}`}>
                  {counts[v] > 99 ? '99+' : counts[v]}
                </span>
              )}
            </button>
          ))}
        </nav>
        <div className="list-tools">
          <input
            type="search"
            className="search"
            data-testid="conversation-search"
            placeholder={t.searchConversations}
            aria-label={t.searchConversations}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button
            className={`tool ${showFilters || activeFilters ? 'active' : ''}`}
            data-testid="toggle-filters"
            aria-expanded={showFilters}
            onClick={() => setShowFilters((s) => !s)}
          >
            {t.filters}
            {activeFilters > 0 && ` (${activeFilters})`}
          </button>
          <select
            className="sort"
            data-testid="sort"
            aria-label={t.sortBy}
            title={t.sortBy}
            value={query.sort}
            onChange={(e) => set({ sort: e.target.value as ConversationSort })}
          >
            {conversationSorts.map((s) => (
              <option key={s} value={s}>
                {sortLabel[s]}
              </option>
            ))}
          </select>
          {onNewChat && (
            <button className="tool new-chat-button" data-testid="new-chat-button" onClick={onNewChat}>
              {t.newChat}
            </button>
          )}
        </div>
        <div className="filters always">
          <label className="filter department">
            {t.departmentFilter}
            <select
              data-testid="department-filter"
              value={query.departmentId ?? ''}
              onChange={(e) => set({ departmentId: e.target.value || undefined })}
            >
              <option value="">{t.allDepartments}</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {(showFilters || activeFilters > 0) && (
          <div className="filters" data-testid="filters">
            <label className="filter">
              {t.agentFilter}
              <select
                data-testid="agent-filter"
                value={query.agentId ?? ''}
                onChange={(e) => set({ agentId: e.target.value || undefined })}
              >
                <option value="">{t.allAgents}</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="filter">
              {t.numberFilter}
              <select
                data-testid="number-filter"
                value={query.numberId ?? ''}
                onChange={(e) => set({ numberId: e.target.value || undefined })}
              >
                <option value="">{t.allNumbers}</option>
                {numbers.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="filter">
              {t.campaignFilter}
              <select
                data-testid="campaign-filter"
                value={query.campaignId ?? ''}
                onChange={(e) => set({ campaignId: e.target.value || undefined })}
              >
                <option value="">{t.allCampaigns}</option>
                {campaigns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="filter">
              {t.tagFilter}
              <select
                data-testid="tag-filter"
                value={query.tag ?? ''}
                onChange={(e) => set({ tag: (e.target.value || undefined) as ConversationQuery['tag'] })}
              >
                <option value="">{t.allTags}</option>
                <option value="expiring">{t.expiring}</option>
                <option value="expired">{t.expired}</option>
              </select>
            </label>
            <label className="filter check">
              <input
                type="checkbox"
                data-testid="unread-filter"
                checked={Boolean(query.unread)}
                onChange={(e) => set({ unread: e.target.checked || undefined })}
              />
              {t.unreadOnly}
            </label>
            {activeFilters > 0 && (
              <button
                className="link"
                data-testid="clear-filters"
                onClick={() =>
                  set({ agentId: undefined, numberId: undefined, tag: undefined, unread: undefined })
                }
              >
                {t.clearFilters}
              </button>
            )}
          </div>
        )}
      </div>
      <div
        className="list-scroll"
        ref={scroller}
        data-testid="conversation-scroll"
        onKeyDown={(e) => {
          // Keyboard: the arrows move between chats (Enter opens the focused one).
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          const rows = [
            ...e.currentTarget.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]'),
          ];
          const i = rows.indexOf(document.activeElement as HTMLElement);
          const next = i < 0 ? undefined : rows[i + (e.key === 'ArrowDown' ? 1 : -1)];
          if (!next) return;
          e.preventDefault();
          next.focus();
          next.scrollIntoView({ block: 'nearest' });
        }}
      >
        {state === 'loading' && conversations.length === 0 && <p className="muted pad">{t.loading}</p>}
        {state === 'ready' && conversations.length === 0 && (
          <p className="muted pad" data-testid="no-conversations">
            {query.q || activeFilters || query.departmentId ? t.noMatches : t.noConversations}
          </p>
        )}
        {state === 'failed' && (
          <p className="error pad">
            {t.loadFailed}{' '}
            <button className="link" onClick={onRetry}>
              {t.resync}
            </button>
          </p>
        )}
        <ul className="rows" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const c = conversations[item.index]!;
            const tag = tagOf(c, now);
            const phone = formatPhone(c.contactPhone);
            const name = c.contactName || phone;
            const unread = isUnread(c);
            const agent = c.agentId ? (userName(c.agentId) ?? t.agent) : undefined;
            const dept = deptName(c.departmentId);
            return (
              <li
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="row-slot"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <button
                  data-testid="conversation-item"
                  data-conversation-id={c.id}
                  className={`row ${c.id === selectedId ? 'selected' : ''} ${unread ? 'has-unread' : ''}`}
                  style={{ borderLeftColor: colorOf(c) }}
                  onClick={() => onSelect(c)}
                  aria-current={c.id === selectedId ? 'true' : undefined}
                >
                  <span
                    className="avatar"
                    style={{ background: colorOf(c), color: inkOn(colorOf(c)) }}
                    aria-hidden="true"
                  >
                    {initials(name)}
                  </span>
                  <span className="row-main">
                    <span className="row-top">
                      <span className="name">{name}</span>
                      <time className="time" dateTime={new Date(c.lastMessageAt).toISOString()}>
                        {f.listTime(c.lastMessageAt)}
                      </time>
                    </span>
                    <span className="row-mid">
                      <span className="channel" title={t.channelWhatsApp} data-testid="channel-icon">
                        <WhatsAppIcon size={13} />
                      </span>
                      {c.contactName && <span className="phone">{phone}</span>}
                      <span className="number-marker" title={t.numberLabel(c.numberName)}>
                        <span className="number-dot" style={{ background: colorOf(c) }} aria-hidden="true" />{' '}
                        {c.numberName}
                      </span>
                    </span>
                    <span className="row-tags">
                      {c.status === 'closed' && <span className="badge">{t.closed}</span>}
                      {dept && (
                        <span className="badge dept" data-testid="department-tag">
                          {dept}
                        </span>
                      )}
                      {tag && (
                        <span className={`badge window ${tag}`} data-testid="window-tag">
                          {tag === 'expired' ? t.expired : t.expiring}
                        </span>
                      )}
                      {c.postponedUntil !== undefined && c.postponedUntil > now && (
                        <span
                          className="badge later"
                          data-testid="postponed-tag"
                          title={t.postponedUntil(f.dateTime(c.postponedUntil))}
                        >
                          {t.postponed}
                        </span>
                      )}
                      {c.answered && (
                        <span className="badge answered" data-testid="answered-tag">
                          {t.answered}
                        </span>
                      )}
                      {agent && (
                        <span
                          className="marker agent"
                          data-testid="agent-icon"
                          title={t.agentLabel(agent)}
                          aria-label={t.agentLabel(agent)}
                        >
                          <HeadsetIcon size={14} />
                        </span>
                      )}
                      {botRunning(c) && (
                        <span
                          className="marker bot"
                          data-testid="bot-icon"
                          title={t.botRunning}
                          aria-label={t.botRunning}
                        >
                          <BotIcon size={14} />
                        </span>
                      )}
                    </span>
                    <span className="row-bottom">
                      <span className="preview" data-testid="conversation-preview">
                        {/* "Você:" only before the viewer's own messages, not the bot's or assistant's. */}
                        {c.lastMessage?.direction === 'out' &&
                          me &&
                          c.lastMessage.by === me.id &&
                          t.youPrefix}
                        {c.lastMessage?.text ?? ''}
                      </span>
                      {unread && (
                        <span
                          className={`unread ${c.unread > 0 ? '' : 'dot'}`}
                          data-testid="unread-dot"
                          title={c.unread > 0 ? t.unreadCount(c.unread) : t.markedUnread}
                          aria-label={c.unread > 0 ? t.unreadCount(c.unread) : t.markedUnread}
                        >
                          {c.unread > 99 ? '99+' : c.unread > 0 ? c.unread : ''}
                        </span>
                      )}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        {hasMore && (
          <button className="more" data-testid="load-more" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? t.loading : t.loadMore}
          </button>
        )}
      </div>
    </aside>
  );
}

function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim()
    .split(/\s+/);
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '';
  return (first + last).toUpperCase() || '#';
}
