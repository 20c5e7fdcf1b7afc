/** The conversation list: newest first, the number's colour, unread dot, paged. */
import { useState } from 'react';
import type { Conversation, Department } from '../api.ts';
import { formatPhone, useFormat } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

export function ConversationList({
  conversations,
  state,
  selectedId,
  hasMore,
  loadingMore,
  onSelect,
  onLoadMore,
  onRetry,
  departments = [],
}: {
  departments?: Department[];
  conversations: Conversation[];
  state: 'loading' | 'ready' | 'failed';
  selectedId?: string;
  hasMore: boolean;
  loadingMore: boolean;
  onSelect: (id: string) => void;
  onLoadMore: () => void;
  onRetry: () => void;
}) {
  const { t } = useI18n();
  const f = useFormat();
  const [department, setDepartment] = useState('');
  const deptName = new Map(departments.map((d) => [d.id, d.name]));
  const shown = department ? conversations.filter((c) => c.departmentId === department) : conversations;
  const now = Date.now();
  return (
    <aside className="list" data-testid="conversation-list">
      <h2>{t.conversations}</h2>
      {departments.length > 0 && (
        <label className="filter pad">
          {t.departmentFilter}{' '}
          <select
            data-testid="department-filter"
            value={department}
            onChange={(e) => setDepartment(e.target.value)}
          >
            <option value="">{t.allDepartments}</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {state === 'loading' && conversations.length === 0 && <p className="muted pad">{t.loading}</p>}
      {state === 'ready' && conversations.length === 0 && <p className="muted pad">{t.noConversations}</p>}
      {state === 'failed' && (
        <p className="error pad">
          {t.loadFailed}{' '}
          <button className="link" onClick={onRetry}>
            {t.resync}
          </button>
        </p>
      )}
      <ul>
        {shown.map((c) => {
          const windowTag =
            c.status === 'open' && c.windowExpiresAt
              ? now >= c.windowExpiresAt
                ? t.expired
                : now >= c.windowExpiresAt - 30 * 60_000
                  ? t.expiring
                  : undefined
              : undefined;
          const phone = formatPhone(c.contactPhone);
          const name = c.contactName || phone;
          return (
            <li key={c.id}>
              <button
                data-testid="conversation-item"
                data-conversation-id={c.id}
                className={`row ${c.id === selectedId ? 'selected' : ''} ${c.unread > 0 ? 'has-unread' : ''}`}
                style={{ borderLeftColor: c.numberColor }}
                onClick={() => onSelect(c.id)}
                aria-current={c.id === selectedId ? 'true' : undefined}
              >
                <span className="avatar" style={{ background: c.numberColor }} aria-hidden="true">
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
                    {c.contactName && <span className="phone">{phone}</span>}
                    <span
                      className="number-marker"
                      style={{ color: c.numberColor }}
                      title={t.numberLabel(c.numberName)}
                    >
                      ● {c.numberName}
                    </span>
                    {c.status === 'closed' && <span className="badge">{t.closed}</span>}
                    {c.departmentId && deptName.has(c.departmentId) && (
                      <span className="badge dept" data-testid="department-tag">
                        {deptName.get(c.departmentId)}
                      </span>
                    )}
                    {windowTag && (
                      <span className="badge window" data-testid="window-tag">
                        {windowTag}
                      </span>
                    )}
                  </span>
                  <span className="row-bottom">
                    <span className="preview" data-testid="conversation-preview">
                      {c.lastMessage?.direction === 'out' && t.youPrefix}
                      {c.lastMessage?.text ?? ''}
                    </span>
                    {c.unread > 0 && (
                      <span
                        className="unread"
                        data-testid="unread-dot"
                        title={t.unreadCount(c.unread)}
                        aria-label={t.unreadCount(c.unread)}
                      >
                        {c.unread > 99 ? '99+' : c.unread}
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
