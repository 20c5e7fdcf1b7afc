/**
 * The deep link `?target_phone=` found no conversation with that number: starting one
 * needs an approved message template (WhatsApp's rule outside the 24-hour window), which
 * Atende does not offer yet. The panel says so instead of pretending to send.
 */
import { formatPhone } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

export function NewChat({ phone, onClose }: { phone: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <div className="new-chat" data-testid="new-chat">
      <header className="chat-header">
        <div className="chat-title">
          <strong>{t.newChat}</strong>
          <span className="muted small">{formatPhone(phone)}</span>
        </div>
        <button className="link" onClick={onClose}>
          {t.close}
        </button>
      </header>
      <div className="new-chat-body">
        <label>
          {t.newChatNumber}
          <input data-testid="new-chat-phone" value={phone} readOnly />
        </label>
        <p className="warning" data-testid="new-chat-notice">
          {t.newChatNeedsTemplate}
        </p>
        <button className="primary" disabled title={t.templatesUnavailable}>
          {t.startConversation}
        </button>
      </div>
    </div>
  );
}
