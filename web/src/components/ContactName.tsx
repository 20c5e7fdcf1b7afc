/**
 * The contact's name in the chat header, editable by the agent (reference 003's name edit):
 * the edit is kept, and the WhatsApp profile name, which no longer replaces it, is shown
 * beside it when it differs.
 */
import { useState } from 'react';
import { conversationsApi } from '../api/conversations.ts';
import { ApiError } from '../api/client.ts';
import type { Conversation } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';

export function ContactName({
  conversation,
  fallback,
  onChanged,
}: {
  conversation: Conversation;
  /** Shown when the contact has no name (the phone). */
  fallback: string;
  onChanged: (c: Conversation) => void;
}) {
  const { t, lang } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const profile =
    conversation.profileName && conversation.profileName !== conversation.contactName
      ? conversation.profileName
      : undefined;

  if (!editing)
    return (
      <span className="contact-name">
        <strong data-testid="chat-title">{conversation.contactName || fallback}</strong>
        <button
          type="button"
          className="ghost-dark icon-tool"
          data-testid="edit-contact-name"
          title={t.editContactName}
          aria-label={t.editContactName}
          onClick={() => {
            setName(conversation.contactName);
            setError('');
            setEditing(true);
          }}
        >
          ✎
        </button>
        {profile && (
          <span className="muted small" data-testid="profile-name">
            {' '}
            {t.profileName(profile)}
          </span>
        )}
      </span>
    );
  return (
    <form
      className="contact-name-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        conversationsApi
          .renameContact(conversation.id, name)
          .then((c) => {
            onChanged(c);
            setEditing(false);
          })
          .catch((err: unknown) =>
            setError(
              err instanceof ApiError && err.status < 500 && err.message && lang === 'pt-BR'
                ? err.message
                : t.actionFailed,
            ),
          )
          .finally(() => setBusy(false));
      }}
    >
      <input
        data-testid="contact-name-input"
        aria-label={t.contactNameLabel}
        value={name}
        maxLength={120}
        onChange={(e) => setName(e.target.value)}
        autoFocus
        required
      />
      <button type="submit" className="primary" data-testid="contact-name-save" disabled={busy}>
        {t.save}
      </button>
      <button type="button" onClick={() => setEditing(false)}>
        {t.cancel}
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
