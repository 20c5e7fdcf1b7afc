/**
 * Contact cards (vCard, MSG-3): a `contacts` message — received from the customer or sent
 * by the agent — shown as cards (name, phones; "Iniciar conversa" opens or starts the chat
 * with that number, "Copiar" copies it), and the composer's form to send one (name + phone
 * → a Cloud API contact with `formatted_name` and the phone).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import type { ContactCard } from '../../../shared/api/routes/messages.schemas.ts';
import { useI18n } from '../i18n/index.ts';
import { paths } from '../routes.ts';
import { PersonIcon } from './icons.tsx';

const digits = (s: string) => s.replace(/\D/g, '');

/** Cards of a stored contacts message (its `interactive` holds them as WhatsApp sent them). */
export function ContactCards({ cards, fallback }: { cards: unknown; fallback: string }) {
  const list = Array.isArray(cards) ? (cards as Partial<ContactCard>[]) : [];
  if (!list.length)
    return (
      <p className="text">
        <PersonIcon size={16} /> {fallback}
      </p>
    );
  return (
    <div className="contact-cards">
      {list.map((c, i) => (
        <OneCard key={i} card={c} />
      ))}
    </div>
  );
}

function OneCard({ card }: { card: Partial<ContactCard> }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<string>();
  const name =
    card.name?.formatted_name ??
    ([card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ') || t.contacts);
  return (
    <div className="contact-card" data-testid="contact-card">
      <div className="contact-card-name">
        <PersonIcon size={18} /> <strong>{name}</strong>
      </div>
      {(card.phones ?? []).map((p, i) => {
        const number = p.wa_id ?? digits(p.phone ?? '');
        return (
          <div className="contact-card-phone" key={i}>
            <span data-testid="contact-card-phone">{p.phone}</span>
            {p.type && <span className="muted small"> · {p.type}</span>}
            <span className="contact-card-actions">
              {number && (
                <Link
                  to={`${paths.inbox}?target_phone=${encodeURIComponent(number)}`}
                  data-testid="contact-card-start"
                >
                  {t.contactStartChat}
                </Link>
              )}
              <button
                type="button"
                className="link"
                data-testid="contact-card-copy"
                onClick={() =>
                  void navigator.clipboard
                    ?.writeText(p.phone ?? number)
                    .then(() => setCopied(p.phone))
                    .catch(() => {})
                }
              >
                {copied === p.phone ? t.contactCopied : t.contactCopy}
              </button>
            </span>
          </div>
        );
      })}
    </div>
  );
}

/** The composer's "send a contact" button and its small form. */
export function ContactCardButton({
  onSend,
  disabled,
}: {
  onSend: (cards: ContactCard[]) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState('');

  const submit = () => {
    const n = name.trim();
    const d = digits(phone);
    if (!n || d.length < 8) return setError(t.contactInvalid);
    const parts = n.split(/\s+/);
    onSend([
      {
        name: {
          formatted_name: n,
          first_name: parts[0]!,
          ...(parts.length > 1 ? { last_name: parts.slice(1).join(' ') } : {}),
        },
        phones: [{ phone: phone.trim().startsWith('+') ? phone.trim() : `+${d}`, type: 'CELL', wa_id: d }],
      },
    ]);
    setOpen(false);
    setName('');
    setPhone('');
    setError('');
  };

  return (
    <div className="contact-box">
      <button
        type="button"
        className="icon"
        onClick={() => setOpen((o) => !o)}
        title={t.contactSend}
        aria-label={t.contactSend}
        aria-expanded={open}
        data-testid="contact-button"
        disabled={disabled}
      >
        <PersonIcon size={20} />
      </button>
      {open && (
        <form
          className="contact-form"
          data-testid="contact-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label>
            {t.contactName}
            <input
              data-testid="contact-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
            />
          </label>
          <label>
            {t.contactPhone}
            <input
              data-testid="contact-phone"
              type="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              placeholder="+55 11 99999-0000"
            />
          </label>
          {error && (
            <p className="error small" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button type="button" className="link" onClick={() => setOpen(false)}>
              {t.cancel}
            </button>
            <button type="submit" className="primary" data-testid="contact-send">
              {t.contactSend}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
