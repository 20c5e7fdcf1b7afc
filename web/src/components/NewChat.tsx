/**
 * New chat (INB-12), from the inbox's "Nova conversa" button (/conversas/nova) or the deep
 * link `?target_phone=` (prefilled): the number to send from, the phone (Brazilian formats
 * or + and a foreign country code, read by the server as typed), the contact's name, an
 * approved template with its parameters (the template picker), and whether it opens an
 * attendance. A contact that already has a chat on that number gets "Conversa já
 * existente" with a link to it; a started chat opens at its address.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { templatesApi } from '../api/templates.ts';
import { formatPhone } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { useNumbers } from '../queries/integrations.ts';
import { typedPhone } from '../../../shared/domain/phone.ts';
import { TemplatePicker, missingOf, type TemplateChoice } from './TemplatePicker.tsx';

export function NewChat({
  phone: initialPhone,
  onClose,
  onOpenConversation,
}: {
  phone?: string;
  onClose: () => void;
  onOpenConversation: (id: string) => void;
}) {
  const { t, lang } = useI18n();
  const numbers = useNumbers().data ?? [];
  const [numberId, setNumberId] = useState<string>();
  const [phone, setPhone] = useState(initialPhone ?? '');
  const [name, setName] = useState('');
  const [openAttendance, setOpenAttendance] = useState(true);
  const [choice, setChoice] = useState<TemplateChoice>({ values: {} });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [existing, setExisting] = useState<string>();
  const fromId = numberId ?? numbers[0]?.id;
  const typed = typedPhone(phone);
  const missing = missingOf(choice);
  const ready = Boolean(fromId && typed && choice.template && !missing.length);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError('');
    setExisting(undefined);
    try {
      const started = await templatesApi.start({
        numberId: fromId!,
        phone,
        ...(name.trim() ? { name: name.trim() } : {}),
        templateId: choice.template!.id,
        values: choice.values,
        openAttendance,
      });
      onOpenConversation(started.conversationId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CONVERSATION_EXISTS') {
        setError(t.newChatExists);
        setExisting(err.issues?.find((i) => i.path === 'conversationId')?.message);
      } else
        setError(
          err instanceof ApiError && err.status < 500 && err.message && lang === 'pt-BR'
            ? err.message
            : t.newChatFailed,
        );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="new-chat" data-testid="new-chat">
      <header className="chat-header">
        <div className="chat-title">
          <strong>{t.newChat}</strong>
          {typed && <span className="muted small">{formatPhone(typed)}</span>}
        </div>
        <button type="button" className="link" data-testid="new-chat-close" onClick={onClose}>
          {t.close}
        </button>
      </header>
      <form className="new-chat-body" onSubmit={(e) => void submit(e)}>
        <p className="muted small" data-testid="new-chat-notice">
          {t.newChatNeedsTemplate}
        </p>
        <label>
          {t.newChatFrom}
          <select
            data-testid="new-chat-number"
            value={fromId ?? ''}
            onChange={(e) => {
              setNumberId(e.target.value);
              setChoice({ values: {} });
            }}
          >
            {numbers.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name} ({formatPhone(n.displayPhone)})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.newChatNumber}
          <input
            data-testid="new-chat-phone"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            aria-describedby="new-chat-phone-hint"
            autoComplete="off"
          />
          <span id="new-chat-phone-hint" className="muted small">
            {t.newChatPhoneHint}
          </span>
        </label>
        <label>
          {t.newChatName}
          <input
            data-testid="new-chat-name"
            value={name}
            maxLength={120}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <TemplatePicker numberId={fromId} choice={choice} onChange={setChoice} />
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="new-chat-open-attendance"
            checked={openAttendance}
            onChange={(e) => setOpenAttendance(e.target.checked)}
          />
          {t.newChatOpenAttendance}
        </label>
        {error && (
          <p className="error" role="alert" data-testid="new-chat-error">
            {error}{' '}
            {existing && (
              <a
                href={`/conversas/${encodeURIComponent(existing)}`}
                data-testid="new-chat-existing"
                onClick={(e) => {
                  e.preventDefault();
                  onOpenConversation(existing);
                }}
              >
                {t.newChatOpenExisting}
              </a>
            )}
          </p>
        )}
        <button className="primary" type="submit" data-testid="new-chat-start" disabled={!ready || busy}>
          {t.startConversation}
        </button>
      </form>
    </div>
  );
}
