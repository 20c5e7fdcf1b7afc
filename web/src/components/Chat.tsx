/**
 * One conversation: header (who holds it, and what can be done with it: forward, close,
 * mark, postpone, search), its messages oldest first (grouped by day), and the composer.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Conversation, Message } from '../api-types.ts';
import { dayKey, formatCount, formatPhone, formatUsd, useFormat } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { reactionsByTarget } from '../inbox-state.ts';
import { scrollAction } from '../chat-scroll.ts';
import { useDirectory } from '../directory.ts';
import { MessageBubble } from './MessageBubble.tsx';
import { Composer } from './Composer.tsx';
import { QuickRepliesForm } from './QuickRepliesForm.tsx';
import { ChatTools } from './ChatTools.tsx';
import { ContactName } from './ContactName.tsx';
import { HeadsetIcon } from './icons.tsx';
import { inkOn } from '../contrast.ts';

export interface Thread {
  conversationId: string;
  messages: Message[];
  /** Pages back to older messages. */
  olderCursor?: string;
  /** notFound: gone, another account's, or out of this user's sight. */
  state: 'loading' | 'ready' | 'failed' | 'notFound';
}

export function Chat({
  conversation,
  thread,
  onBack,
  onLoadOlder,
  onMediaError,
  onRetry,
  onLocalMessages,
  onRemoveLocal,
  onWindowClosed,
  onChanged,
  onMarkedUnread,
  onJumpTo,
  highlight,
}: {
  conversation: Conversation;
  onChanged: (c: Conversation) => void;
  onMarkedUnread: () => void;
  /** Loads older pages until the message is there; false when it is not found. */
  onJumpTo: (messageId: string) => Promise<boolean>;
  /** The message to scroll to and highlight (`n` changes for each jump). */
  highlight?: { id: string; n: number };
  thread: Thread;
  onBack: () => void;
  onLoadOlder: () => Promise<void>;
  onMediaError: () => void;
  onRetry: () => void;
  onLocalMessages: (m: Message[]) => void;
  onRemoveLocal: (id: string) => void;
  onWindowClosed: () => void;
}) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const { userName, deptName, me, colorOf, users, departments } = useDirectory();
  const aiTokens = (conversation.aiPromptTokens ?? 0) + (conversation.aiCompletionTokens ?? 0);
  const [replyTo, setReplyTo] = useState<Message>();
  /** The sent message being proposed as a quick reply (MSG-7), and the notice after. */
  const [proposing, setProposing] = useState<Message>();
  const [proposed, setProposed] = useState('');
  const [loadingOlder, setLoadingOlder] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const firstId = useRef<string | undefined>(undefined);
  const lastId = useRef<string | undefined>(undefined);
  const prevHeight = useRef(0);

  const messages = thread.messages;
  const byWamid = useMemo(
    () => new Map(messages.filter((m) => m.wamid).map((m) => [m.wamid!, m])),
    [messages],
  );
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);
  const reactions = useMemo(() => reactionsByTarget(messages), [messages]);
  // Reactions to a message we show become a badge on it; others stay visible on their own.
  const shown = useMemo(
    () => messages.filter((m) => !(m.type === 'reaction' && m.reaction && byWamid.has(m.reaction.messageId))),
    [messages, byWamid],
  );

  // Keep the view at the bottom as messages arrive (unless the agent scrolled up to read),
  // and in place when older messages are added above. A message of ours brings the view
  // down only when it is new: a refresh of the same list (a catch-up, a status tick) must
  // not pull the agent away from an older message they scrolled or jumped to. A search
  // hit pins its message (web/src/chat-scroll.ts): centred in this same layout pass as its
  // page is merged, and again on every change until the agent scrolls or sends.
  const jumped = useRef(0);
  const pinned = useRef<string | undefined>(undefined);
  const unpin = () => {
    pinned.current = undefined;
  };
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (highlight && jumped.current !== highlight.n) {
      jumped.current = highlight.n;
      pinned.current = highlight.id;
    }
    const first = messages[0]?.id;
    const last = messages.at(-1);
    const newOwnLast =
      last !== undefined &&
      last.id !== lastId.current &&
      (last.direction === 'out' || last.direction === 'internal');
    const target = pinned.current
      ? el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(pinned.current)}"]`)
      : null;
    const action = scrollAction({
      olderAdded: Boolean(firstId.current && first !== firstId.current && prevHeight.current),
      newOwnLast,
      nearBottom: nearBottom.current,
      pinned: Boolean(target),
    });
    if (action === 'target') {
      target!.scrollIntoView({ block: 'center' });
      nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    } else if (action === 'keep') el.scrollTop += el.scrollHeight - prevHeight.current;
    else if (action === 'bottom') {
      pinned.current = undefined;
      el.scrollTop = el.scrollHeight;
    }
    firstId.current = first;
    lastId.current = last?.id;
    prevHeight.current = el.scrollHeight;
  }, [messages, highlight]);

  // Images finish loading after layout: stay at the bottom if we were there.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onLoad = () => {
      const target = pinned.current
        ? el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(pinned.current)}"]`)
        : null;
      if (target) target.scrollIntoView({ block: 'center' });
      else if (nearBottom.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    };
    el.addEventListener('load', onLoad, true);
    return () => el.removeEventListener('load', onLoad, true);
  }, []);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(i);
  }, []);
  const windowOpen = (conversation.windowExpiresAt ?? 0) > now;

  const phone = formatPhone(conversation.contactPhone);
  const agent = conversation.agentId
    ? conversation.agentId === me?.id
      ? me.name
      : (userName(conversation.agentId) ?? t.agent)
    : undefined;
  const dept = deptName(conversation.departmentId);
  let lastDay = '';
  return (
    <>
      <div className="chat-top">
        <header className="chat-header" style={{ borderBottomColor: colorOf(conversation) }}>
          <button className="back ghost-dark" onClick={onBack} aria-label={t.back}>
            ←
          </button>
          <div className="chat-title">
            <ContactName conversation={conversation} fallback={phone} onChanged={onChanged} />
            <span className="muted small">
              {conversation.contactName ? phone : ''}
              {conversation.protocol && (
                <>
                  {conversation.contactName ? ' · ' : ''}
                  {t.protocol} {conversation.protocol}
                </>
              )}
            </span>
          </div>
          {(conversation.aiCostUsd ?? 0) > 0 && (
            <span
              className="ai-cost"
              data-testid="chat-ai-cost"
              title={t.tokensDetail(
                formatCount(conversation.aiPromptTokens ?? 0, lang),
                formatCount(conversation.aiCompletionTokens ?? 0, lang),
                formatCount(conversation.aiCachedTokens ?? 0, lang),
              )}
            >
              {t.aiCostHeader(formatUsd(conversation.aiCostUsd!, lang), formatCount(aiTokens, lang))}
            </span>
          )}
          <span
            className="number-tag"
            style={{ background: colorOf(conversation), color: inkOn(colorOf(conversation)) }}
            title={t.numberLabel(conversation.numberName)}
          >
            {conversation.numberName}
          </span>
        </header>
        <div className="assignment" data-testid="assignment">
          {conversation.status === 'closed' ? (
            <span className="badge">{t.closed}</span>
          ) : (
            <>
              <span className="holder" data-testid="chat-agent">
                <HeadsetIcon size={14} /> {agent ?? t.noAgent}
              </span>
              <span className="holder" data-testid="chat-department">
                {t.department}: {dept ?? t.noDepartment}
              </span>
            </>
          )}
          <ChatTools
            conversation={conversation}
            onChanged={onChanged}
            onMarkedUnread={onMarkedUnread}
            onJumpTo={onJumpTo}
          />
        </div>
      </div>
      <div
        className="messages"
        data-testid="messages"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
        // The agent scrolls by themselves: a search jump's message is no longer held in view.
        onWheel={unpin}
        onTouchStart={unpin}
        onMouseDown={unpin}
        onKeyDown={unpin}
      >
        {thread.olderCursor && (
          <button
            className="load-older"
            data-testid="load-older"
            disabled={loadingOlder}
            onClick={async () => {
              setLoadingOlder(true);
              try {
                await onLoadOlder();
              } finally {
                setLoadingOlder(false);
              }
            }}
          >
            {loadingOlder ? t.loading : t.loadOlder}
          </button>
        )}
        {thread.state === 'loading' && messages.length === 0 && <p className="muted center">{t.loading}</p>}
        {thread.state === 'failed' && (
          <p className="error center">
            {t.loadFailed}{' '}
            <button className="link" onClick={onRetry}>
              {t.resync}
            </button>
          </p>
        )}
        {thread.state === 'ready' && messages.length === 0 && <p className="muted center">{t.noMessages}</p>}
        {shown.map((m) => {
          const day = dayKey(m.createdAt, f.timeZone);
          const separator = day !== lastDay;
          lastDay = day;
          const quoted = m.replyTo
            ? ((m.replyTo.messageId ? byId.get(m.replyTo.messageId) : undefined) ??
              byWamid.get(m.replyTo.wamid))
            : undefined;
          // Keyed by the client id when there is one: the stored copy replaces the
          // "sending" bubble in place instead of remounting it.
          return (
            <div
              key={m.clientId ? `c:${m.clientId}` : m.id}
              className={`message-wrap ${highlight?.id === m.id ? 'highlight' : ''}`}
              data-highlight={highlight?.id === m.id ? 'true' : undefined}
            >
              {separator && (
                <div className="day-separator">
                  <span>{f.day(m.createdAt, now)}</span>
                </div>
              )}
              <MessageBubble
                m={m}
                contactName={conversation.contactName}
                quoted={quoted}
                reactions={m.wamid ? reactions.get(m.wamid) : undefined}
                onReply={() => setReplyTo(m)}
                {...(m.direction === 'out' && m.sender.type === 'agent' && m.text && m.wamid
                  ? { onPropose: () => setProposing(m) }
                  : {})}
                onMediaError={onMediaError}
              />
            </div>
          );
        })}
      </div>
      {proposing && me && (
        <div className="qr-dialog" role="dialog" aria-modal="true" aria-label={t.proposeQuickReply}>
          <QuickRepliesForm
            me={me}
            manager={me.permissions.includes('approveQuickReplies')}
            departments={departments}
            users={users}
            initial={{ text: proposing.text ?? '', sourceMessageId: proposing.id }}
            onDone={(saved) => {
              setProposing(undefined);
              setProposed(saved.status === 'pending' ? t.qrProposedNotice : t.qrSaved);
            }}
            onCancel={() => setProposing(undefined)}
          />
        </div>
      )}
      {proposed && (
        <p className="muted small center" role="status" data-testid="qr-proposed">
          {proposed}
        </p>
      )}
      <Composer
        conversation={conversation}
        windowOpen={windowOpen}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(undefined)}
        onSent={() => {
          setReplyTo(undefined);
          pinned.current = undefined;
          nearBottom.current = true;
        }}
        onLocalMessages={onLocalMessages}
        onRemoveLocal={onRemoveLocal}
        onWindowClosed={onWindowClosed}
      />
    </>
  );
}
