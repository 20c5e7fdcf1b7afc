/**
 * The composer: Enter sends, Shift+Enter breaks the line; an attachment goes to S3 first
 * (presigned PUT) and is then sent with the text as its caption; a reply quotes the
 * message. The message shows at once as "sending" and is replaced by the stored one.
 * "Interna?" (or a text starting with /interna) makes it an internal message: for the
 * team only, never sent to the contact, allowed with the 24-hour window closed.
 * Typing `/` opens the quick replies (respostas prontas, MSG-7) the agent may use, searched
 * by what follows; picking one puts its text (and attachment) in the composer. Variables
 * ({nome}…, MSG-2) are inserted from their menu and rendered by the server on send.
 * MSG-3: emoji at the cursor; a pasted image (Ctrl+V) or a dropped file is attached as the
 * paperclip's; a voice note (VoiceRecorder.tsx) or a contact card is sent at once.
 * "Modelos" opens the template picker (MSG-5); with the window closed it is the way forward.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { messagesApi as api } from '../api/messages.ts';
import type { Attachment, Conversation, Message, MessageType } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { tempId } from '../inbox-state.ts';
import { internalText } from '../../../shared/domain/inbox.ts';
import { useFormat } from '../format.ts';
import { summary } from './MessageBubble.tsx';
import { PaperclipIcon } from './icons.tsx';
import { EmojiButton } from './EmojiButton.tsx';
import { VoiceRecorder } from './VoiceRecorder.tsx';
import { ContactCardButton } from './ContactCard.tsx';
import type { ContactCard } from '../../../shared/api/routes/messages.schemas.ts';
import type { QuickReply } from '../api/quick-replies.ts';
import { useUsableQuickReplies } from '../queries/quick-replies.ts';
import { searchQuickReplies } from '../../../shared/domain/quick-replies.ts';
import { TemplateDialog } from './TemplatePicker.tsx';
import {
  QUICK_REPLY_LIST_ID,
  QuickRepliesPicker,
  VariablesMenu,
  insertAt,
  quickReplyOptionId,
} from './QuickRepliesPicker.tsx';

/** Unsent text per conversation, kept while the agent looks at another one. */
const drafts = new Map<string, string>();

export function Composer({
  conversation,
  windowOpen,
  replyTo,
  onCancelReply,
  onSent,
  onLocalMessages,
  onRemoveLocal,
  onWindowClosed,
}: {
  conversation: Conversation;
  windowOpen: boolean;
  replyTo?: Message;
  onCancelReply: () => void;
  onSent: () => void;
  onLocalMessages: (m: Message[]) => void;
  onRemoveLocal: (id: string) => void;
  onWindowClosed: () => void;
}) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const [text, setTextState] = useState(() => drafts.get(conversation.id) ?? '');
  const [file, setFile] = useState<File>();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState('');
  const [internal, setInternal] = useState(false);
  /** A picked quick reply's file (already uploaded), sent with the text as its caption. */
  const [savedFile, setSavedFile] = useState<NonNullable<QuickReply['attachment']>>();
  const [pickerDismissed, setPickerDismissed] = useState(false);
  const [pickerForced, setPickerForced] = useState(false);
  /** The template picker (MSG-5): inside the window beside free text, outside it the way forward. */
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const setText = (v: string) => {
    drafts.set(conversation.id, v);
    setTextState(v);
  };

  // `/` and a search, alone in the field: the quick-reply list (or opened by its button).
  const slashQuery = /^\/\S*$/.test(text) ? text.slice(1) : undefined;
  const pickerOpen = (slashQuery !== undefined && !pickerDismissed) || pickerForced;
  const quickReplies = useUsableQuickReplies(pickerOpen);
  const matches = useMemo(
    () => (pickerOpen ? searchQuickReplies(quickReplies.data ?? [], slashQuery ?? '') : []),
    [pickerOpen, quickReplies.data, slashQuery],
  );
  useEffect(() => setActive(0), [slashQuery, pickerForced]);
  // Esc closes the list until the search changes.
  useEffect(() => setPickerDismissed(false), [slashQuery]);

  const closePicker = () => {
    setPickerForced(false);
    setPickerDismissed(true);
  };

  /** The reply's text replaces the `/search` (or goes where the cursor is); its file is attached. */
  const pick = (qr: QuickReply) => {
    const next = slashQuery !== undefined ? qr.text : insertAt(input.current, text, qr.text).text;
    setText(next);
    if (qr.attachment) {
      setFile(undefined);
      setSavedFile(qr.attachment);
    }
    closePicker();
    input.current?.focus();
  };

  const insertVariable = (v: string) => {
    const { text: next, cursor } = insertAt(input.current, text, v);
    setText(next);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(cursor, cursor);
    });
  };

  useEffect(() => {
    input.current?.focus();
  }, [conversation.id, replyTo]);

  // Grow with the text, up to a limit.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  /** Sends go out one after another, in the order the agent wrote them. */
  const chain = useRef<Promise<void>>(Promise.resolve());

  const post = async (
    local: Message,
    body: string,
    attachment?: Attachment,
    quoted?: Message,
    asInternal = false,
  ) => {
    try {
      const stored = await api.send(conversation.id, {
        ...(attachment ? { attachment } : { text: body }),
        ...(quoted ? { replyToMessageId: quoted.id } : {}),
        ...(asInternal ? { internal: true } : {}),
        clientId: local.clientId!,
      });
      onLocalMessages([stored]);
    } catch (err) {
      onRemoveLocal(local.id);
      // Nothing the agent wrote is lost (unless they already started another message).
      setTextState((cur) => {
        const v = cur || body;
        drafts.set(conversation.id, v);
        return v;
      });
      if (err instanceof ApiError && err.code === 'WINDOW_CLOSED') {
        onWindowClosed();
        // The API says it in pt-BR; other languages use their own words.
        setError(lang === 'pt-BR' && err.message ? err.message : t.windowClosed);
      } else {
        setError(err instanceof ApiError && err.status < 500 && err.message ? err.message : t.sendFailed);
      }
    }
  };

  /** A pasted image (Ctrl+V) or a dropped file: attached as the paperclip's. */
  const attachFile = (f: File | undefined) => {
    if (!f || internalNow || !windowOpen) return false;
    setFile(f);
    setSavedFile(undefined);
    input.current?.focus();
    return true;
  };

  /** A voice note (Ogg/Opus) or contact cards: sent at once, the text being written stays. */
  const sendExtra = async (extra: { voice: File } | { contacts: ContactCard[] }) => {
    if (!windowOpen) {
      setError(t.windowClosed);
      return;
    }
    setError('');
    const clientId = crypto.randomUUID();
    let attachment: Attachment | undefined;
    if ('voice' in extra) {
      setUploading(true);
      try {
        attachment = { ...(await api.upload(extra.voice, { mimeType: 'audio/ogg' })), voice: true };
      } catch {
        setError(t.uploadFailed);
        return;
      } finally {
        setUploading(false);
      }
    }
    const cards = 'contacts' in extra ? extra.contacts : undefined;
    const local: Message = {
      id: tempId(clientId),
      clientId,
      accountId: conversation.accountId,
      conversationId: conversation.id,
      direction: 'out',
      type: cards ? 'contacts' : 'audio',
      ...(cards ? { text: cards.map((c) => c.name.formatted_name).join(', '), interactive: cards } : {}),
      ...(attachment
        ? { media: { mimeType: attachment.mimeType, voice: true, status: 'pending' as const } }
        : {}),
      status: 'pending',
      sender: { type: 'agent' },
      createdAt: Date.now(),
    };
    onLocalMessages([local]);
    onSent();
    chain.current = chain.current.then(async () => {
      try {
        const stored = await api.send(conversation.id, {
          ...(attachment ? { attachment } : { contacts: cards }),
          clientId,
        });
        onLocalMessages([stored]);
      } catch (err) {
        onRemoveLocal(local.id);
        if (err instanceof ApiError && err.code === 'WINDOW_CLOSED') onWindowClosed();
        setError(err instanceof ApiError && err.status < 500 && err.message ? err.message : t.sendFailed);
      }
    });
    await chain.current;
  };

  const send = async () => {
    const body = text.trim();
    if ((!body && !file && !savedFile) || uploading) return;
    // "/interna …" is internal too (the server takes the prefix away).
    const prefixed = internalText(body);
    const asInternal = (internal || prefixed !== undefined) && !file && !savedFile;
    if (asInternal && !(prefixed ?? body).trim()) return;
    // Outside the 24 h window only templates (and internal notes) may go: say so at once.
    if (!windowOpen && !asInternal) {
      setError(t.windowClosed);
      return;
    }
    setError('');
    const clientId = crypto.randomUUID();
    let attachment: Attachment | undefined;
    if (file) {
      setUploading(true);
      try {
        attachment = await api.upload(file);
        if (body) attachment.caption = body;
      } catch {
        setError(t.uploadFailed);
        return;
      } finally {
        setUploading(false);
      }
    } else if (savedFile) {
      attachment = { ...savedFile, ...(body ? { caption: body } : {}) };
    }
    const quoted = replyTo;
    const local: Message = {
      id: tempId(clientId),
      clientId,
      accountId: conversation.accountId,
      conversationId: conversation.id,
      direction: asInternal ? 'internal' : 'out',
      type: attachment ? attachmentType(attachment.mimeType) : 'text',
      ...(body ? { text: asInternal ? (prefixed ?? body) : body } : {}),
      ...(attachment
        ? {
            media: {
              mimeType: attachment.mimeType,
              filename: attachment.filename,
              status: 'pending' as const,
            },
          }
        : {}),
      ...(quoted?.wamid ? { replyTo: { wamid: quoted.wamid, messageId: quoted.id } } : {}),
      status: 'pending',
      sender: { type: 'agent' },
      createdAt: Date.now(),
    };
    onLocalMessages([local]);
    setText('');
    setFile(undefined);
    setSavedFile(undefined);
    onSent();
    // The switch says so in the request; a /interna prefix is the server's to read.
    const flag = internal && !attachment;
    chain.current = chain.current.then(() => post(local, body, attachment, quoted, flag));
    await chain.current;
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (pickerOpen && !e.nativeEvent.isComposing) {
      if (e.key === 'Escape') {
        e.preventDefault();
        closePicker();
        return;
      }
      if (matches.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + matches.length) % matches.length);
        return;
      }
      if (matches.length && ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab')) {
        e.preventDefault();
        pick(matches[Math.min(active, matches.length - 1)]!);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const internalNow = internal || internalText(text) !== undefined;
  return (
    <footer
      className={`composer ${internalNow ? 'is-internal' : ''} ${dragging ? 'is-dropping' : ''}`}
      data-testid="composer-footer"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files') || internalNow || !windowOpen) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        if (attachFile(e.dataTransfer.files[0])) e.preventDefault();
      }}
    >
      {dragging && <p className="drop-hint small">{t.dropFiles}</p>}
      {!windowOpen ? (
        <p className="warning" data-testid="window-closed">
          {t.windowClosed} {!internalNow && t.windowClosedInternalHint}{' '}
          <button
            type="button"
            className="primary small"
            data-testid="window-closed-template"
            onClick={() => setTemplatesOpen(true)}
          >
            {t.tplWindowClosedAction}
          </button>
        </p>
      ) : (
        conversation.windowExpiresAt && (
          <p className="window-open muted small" data-testid="window-open">
            {t.windowOpenUntil(f.dateTime(conversation.windowExpiresAt))}
          </p>
        )
      )}
      {error && (
        <p className="error" role="alert" data-testid="send-error">
          {error}
        </p>
      )}
      {replyTo && (
        <div className="replying" data-testid="replying">
          <div>
            <span className="muted small">{t.replyingTo}</span>
            <span className="quote-text">{summary(t, replyTo)}</span>
          </div>
          <button className="link" onClick={onCancelReply}>
            {t.cancelReply}
          </button>
        </div>
      )}
      {file && (
        <div className="attachment-chip" data-testid="attachment-chip">
          <PaperclipIcon size={16} /> {file.name}
          <button className="link" onClick={() => setFile(undefined)} aria-label={t.removeAttachment}>
            ✕
          </button>
        </div>
      )}
      {savedFile && !file && (
        <div className="attachment-chip" data-testid="attachment-chip">
          <PaperclipIcon size={16} /> {savedFile.filename}
          <button className="link" onClick={() => setSavedFile(undefined)} aria-label={t.removeAttachment}>
            ✕
          </button>
        </div>
      )}
      {templatesOpen && (
        <TemplateDialog
          conversation={conversation}
          onSent={(m) => {
            onLocalMessages([m]);
            onSent();
          }}
          onClose={() => {
            setTemplatesOpen(false);
            input.current?.focus();
          }}
        />
      )}
      {pickerOpen && (
        <QuickRepliesPicker
          items={matches}
          active={active}
          loading={quickReplies.isPending}
          onPick={pick}
          onHover={setActive}
        />
      )}
      <div className="compose-row">
        <button
          className="icon"
          onClick={() => fileInput.current?.click()}
          title={t.attach}
          aria-label={t.attach}
          data-testid="attach"
          disabled={uploading || internalNow || !windowOpen}
        >
          <PaperclipIcon size={22} />
        </button>
        <button
          className="icon"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => (pickerOpen ? closePicker() : setPickerForced(true))}
          title={t.quickRepliesOpen}
          aria-label={t.quickRepliesOpen}
          aria-expanded={pickerOpen}
          data-testid="quick-replies-button"
          disabled={internalNow}
        >
          /
        </button>
        <VariablesMenu onInsert={insertVariable} disabled={internalNow} />
        <EmojiButton onPick={insertVariable} />
        <ContactCardButton
          onSend={(contacts) => void sendExtra({ contacts })}
          disabled={uploading || internalNow || !windowOpen}
        />
        <button
          type="button"
          className="icon templates-button"
          onClick={() => setTemplatesOpen(true)}
          title={t.tplOpenHint}
          data-testid="templates-button"
          disabled={internalNow}
        >
          {t.tplOpen}
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            setFile(e.target.files?.[0]);
            setSavedFile(undefined);
            e.target.value = '';
          }}
        />
        <textarea
          ref={input}
          data-testid="composer"
          value={text}
          placeholder={
            file ? t.captionPlaceholder : internalNow ? t.internalPlaceholder : t.composerPlaceholder
          }
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          onPaste={(e) => {
            const f = [...e.clipboardData.files][0];
            if (f && attachFile(f)) e.preventDefault();
          }}
          aria-controls={pickerOpen && matches.length ? QUICK_REPLY_LIST_ID : undefined}
          aria-autocomplete="list"
          aria-activedescendant={
            pickerOpen && matches[active] ? quickReplyOptionId(matches[active].id) : undefined
          }
          rows={1}
        />
        <label className={`switch ${internal ? 'on' : ''}`} title={t.internalHint}>
          <input
            type="checkbox"
            role="switch"
            data-testid="internal-switch"
            checked={internal}
            aria-checked={internal}
            onChange={(e) => {
              setInternal(e.target.checked);
              if (e.target.checked) {
                setFile(undefined);
                setSavedFile(undefined);
              }
              input.current?.focus();
            }}
          />
          <span className="track" aria-hidden="true" />
          {t.internalSwitch}
        </label>
        <VoiceRecorder
          onRecorded={(voice) => void sendExtra({ voice })}
          onError={setError}
          disabled={uploading || internalNow || !windowOpen}
        />
        <button
          className={`primary ${internalNow ? 'danger' : ''}`}
          data-testid="send"
          data-internal={internalNow ? 'true' : undefined}
          onClick={() => void send()}
          disabled={uploading || (!text.trim() && !file && !savedFile) || (!windowOpen && !internalNow)}
        >
          {uploading ? t.uploading : internalNow ? t.sendInternal : t.send}
        </button>
      </div>
    </footer>
  );
}

function attachmentType(mime: string): MessageType {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
}
