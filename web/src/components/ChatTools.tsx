/**
 * What an agent can do with the open conversation: forward it to an agent (replacing
 * another agent asks first) or to a department, close the attendance, mark it unread or
 * (not) answered, postpone it (warning past the 24-hour window), and search its messages
 * (a hit scrolls the chat to the message).
 */
import { useContext, useEffect, useRef, useState } from 'react';
import { messagesApi } from '../api/messages.ts';
import { ApiError } from '../api/client.ts';
import { conversationsApi } from '../api/conversations.ts';
import type { Conversation } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { useDirectory } from '../directory.ts';
import { TimeZoneContext, useFormat } from '../format.ts';
import { postponePresets, zonedEpoch, zonedInput } from '../../../shared/domain/time.ts';
import { chatStateOf } from '../inbox-list.ts';
import { SearchIcon } from './icons.tsx';

type Panel = 'agent' | 'department' | 'postpone' | 'close' | 'search' | 'variables';

const SEARCH_DEBOUNCE_MS = 300;

export function ChatTools({
  conversation,
  onChanged,
  onMarkedUnread,
  onJumpTo,
}: {
  conversation: Conversation;
  onChanged: (c: Conversation) => void;
  onMarkedUnread: () => void;
  onJumpTo: (messageId: string) => Promise<boolean>;
}) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const timeZone = useContext(TimeZoneContext);
  const { users, departments, me } = useDirectory();
  const [menu, setMenu] = useState(false);
  const [panel, setPanel] = useState<Panel>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [agentId, setAgentId] = useState('');
  const [departmentId, setDepartmentId] = useState('');
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [until, setUntil] = useState(() => zonedInput(Date.now() + 3600_000, timeZone));
  const menuRef = useRef<HTMLDivElement>(null);
  const closed = conversation.status === 'closed';
  const variables = Object.entries(conversation.variables ?? {});

  // A click elsewhere closes the menu.
  useEffect(() => {
    if (!menu) return;
    const onDown = (e: MouseEvent) => {
      if (!menuRef.current?.contains(e.target as Node)) setMenu(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [menu]);

  const open = (p: Panel | undefined) => {
    setMenu(false);
    setError('');
    setNotice('');
    setConfirmReplace(false);
    setPanel((cur) => (cur === p ? undefined : p));
  };

  const failure = (err: unknown) =>
    err instanceof ApiError && err.status < 500 && err.message && lang === 'pt-BR'
      ? err.message
      : t.actionFailed;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(failure(err));
    } finally {
      setBusy(false);
    }
  };

  const assignAgent = (confirm: boolean) =>
    run(async () => {
      try {
        const c = await conversationsApi.assign(conversation.id, {
          agentId,
          ...(confirm ? { confirmReplace: true } : {}),
        });
        onChanged(c);
        setPanel(undefined);
        setConfirmReplace(false);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'CONFIRM_REPLACE') {
          setConfirmReplace(true);
          return;
        }
        throw err;
      }
    });

  /** "Assumir": the chat becomes the viewer's; replacing another agent asks first (the agent panel). */
  const take = () =>
    run(async () => {
      if (!me) return;
      try {
        onChanged(await conversationsApi.assign(conversation.id, { agentId: me.id }));
        setPanel(undefined);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'CONFIRM_REPLACE') {
          setAgentId(me.id);
          setPanel('agent');
          setConfirmReplace(true);
          return;
        }
        throw err;
      }
    });

  // The picker's date and time are the account's (its time zone), not the browser's.
  const [uDate, uTime] = until.split('T');
  const until_ms = uDate && uTime ? zonedEpoch(uDate, uTime, timeZone) : NaN;
  const pastWindow =
    Number.isFinite(until_ms) &&
    (conversation.windowExpiresAt === undefined || until_ms >= conversation.windowExpiresAt);

  return (
    <>
      <div className="chat-tools">
        {variables.length > 0 && (
          <button
            className={`tool ${panel === 'variables' ? 'active' : ''}`}
            data-testid="open-variables"
            title={t.collectedVariablesTitle}
            onClick={() => open('variables')}
          >
            {t.collectedVariables} ({variables.length})
          </button>
        )}
        <button
          className={`tool icon-tool ${panel === 'search' ? 'active' : ''}`}
          data-testid="open-chat-search"
          title={t.searchInChat}
          aria-label={t.searchInChat}
          onClick={() => open('search')}
        >
          <SearchIcon size={16} />
        </button>
        {!closed && me && conversation.agentId !== me.id && (
          <button className="tool" data-testid="take-chat" disabled={busy} onClick={() => void take()}>
            {t.takeChat}
          </button>
        )}
        <div className="menu-wrap" ref={menuRef}>
          <button
            className="tool"
            data-testid="chat-actions"
            aria-haspopup="menu"
            aria-expanded={menu}
            onClick={() => setMenu((m) => !m)}
          >
            {t.actions} ▾
          </button>
          {menu && (
            <ul className="menu" role="menu" data-testid="chat-actions-menu">
              {!closed && (
                <>
                  <li>
                    <button role="menuitem" data-testid="action-assign-agent" onClick={() => open('agent')}>
                      {t.forwardToAgent}
                    </button>
                  </li>
                  <li>
                    <button
                      role="menuitem"
                      data-testid="action-assign-department"
                      onClick={() => open('department')}
                    >
                      {t.forwardToDepartment}
                    </button>
                  </li>
                  <li>
                    <button role="menuitem" data-testid="action-postpone" onClick={() => open('postpone')}>
                      {t.postpone}
                    </button>
                  </li>
                </>
              )}
              <li>
                <button
                  role="menuitem"
                  data-testid="action-unread"
                  onClick={() => {
                    setMenu(false);
                    void run(async () => {
                      onChanged(await conversationsApi.markUnread(conversation.id));
                      onMarkedUnread();
                    });
                  }}
                >
                  {t.markUnread}
                </button>
              </li>
              <li>
                <button
                  role="menuitem"
                  data-testid="action-answered"
                  onClick={() => {
                    setMenu(false);
                    void run(async () =>
                      onChanged(await conversationsApi.setAnswered(conversation.id, !conversation.answered)),
                    );
                  }}
                >
                  {conversation.answered ? t.markNotAnswered : t.markAnswered}
                </button>
              </li>
              {!closed && chatStateOf(conversation).bot === 'off' && (
                <li>
                  <button
                    role="menuitem"
                    data-testid="action-reactivate-bot"
                    onClick={() => {
                      setMenu(false);
                      void run(async () => onChanged(await conversationsApi.reactivateBot(conversation.id)));
                    }}
                  >
                    {t.reactivateBot}
                  </button>
                </li>
              )}
              {!closed && chatStateOf(conversation).bot !== 'off' && (
                <li>
                  <button
                    role="menuitem"
                    data-testid="action-stop-bot"
                    onClick={() => {
                      setMenu(false);
                      void run(async () => onChanged(await conversationsApi.stopBot(conversation.id)));
                    }}
                  >
                    {t.stopBot}
                  </button>
                </li>
              )}
              {!closed && (
                <li>
                  <button
                    role="menuitem"
                    className="danger"
                    data-testid="action-close"
                    onClick={() => open('close')}
                  >
                    {t.closeAttendance}
                  </button>
                </li>
              )}
            </ul>
          )}
        </div>
      </div>
      {error && !panel && (
        <p className="error small tool-error" role="alert" data-testid="action-error">
          {error}
        </p>
      )}
      {panel === 'variables' && (
        <div className="chat-panel" data-testid="panel-variables">
          <strong>{t.collectedVariablesTitle}</strong>
          <dl className="variables-list">
            {variables.map(([k, v]) => (
              <div key={k} data-testid="variable-item">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      {panel && panel !== 'search' && panel !== 'variables' && (
        <div className="chat-panel" data-testid={`panel-${panel}`}>
          {panel === 'agent' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (agentId) void assignAgent(false);
              }}
            >
              <label>
                {t.forwardToAgent}
                <select
                  data-testid="assign-agent-select"
                  value={agentId}
                  onChange={(e) => {
                    setAgentId(e.target.value);
                    setConfirmReplace(false);
                  }}
                  required
                >
                  <option value="">{t.chooseAgent}</option>
                  {users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                      {u.id === me?.id ? ` (${t.you})` : ''}
                    </option>
                  ))}
                </select>
              </label>
              {confirmReplace ? (
                <div className="confirm" role="alertdialog" data-testid="confirm-dialog">
                  <p>{t.confirmReplaceAgent}</p>
                  <button
                    type="button"
                    className="primary"
                    data-testid="confirm-yes"
                    disabled={busy}
                    onClick={() => void assignAgent(true)}
                  >
                    {t.yesReplace}
                  </button>
                  <button type="button" data-testid="confirm-no" onClick={() => setConfirmReplace(false)}>
                    {t.cancel}
                  </button>
                </div>
              ) : (
                <div className="panel-buttons">
                  <button
                    type="submit"
                    className="primary"
                    data-testid="assign-agent-submit"
                    disabled={busy || !agentId}
                  >
                    {t.forward}
                  </button>
                  <button type="button" onClick={() => open(undefined)}>
                    {t.cancel}
                  </button>
                </div>
              )}
            </form>
          )}
          {panel === 'department' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (!departmentId) return;
                void run(async () => {
                  onChanged(await conversationsApi.assign(conversation.id, { departmentId }));
                  setPanel(undefined);
                });
              }}
            >
              <label>
                {t.forwardToDepartment}
                <select
                  data-testid="assign-department-select"
                  value={departmentId}
                  onChange={(e) => setDepartmentId(e.target.value)}
                  required
                >
                  <option value="">{t.chooseDepartment}</option>
                  {departments.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
              <div className="panel-buttons">
                <button
                  type="submit"
                  className="primary"
                  data-testid="assign-department-submit"
                  disabled={busy || !departmentId}
                >
                  {t.forward}
                </button>
                <button type="button" onClick={() => open(undefined)}>
                  {t.cancel}
                </button>
              </div>
            </form>
          )}
          {panel === 'close' && (
            <div className="confirm" role="alertdialog" data-testid="confirm-dialog">
              <p>{t.confirmClose}</p>
              <button
                className="primary danger"
                data-testid="confirm-yes"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    onChanged(await conversationsApi.close(conversation.id));
                    setPanel(undefined);
                  })
                }
              >
                {t.closeAttendance}
              </button>
              <button data-testid="confirm-no" onClick={() => open(undefined)}>
                {t.cancel}
              </button>
            </div>
          )}
          {panel === 'postpone' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (!Number.isFinite(until_ms)) return;
                void run(async () => {
                  const res = await conversationsApi.postpone(conversation.id, until_ms);
                  onChanged(res.conversation);
                  setNotice(
                    `${t.postponedUntil(f.dateTime(until_ms))}${res.warnWindow ? ` ${t.postponeWindowWarning}` : ''}`,
                  );
                });
              }}
            >
              <div className="panel-buttons" role="group" aria-label={t.postponePresets}>
                {(
                  [
                    ['hour', t.postponeInHour],
                    ['tomorrow', t.postponeTomorrow],
                    ['monday', t.postponeMonday],
                  ] as const
                ).map(([key, label]) => (
                  <button
                    key={key}
                    type="button"
                    data-testid={`postpone-preset-${key}`}
                    onClick={() => setUntil(zonedInput(postponePresets(Date.now(), timeZone)[key], timeZone))}
                  >
                    {label}
                  </button>
                ))}
              </div>
              <label>
                {t.postponeUntil}
                <input
                  type="datetime-local"
                  data-testid="postpone-until"
                  value={until}
                  min={zonedInput(Date.now(), timeZone)}
                  onChange={(e) => setUntil(e.target.value)}
                  required
                />
              </label>
              {pastWindow && !notice && (
                <p className="warning small" data-testid="postpone-window-warning">
                  {t.postponeWindowWarning}
                </p>
              )}
              {notice && (
                <p
                  className={notice.includes(t.postponeWindowWarning) ? 'warning small' : 'ok small'}
                  data-testid="postpone-result"
                >
                  {notice}
                </p>
              )}
              <div className="panel-buttons">
                <button type="submit" className="primary" data-testid="postpone-submit" disabled={busy}>
                  {t.postpone}
                </button>
                <button type="button" onClick={() => open(undefined)}>
                  {notice ? t.done : t.cancel}
                </button>
              </div>
            </form>
          )}
          {error && (
            <p className="error small" role="alert" data-testid="action-error">
              {error}
            </p>
          )}
        </div>
      )}
      {panel === 'search' && (
        <ChatSearch conversationId={conversation.id} onJumpTo={onJumpTo} onClose={() => open(undefined)} />
      )}
    </>
  );
}

function ChatSearch({
  conversationId,
  onJumpTo,
  onClose,
}: {
  conversationId: string;
  onJumpTo: (messageId: string) => Promise<boolean>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const f = useFormat();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<{ id: string; text: string; createdAt: number }[]>();
  const [state, setState] = useState<'idle' | 'searching' | 'failed'>('idle');
  const [missing, setMissing] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setHits(undefined);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      setState('searching');
      messagesApi
        .searchMessages(conversationId, term)
        .then((r) => {
          if (stale) return;
          setHits(r.items);
          setState('idle');
        })
        .catch(() => !stale && setState('failed'));
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [q, conversationId]);

  return (
    <div className="chat-panel chat-search" data-testid="chat-search">
      <div className="search-row">
        <input
          ref={input}
          type="search"
          data-testid="chat-search-input"
          placeholder={t.searchInChatPlaceholder}
          aria-label={t.searchInChat}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <button className="link" onClick={onClose}>
          {t.close}
        </button>
      </div>
      {state === 'searching' && <p className="muted small">{t.searching}</p>}
      {state === 'failed' && <p className="error small">{t.loadFailed}</p>}
      {missing && <p className="error small">{t.hitNotFound}</p>}
      {hits && state !== 'searching' && hits.length === 0 && (
        <p className="muted small" data-testid="chat-search-empty">
          {t.noMatches}
        </p>
      )}
      {hits && hits.length > 0 && (
        <ul className="hits">
          {hits.map((h) => (
            <li key={h.id}>
              <button
                className="hit"
                data-testid="chat-search-hit"
                data-message-id={h.id}
                onClick={() => {
                  setMissing(false);
                  void onJumpTo(h.id).then((ok) => setMissing(!ok));
                }}
              >
                <time className="muted small">{f.dateTime(h.createdAt)}</time>
                <span className="hit-text">{h.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
