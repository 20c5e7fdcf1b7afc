/**
 * One message: customer on the left, agent on the right, internal notes and system
 * notices set apart; media inline; ticks for what WhatsApp reported, and Meta's error
 * (code and message) visible under a failed one.
 */
import type { Message } from '../api-types.ts';
import { formatCount, formatUsd, useFormat, type Formatter } from '../format.ts';
import { useDirectory } from '../directory.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import type { ReactNode } from 'react';
import { AlertIcon, CartIcon, ClockIcon, DocumentIcon, ForwardIcon, PinIcon } from './icons.tsx';
import { ContactCards } from './ContactCard.tsx';

const TICKS: Record<Message['status'], ReactNode> = {
  pending: <ClockIcon size={12} />,
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: <AlertIcon size={13} />,
  received: '',
};

export function statusLabel(t: Messages, s: Message['status']): string {
  return {
    pending: t.statusPending,
    sent: t.statusSent,
    delivered: t.statusDelivered,
    read: t.statusRead,
    failed: t.statusFailed,
    received: t.statusReceived,
  }[s];
}

export function senderName(t: Messages, m: Message, contactName: string): string {
  if (m.sender.type === 'system' || m.type === 'system') return t.system;
  if (m.sender.type === 'assistant') return m.sender.name ?? t.assistant;
  if (m.direction === 'in') return m.sender.name ?? (contactName || t.customer);
  return m.sender.name ?? t.you;
}

/** A one-line summary of a message (quotes, the reply bar). */
export function summary(t: Messages, m: Message): string {
  if (m.text) return m.text;
  if (m.media?.caption) return m.media.caption;
  if (m.media?.filename) return m.media.filename;
  const labels: Record<string, string> = {
    image: t.image,
    audio: t.audio,
    video: t.video,
    document: t.document,
    sticker: t.sticker,
    location: t.location,
    contacts: t.contacts,
    interactive: t.interactive,
    button: t.interactive,
    order: t.order,
    unsupported: t.unsupported,
  };
  return labels[m.type] ?? '';
}

export function MessageBubble({
  m,
  contactName,
  quoted,
  reactions,
  onReply,
  onPropose,
  onMediaError,
}: {
  m: Message;
  contactName: string;
  quoted?: Message;
  reactions?: string[];
  onReply: () => void;
  /** An agent's sent message: "propor como resposta pronta" (MSG-7). */
  onPropose?: () => void;
  onMediaError: () => void;
}) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const dir = useDirectory();
  const isSystem = m.type === 'system' || m.sender.type === 'system';
  const kind = isSystem ? 'system' : m.direction;
  const label = statusLabel(t, m.status);
  // Code 0 is ours (the send could not be confirmed or finished), not one of Meta's codes.
  const errorText = m.error
    ? m.error.code
      ? `${t.errorCode(m.error.code)}: ${m.error.message || m.error.title}`
      : m.error.message || m.error.title
    : undefined;
  const canReply = Boolean(m.wamid) && !isSystem && m.direction !== 'internal';

  if (m.tool) return <ToolRecord m={m} />;

  if (isSystem) {
    return (
      <div
        className={`bubble system ${m.event ? 'log' : ''}`}
        data-testid="message"
        data-message-id={m.id}
        data-direction={m.direction}
        data-type={m.type}
        data-event={m.event?.kind}
      >
        <span>{(m.event && logText(t, f, m, dir, lang)) ?? m.text ?? t.system}</span>
        <time>{f.clock(m.createdAt)}</time>
      </div>
    );
  }

  return (
    <div
      className={`bubble ${kind} ${m.status === 'failed' ? 'is-failed' : ''}`}
      data-testid="message"
      data-message-id={m.id}
      data-status={m.status}
      data-direction={m.direction}
      data-type={m.type}
    >
      <div className="meta">
        <span className="sender">{senderName(t, m, contactName)}</span>
        {m.forwarded && (
          <span className="forwarded">
            <ForwardIcon size={12} /> {t.forwarded}
          </span>
        )}
      </div>
      {m.replyTo && (
        <div className="quote" data-testid="quote">
          {quoted ? (
            <>
              <span className="quote-sender">{senderName(t, quoted, contactName)}</span>
              <span className="quote-text">{summary(t, quoted)}</span>
            </>
          ) : (
            <span className="quote-text">{t.quotedMissing}</span>
          )}
        </div>
      )}
      {m.direction === 'internal' && (
        <div className="internal-label" data-testid="internal-label">
          {t.internalMessageLabel}
        </div>
      )}
      <MessageContent m={m} onMediaError={onMediaError} />
      <div className="footer">
        {canReply && (
          <button className="link reply" onClick={onReply} data-testid="reply">
            {t.reply}
          </button>
        )}
        {onPropose && (
          <button className="link reply" onClick={onPropose} data-testid="propose-quick-reply">
            {t.proposeQuickReply}
          </button>
        )}
        {m.usage && <UsageLine usage={m.usage} />}
        <time title={f.dateTime(m.createdAt)}>{f.clock(m.createdAt)}</time>
        {m.direction === 'out' && (
          <span
            className={`status status-${m.status}`}
            data-testid="message-status"
            title={errorText ?? label}
          >
            <span aria-hidden="true">{TICKS[m.status]}</span>
            <span className="sr-only">{label}</span>
          </span>
        )}
      </div>
      {m.direction === 'out' && (m.sendAttempts ?? 0) > 1 && m.status !== 'failed' && (
        <div className="message-note" data-testid="message-resent">
          {t.resentNote}
        </div>
      )}
      {errorText && (
        <div className="message-error" data-testid="message-error" title={m.error?.details ?? m.error?.title}>
          {errorText}
        </div>
      )}
      {reactions && reactions.length > 0 && (
        <div className="reactions" data-testid="reactions">
          {reactions.join(' ')}
        </div>
      )}
    </div>
  );
}

/** Arguments as the model sent them (a JSON string), indented when they parse. */
function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** A tool the assistant called (an internal record): its name, and arguments and result on demand. */
export function ToolRecord({ m, open }: { m: Message; open?: boolean }) {
  const { t } = useI18n();
  const f = useFormat();
  const tool = m.tool!;
  return (
    <details
      className={`tool-record ${tool.error ? 'is-error' : ''}`}
      data-testid="tool-call"
      data-message-id={m.id}
      data-tool={tool.name}
      data-error={tool.error ? 'true' : undefined}
      open={open}
    >
      <summary>
        <span className="tool-name">{t.toolCall(tool.name)}</span>
        {tool.error && <span className="badge warn">{t.toolFailed}</span>}
        <code className="tool-args-preview">{tool.arguments.slice(0, 80)}</code>
        <time>{f.clock(m.createdAt)}</time>
      </summary>
      <div className="tool-body">
        <span className="tool-label">{t.toolArguments}</span>
        <pre data-testid="tool-arguments">{pretty(tool.arguments)}</pre>
        <span className="tool-label">{t.toolResult}</span>
        <pre data-testid="tool-result">{tool.result}</pre>
      </div>
    </details>
  );
}

/** What an assistant's reply cost: `US$ 0,0002 · 1.200 tokens` (offline answers cost nothing). */
export function UsageLine({ usage }: { usage: NonNullable<Message['usage']> }) {
  const { t, lang } = useI18n();
  const tokens = formatCount(usage.promptTokens + usage.completionTokens, lang);
  return (
    <span
      className="usage"
      data-testid="reply-cost"
      title={`${usage.model}: ${t.tokensDetail(
        formatCount(usage.promptTokens, lang),
        formatCount(usage.completionTokens, lang),
        formatCount(usage.cachedTokens, lang),
      )}`}
    >
      {usage.offline
        ? t.offlineReply
        : usage.costUsd !== undefined
          ? t.replyCost(formatUsd(usage.costUsd, lang), tokens)
          : t.tokensCount(tokens)}
    </span>
  );
}

/**
 * An assignment-log line in the UI language, with today's names; undefined (the stored
 * pt-BR text is shown instead) when a name is not known to this page.
 */
function logText(
  t: Messages,
  f: Formatter,
  m: Message,
  dir: ReturnType<typeof useDirectory>,
  lang: string,
): string | undefined {
  const e = m.event!;
  const fallback = lang === 'pt-BR' ? m.text : undefined;
  const name = (id: string | undefined) => (id === dir.me?.id ? dir.me?.name : dir.userName(id));
  switch (e.kind) {
    case 'agent': {
      const by = name(e.by);
      const agent = name(e.agentId);
      if (!agent) return fallback;
      return by && e.by !== e.agentId ? t.logAssigned(by, agent) : t.logTookOver(agent);
    }
    case 'department': {
      const by = name(e.by);
      const dept = dir.deptName(e.departmentId);
      if (!dept) return fallback;
      return by ? t.logForwarded(by, dept) : t.logForwardedNoOne(dept);
    }
    case 'joined': {
      const agent = name(e.agentId);
      return agent ? t.logJoined(agent) : fallback;
    }
    case 'closed': {
      if (!e.by) return t.logClosedAuto;
      const by = name(e.by);
      return by ? t.logClosedBy(by) : fallback;
    }
    case 'postponed': {
      const by = name(e.by);
      return by ? t.logPostponed(by, f.dateTime(e.until)) : fallback;
    }
    default:
      return fallback;
  }
}

function MessageContent({ m, onMediaError }: { m: Message; onMediaError: () => void }) {
  const { t } = useI18n();
  const url = m.media?.url;
  const caption = m.media?.caption ?? (m.media ? m.text : undefined);
  const mediaState =
    m.media?.status === 'failed' ? (
      <em className="muted">{t.mediaFailed}</em>
    ) : (
      <em className="muted">{t.mediaPending}</em>
    );
  const captionEl = caption ? <p className="text">{caption}</p> : null;
  switch (m.type) {
    case 'image':
    case 'sticker':
      return (
        <>
          {url ? (
            <a href={url} target="_blank" rel="noreferrer">
              <img
                src={url}
                alt={caption ?? (m.type === 'sticker' ? t.sticker : t.image)}
                className={m.type === 'sticker' ? 'sticker' : 'media'}
                onError={onMediaError}
                data-testid="media-image"
              />
            </a>
          ) : (
            mediaState
          )}
          {captionEl}
        </>
      );
    case 'audio':
      return (
        <>
          {m.media?.voice && (
            <p className="voice-label muted small" data-testid="voice-note">
              🎤 {t.voiceNote}
            </p>
          )}
          {url ? (
            <audio src={url} controls preload="metadata" onError={onMediaError} data-testid="media-audio" />
          ) : (
            mediaState
          )}
        </>
      );
    case 'video':
      return (
        <>
          {url ? (
            <video
              src={url}
              controls
              preload="metadata"
              className="media"
              onError={onMediaError}
              data-testid="media-video"
            />
          ) : (
            mediaState
          )}
          {captionEl}
        </>
      );
    case 'document':
      return (
        <>
          {url ? (
            <a className="document" href={url} target="_blank" rel="noreferrer" data-testid="media-document">
              <DocumentIcon /> {m.media?.filename ?? t.document}
            </a>
          ) : (
            <span className="document">
              <DocumentIcon /> {m.media?.filename ?? t.document} — {mediaState}
            </span>
          )}
          {captionEl}
        </>
      );
    case 'location': {
      const l = m.location;
      if (!l) return <em>{t.location}</em>;
      return (
        <a
          className="location"
          href={`https://www.google.com/maps/search/?api=1&query=${l.latitude},${l.longitude}`}
          target="_blank"
          rel="noreferrer"
          data-testid="location-link"
        >
          <PinIcon size={16} /> {l.name ?? t.location}
          {l.address && <span className="muted small"> — {l.address}</span>}
          <span className="small"> ({t.openMap})</span>
        </a>
      );
    }
    case 'reaction':
      return (
        <p className="text muted">
          {m.reaction?.emoji ? t.reactedWith(m.reaction.emoji) : t.reactionRemoved}
        </p>
      );
    case 'contacts':
      return <ContactCards cards={m.interactive} fallback={m.text || t.contacts} />;
    case 'interactive':
    case 'button':
      return (
        <p className="text">
          <span className="badge">{t.interactive}</span> {m.text ?? ''}
        </p>
      );
    case 'order':
      return (
        <p className="text">
          <CartIcon size={16} /> {m.text || t.order}
        </p>
      );
    case 'unsupported':
      return (
        <p className="text">
          <em className="badge warn" data-testid="unsupported">
            {t.unsupported}
          </em>
          {m.text ? ` ${m.text}` : ''}
        </p>
      );
    default:
      return <p className="text">{m.text ?? ''}</p>;
  }
}
