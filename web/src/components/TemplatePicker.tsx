/**
 * The template picker (MSG-5): the approved templates of a chat's number, searchable, each
 * with its category and language; the chosen one as WhatsApp shows it (header, body,
 * footer, buttons) with the values typed so far, and a field for each parameter it needs —
 * header and body parameters (positional `{{1}}` or named `{{nome}}`), the header's
 * image/video/document (a link) and the buttons' URL suffix or copy code. Used by the composer (TemplateDialog,
 * also with the 24-hour window closed) and the new-chat panel.
 */
import { useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { templatesApi } from '../api/templates.ts';
import type { Conversation, Message, Template, TemplateParameter, TemplateValues } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import { useApprovedTemplates } from '../queries/templates.ts';

export interface TemplateChoice {
  template?: Template;
  values: TemplateValues;
}

type Component = Template['components'][number];
type Header = Extract<Component, { type: 'HEADER' }>;
type Buttons = Extract<Component, { type: 'BUTTONS' }>['buttons'];

const VAR = /\{\{\s*([^{}]*?)\s*\}\}/g;
const fill = (text: string | undefined, values: Record<string, string> | undefined) =>
  (text ?? '').replace(VAR, (whole, key: string) => values?.[key]?.trim() || whole);

const headerOf = (t: Template) => t.components.find((c): c is Header => c.type === 'HEADER');
const textOf = (t: Template, type: 'BODY' | 'FOOTER') =>
  t.components.find((c) => c.type === type && 'text' in c) as { text?: string } | undefined;
const buttonsOf = (t: Template): Buttons =>
  t.components.find((c): c is Extract<Component, { type: 'BUTTONS' }> => c.type === 'BUTTONS')?.buttons ?? [];

export function categoryLabel(t: Messages, c: Template['category']): string {
  return c === 'UTILITY' ? t.tplUtility : c === 'MARKETING' ? t.tplMarketing : t.tplAuthentication;
}

/** The parameters the choice still leaves empty (the send button waits for them). */
export function missingOf(choice: TemplateChoice): TemplateParameter[] {
  const { template, values } = choice;
  if (!template) return [];
  return template.parameters.filter((p) => {
    if (p.component === 'header')
      return p.kind === 'text'
        ? !values.header?.[p.key]?.trim()
        : !(values.headerMedia?.id || values.headerMedia?.link?.trim());
    if (p.component === 'body') return !values.body?.[p.key]?.trim();
    return !values.buttons?.[p.key]?.trim();
  });
}

export function TemplatePicker({
  numberId,
  choice,
  onChange,
}: {
  numberId: string | undefined;
  choice: TemplateChoice;
  onChange: (c: TemplateChoice) => void;
}) {
  const { t } = useI18n();
  const list = useApprovedTemplates(numberId);
  const [q, setQ] = useState('');
  const items = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = list.data ?? [];
    return needle
      ? all.filter((x) => x.name.toLowerCase().includes(needle) || x.preview.toLowerCase().includes(needle))
      : all;
  }, [list.data, q]);
  const chosen = choice.template;

  return (
    <div className="template-picker" data-testid="template-picker">
      <div className="template-list-pane">
        <input
          type="search"
          data-testid="template-search"
          aria-label={t.tplSearch}
          placeholder={t.tplSearch}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {list.isPending && numberId ? (
          <p className="muted small">{t.loading}</p>
        ) : list.isError ? (
          <p className="error" role="alert">
            {t.tplLoadFailed}
          </p>
        ) : items.length === 0 ? (
          <p className="muted small" data-testid="template-none">
            {t.tplNoneApproved}
          </p>
        ) : (
          <ul className="template-options" role="listbox" aria-label={t.templates}>
            {items.map((x) => (
              <li key={x.id} role="option" aria-selected={chosen?.id === x.id}>
                <button
                  type="button"
                  data-testid="template-option"
                  data-name={x.name}
                  className={chosen?.id === x.id ? 'active' : ''}
                  onClick={() => onChange({ template: x, values: {} })}
                >
                  <strong>{x.name}</strong>
                  <span className="tpl-meta muted small">
                    <span className="tag" data-testid="template-category">
                      {categoryLabel(t, x.category)}
                    </span>{' '}
                    {x.language}
                  </span>
                  <span className="tpl-snippet muted small">{x.preview}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {chosen && (
        <div className="template-detail">
          <TemplatePreview template={chosen} values={choice.values} />
          <TemplateFields
            template={chosen}
            values={choice.values}
            onChange={(values) => onChange({ template: chosen, values })}
          />
        </div>
      )}
    </div>
  );
}

/** The template as the customer's WhatsApp shows it, with the values typed so far. */
export function TemplatePreview({ template, values }: { template: Template; values: TemplateValues }) {
  const { t } = useI18n();
  const header = headerOf(template);
  const body = textOf(template, 'BODY');
  const footer = textOf(template, 'FOOTER');
  const buttons = buttonsOf(template);
  const media = values.headerMedia?.link?.trim();
  return (
    <div className="template-preview" data-testid="template-preview" aria-label={t.tplPreview}>
      <div className="bubble out tpl-bubble">
        {header?.format === 'TEXT' && header.text && (
          <strong className="tpl-header">{fill(header.text, values.header)}</strong>
        )}
        {header && header.format !== 'TEXT' && header.format !== 'LOCATION' && (
          <div className="tpl-media" data-testid="template-preview-media">
            {header.format === 'IMAGE' && media ? (
              <img src={media} alt="" />
            ) : (
              <span>
                {header.format === 'IMAGE' ? '🖼️ ' : header.format === 'VIDEO' ? '🎬 ' : '📄 '}
                {header.format === 'IMAGE'
                  ? t.tplImage
                  : header.format === 'VIDEO'
                    ? t.tplVideo
                    : t.tplDocument}
              </span>
            )}
          </div>
        )}
        {body?.text && <div className="text">{fill(body.text, values.body)}</div>}
        {footer?.text && <div className="tpl-footer muted small">{footer.text}</div>}
      </div>
      {buttons.length > 0 && (
        <div className="tpl-buttons">
          {buttons.map((b, i) => (
            <span key={i} className="tpl-button">
              {b.type === 'COPY_CODE' || b.type === 'OTP'
                ? `${t.tplCopyCode}${values.buttons?.[String(i)] ? `: ${values.buttons[String(i)]}` : ''}`
                : b.text}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

function TemplateFields({
  template,
  values,
  onChange,
}: {
  template: Template;
  values: TemplateValues;
  onChange: (v: TemplateValues) => void;
}) {
  const { t } = useI18n();
  if (!template.parameters.length) return <p className="muted small">{t.tplNoParams}</p>;
  const set = (p: TemplateParameter, v: string) => {
    if (p.component === 'header' && p.kind !== 'text')
      onChange({ ...values, headerMedia: v ? { link: v } : undefined });
    else {
      const part = p.component === 'button' ? 'buttons' : p.component;
      onChange({ ...values, [part]: { ...values[part], [p.key]: v } });
    }
  };
  const valueOf = (p: TemplateParameter) =>
    p.component === 'header'
      ? p.kind === 'text'
        ? (values.header?.[p.key] ?? '')
        : (values.headerMedia?.link ?? '')
      : p.component === 'body'
        ? (values.body?.[p.key] ?? '')
        : (values.buttons?.[p.key] ?? '');
  const labelOf = (p: TemplateParameter) =>
    p.kind === 'image'
      ? t.tplHeaderImage
      : p.kind === 'video'
        ? t.tplHeaderVideo
        : p.kind === 'document'
          ? t.tplHeaderDocument
          : p.kind === 'url_suffix'
            ? t.tplUrlSuffix(Number(p.key) + 1)
            : p.kind === 'coupon_code'
              ? t.tplCouponCode
              : p.component === 'header'
                ? t.tplHeaderParam(p.key)
                : `{{${p.key}}}`;
  return (
    <div className="template-fields" data-testid="template-fields">
      <p className="muted small">{t.tplParamsHint}</p>
      {template.parameters.map((p) => (
        <label key={`${p.component}.${p.key}`}>
          <span>{labelOf(p)}</span>
          <input
            data-testid="template-param"
            data-param={`${p.component}.${p.key}`}
            type={p.kind === 'text' || p.kind === 'url_suffix' || p.kind === 'coupon_code' ? 'text' : 'url'}
            value={valueOf(p)}
            placeholder={p.example ?? (p.kind === 'text' ? '' : 'https://…')}
            onChange={(e) => set(p, e.target.value)}
          />
        </label>
      ))}
    </div>
  );
}

/**
 * The composer's template dialog: pick, fill, send (POST /api/conversations/{id}/template).
 * The stored message is handed to the chat at once.
 */
export function TemplateDialog({
  conversation,
  onSent,
  onClose,
}: {
  conversation: Conversation;
  onSent: (m: Message) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [choice, setChoice] = useState<TemplateChoice>({ values: {} });
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const missing = missingOf(choice);
  const send = async () => {
    if (!choice.template || missing.length) return;
    setSending(true);
    setError('');
    try {
      const stored = await templatesApi.send(conversation.id, {
        templateId: choice.template.id,
        values: choice.values,
        clientId: crypto.randomUUID(),
      });
      onSent(stored);
      onClose();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status < 500 && err.message && lang === 'pt-BR'
          ? err.message
          : t.tplSendFailed,
      );
    } finally {
      setSending(false);
    }
  };
  return (
    <div
      className="qr-dialog"
      role="dialog"
      aria-modal="true"
      aria-label={t.templates}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="template-dialog" data-testid="template-dialog">
        <header>
          <h2>{t.templates}</h2>
          <button type="button" className="link" onClick={onClose}>
            {t.close}
          </button>
        </header>
        <TemplatePicker numberId={conversation.numberId} choice={choice} onChange={setChoice} />
        {error && (
          <p className="error" role="alert" data-testid="template-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="template-send"
            disabled={!choice.template || missing.length > 0 || sending}
            onClick={() => void send()}
          >
            {t.tplSend}
          </button>
        </div>
      </div>
    </div>
  );
}
