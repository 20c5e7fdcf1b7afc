/**
 * A quick reply's form (MSG-7): shortcut, title, text with variables, an optional file,
 * and who may use it. Managers (approveQuickReplies) save approved replies; anyone else's
 * goes for approval. Used on the management page and to propose one from a sent message.
 */
import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { messagesApi } from '../api/messages.ts';
import type { QuickReply, QuickReplyScope } from '../api/quick-replies.ts';
import type { Department, Me, User } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { useQuickReplyMutations } from '../queries/quick-replies.ts';
import { VariablesMenu, insertAt } from './QuickRepliesPicker.tsx';

const scopeKey = (s: QuickReplyScope) =>
  s.type === 'all' ? 'all' : s.type === 'department' ? `department:${s.departmentId}` : `user:${s.userId}`;
const scopeOf = (key: string): QuickReplyScope => {
  const [type, id = ''] = key.split(':');
  return type === 'department'
    ? { type: 'department', departmentId: id }
    : type === 'user'
      ? { type: 'user', userId: id }
      : { type: 'all' };
};

export function QuickRepliesForm({
  me,
  manager,
  departments,
  users,
  editing,
  initial,
  onDone,
  onCancel,
}: {
  me: Me;
  manager: boolean;
  departments: Department[];
  users: User[];
  /** The reply being edited; absent for a new one. */
  editing?: QuickReply;
  /** A new reply's starting text and the message it comes from. */
  initial?: { text: string; sourceMessageId?: string };
  onDone: (saved: QuickReply) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { create, update } = useQuickReplyMutations();
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? '');
  const [title, setTitle] = useState(editing?.title ?? '');
  const [text, setText] = useState(editing?.text ?? initial?.text ?? '');
  const [scope, setScope] = useState(editing ? scopeKey(editing.scope) : 'all');
  const [attachment, setAttachment] = useState(editing?.attachment);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const textArea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // Managers may give it to any department; others to theirs. "Só <name>" for someone else stays.
  const deptOptions = manager ? departments : departments.filter((d) => me.departmentIds.includes(d.id));
  const otherUser =
    editing?.scope.type === 'user' && editing.scope.userId !== me.id ? editing.scope.userId : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const fields = { shortcut, title, text, scope: scopeOf(scope) };
      const saved = editing
        ? await update.mutateAsync({
            id: editing.id,
            body: { ...fields, attachment: attachment ?? null },
          })
        : await create.mutateAsync({
            ...fields,
            ...(attachment ? { attachment } : {}),
            ...(initial?.sourceMessageId ? { sourceMessageId: initial.sourceMessageId } : {}),
          });
      onDone(saved);
    } catch (err) {
      setError(err instanceof ApiError && err.status < 500 && err.message ? err.message : t.qrSaveFailed);
    } finally {
      setBusy(false);
    }
  };

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      const up = await messagesApi.upload(file);
      setAttachment({ uploadId: up.uploadId, mimeType: up.mimeType, filename: up.filename });
    } catch {
      setError(t.uploadFailed);
    } finally {
      setBusy(false);
    }
  };

  const heading = editing ? t.qrEditTitle : manager ? t.qrNew : t.qrProposeTitle;
  return (
    <form className="quick-reply-form" data-testid="quick-reply-form" onSubmit={(e) => void submit(e)}>
      <strong>{heading}</strong>
      {!manager && <p className="muted small">{t.qrWillBePending}</p>}
      <label>
        {t.qrShortcut}
        <input
          data-testid="qr-shortcut"
          value={shortcut}
          onChange={(e) => setShortcut(e.target.value)}
          required
          maxLength={31}
          placeholder="/saudacao"
          aria-describedby="qr-shortcut-help"
        />
        <span id="qr-shortcut-help" className="muted small">
          {t.qrShortcutHelp}
        </span>
      </label>
      <label>
        {t.qrTitle}
        <input
          data-testid="qr-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={120}
        />
      </label>
      <div>
        <label htmlFor="qr-text">{t.qrText}</label>
        <div className="text-row">
          <textarea
            id="qr-text"
            ref={textArea}
            data-testid="qr-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            required
            maxLength={attachment ? 1024 : 4096}
          />
          <VariablesMenu
            onInsert={(v) => {
              const next = insertAt(textArea.current, text, v);
              setText(next.text);
              requestAnimationFrame(() => {
                textArea.current?.focus();
                textArea.current?.setSelectionRange(next.cursor, next.cursor);
              });
            }}
          />
        </div>
      </div>
      <div>
        <span>{t.qrAttachment}</span>{' '}
        {attachment ? (
          <span className="attachment-chip" data-testid="qr-attachment">
            {attachment.filename}
            <button type="button" className="link" onClick={() => setAttachment(undefined)}>
              {t.qrRemoveAttachment}
            </button>
          </span>
        ) : (
          <>
            <button
              type="button"
              className="ghost"
              onClick={() => fileInput.current?.click()}
              disabled={busy}
            >
              {t.attach}
            </button>
            <input
              ref={fileInput}
              type="file"
              hidden
              data-testid="qr-attachment-input"
              onChange={(e) => {
                void upload(e.target.files?.[0]);
                e.target.value = '';
              }}
            />
          </>
        )}
      </div>
      <label>
        {t.qrScope}
        <select data-testid="qr-scope" value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="all">{t.qrScopeAll}</option>
          {deptOptions.map((d) => (
            <option key={d.id} value={`department:${d.id}`}>
              {t.qrScopeDepartment(d.name)}
            </option>
          ))}
          <option value={`user:${me.id}`}>{t.qrScopeMe}</option>
          {otherUser && (
            <option value={`user:${otherUser}`}>
              {t.qrScopeUser(users.find((u) => u.id === otherUser)?.name ?? otherUser)}
            </option>
          )}
        </select>
      </label>
      {error && (
        <p className="error" role="alert" data-testid="qr-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button className="primary" type="submit" data-testid="qr-save" disabled={busy}>
          {manager ? t.qrSave : t.qrPropose}
        </button>
        <button type="button" className="ghost" onClick={onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
