/**
 * The templates page (/modelos, MSG-5; users with the settings permission): every message
 * template of the account with its status (Pendente / Aprovado / Rejeitado and Meta's
 * reason), category and language; "Sincronizar" reads them again from Meta; a form creates
 * one and sends it to Meta's review, showing Meta's checks in pt-BR. The approval webhook
 * does not reach the socket: the list asks again every few seconds while one is pending.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { CreateTemplateBody, Template } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/pt-BR.ts';
import { useMe } from '../queries/auth.ts';
import { useNumbers } from '../queries/integrations.ts';
import { useAllTemplates, useTemplateMutations } from '../queries/templates.ts';
import { categoryLabel } from './TemplatePicker.tsx';

const NONE: never[] = [];

export function statusLabel(t: Messages, s: Template['status']): string {
  switch (s) {
    case 'PENDING':
    case 'IN_APPEAL':
      return t.tplStatusPending;
    case 'APPROVED':
      return t.tplStatusApproved;
    case 'REJECTED':
      return t.tplStatusRejected;
    case 'PAUSED':
      return t.tplStatusPaused;
    case 'DISABLED':
      return t.tplStatusDisabled;
    default:
      return t.tplStatusOther;
  }
}

export function Templates() {
  const { t, lang } = useI18n();
  const me = useMe().data;
  const list = useAllTemplates();
  const { sync } = useTemplateMutations();
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  if (!me) return null;
  const items = [...(list.data ?? NONE)].sort((a, b) => b.updatedAt - a.updatedAt);
  const doSync = () => {
    setNotice('');
    setError('');
    sync.mutate(undefined, {
      onSuccess: (r) => setNotice(t.tplSynced(r.items.length)),
      onError: (err) =>
        setError(err instanceof ApiError && err.message && lang === 'pt-BR' ? err.message : t.tplSyncFailed),
    });
  };
  return (
    <div className="templates-page" data-testid="templates-page">
      <h1>{t.templates}</h1>
      <div className="templates-actions">
        <button className="ghost" data-testid="templates-sync" onClick={doSync} disabled={sync.isPending}>
          {t.tplSync}
        </button>
        {!creating && (
          <button className="primary" data-testid="template-new" onClick={() => setCreating(true)}>
            {t.tplNew}
          </button>
        )}
      </div>
      {notice && (
        <p className="muted" role="status" data-testid="templates-notice">
          {notice}
        </p>
      )}
      {(error || list.isError) && (
        <p className="error" role="alert">
          {error || t.tplLoadFailed}
        </p>
      )}
      {creating && (
        <TemplateForm
          onDone={() => {
            setCreating(false);
            setNotice(t.tplCreated);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {items.length === 0 && !list.isPending ? (
        <p className="muted">{t.tplEmpty}</p>
      ) : (
        <table data-testid="templates-table">
          <thead>
            <tr>
              <th>{t.tplColName}</th>
              <th>{t.tplColCategory}</th>
              <th>{t.tplColLanguage}</th>
              <th>{t.tplColStatus}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={`${x.wabaId}-${x.id}`} data-testid="template-row" data-name={x.name}>
                <td>
                  <strong>{x.name}</strong>
                  <div className="muted small tpl-snippet">{x.preview}</div>
                </td>
                <td>{categoryLabel(t, x.category)}</td>
                <td>{x.language}</td>
                <td>
                  <span
                    className={`tpl-status tpl-status-${x.status.toLowerCase()}`}
                    data-testid="template-status"
                    data-status={x.status}
                  >
                    {statusLabel(t, x.status)}
                  </span>
                  {(x.reason || x.reasonDetail) && x.status !== 'APPROVED' && (
                    <div className="muted small" data-testid="template-reason">
                      {t.tplReason}: {[x.reason, x.reasonDetail].filter(Boolean).join(' — ')}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

type ButtonDraft =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string; example: string }
  | { type: 'COPY_CODE'; example: string };

const VAR = /\{\{\s*([^{}]*?)\s*\}\}/g;
const paramsOf = (text: string) => {
  const out: string[] = [];
  for (const m of text.matchAll(VAR)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
};

/** The create form: Meta's request shape built from plain fields. */
function TemplateForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t, lang } = useI18n();
  const numbers = useNumbers().data ?? NONE;
  const { create } = useTemplateMutations();
  const [numberId, setNumberId] = useState<string>();
  const [name, setName] = useState('');
  const [category, setCategory] = useState<Template['category']>('UTILITY');
  const [language, setLanguage] = useState('pt_BR');
  const [format, setFormat] = useState<'POSITIONAL' | 'NAMED'>('POSITIONAL');
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [examples, setExamples] = useState<Record<string, string>>({});
  const [footer, setFooter] = useState('');
  const [buttons, setButtons] = useState<ButtonDraft[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const fromId = numberId ?? numbers[0]?.id;
  const params = paramsOf(body);

  const request = (): CreateTemplateBody => {
    const components: CreateTemplateBody['components'] = [];
    if (header.trim()) components.push({ type: 'HEADER', format: 'TEXT', text: header.trim() });
    // Only the examples given: Meta's check (answered in pt-BR) names what is missing.
    const given = params.filter((p) => examples[p]?.trim());
    components.push({
      type: 'BODY',
      text: body,
      ...(given.length
        ? {
            example:
              format === 'NAMED'
                ? {
                    body_text_named_params: given.map((p) => ({
                      param_name: p,
                      example: examples[p]!.trim(),
                    })),
                  }
                : given.length === params.length
                  ? { body_text: [params.map((p) => examples[p]!.trim())] }
                  : {},
          }
        : {}),
    });
    if (footer.trim()) components.push({ type: 'FOOTER', text: footer.trim() });
    if (buttons.length)
      components.push({
        type: 'BUTTONS',
        buttons: buttons.map((b) =>
          b.type === 'URL'
            ? {
                type: 'URL' as const,
                text: b.text,
                url: b.url,
                ...(paramsOf(b.url).length ? { example: [b.example] } : {}),
              }
            : b.type === 'COPY_CODE'
              ? { type: 'COPY_CODE' as const, example: b.example }
              : b,
        ),
      });
    return {
      numberId: fromId!,
      name: name.trim(),
      language: language.trim(),
      category,
      parameter_format: format,
      components,
    };
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!fromId) return;
    setProblems([]);
    create.mutate(request(), {
      onSuccess: onDone,
      onError: (err) => {
        if (err instanceof ApiError && err.status < 500 && lang === 'pt-BR') {
          const list = err.issues?.map((i) => i.message) ?? [];
          setProblems(list.length ? list : [err.message]);
        } else setProblems([err instanceof ApiError && err.status < 500 ? err.message : t.tplCreateFailed]);
      },
    });
  };

  const setButton = (i: number, b: ButtonDraft) => setButtons((cur) => cur.map((x, j) => (j === i ? b : x)));

  return (
    <form className="quick-reply-form template-form" data-testid="template-form" onSubmit={submit}>
      {numbers.length > 1 && (
        <label>
          {t.newChatFrom}
          <select value={fromId ?? ''} onChange={(e) => setNumberId(e.target.value)}>
            {numbers.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t.tplFormName}
        <input
          data-testid="template-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={512}
        />
      </label>
      <div className="row">
        <label>
          {t.tplFormCategory}
          <select
            data-testid="template-category-select"
            value={category}
            onChange={(e) => setCategory(e.target.value as Template['category'])}
          >
            <option value="UTILITY">{t.tplUtility}</option>
            <option value="MARKETING">{t.tplMarketing}</option>
            <option value="AUTHENTICATION">{t.tplAuthentication}</option>
          </select>
        </label>
        <label>
          {t.tplFormLanguage}
          <input
            data-testid="template-language"
            value={language}
            onChange={(e) => setLanguage(e.target.value)}
            required
            maxLength={15}
          />
        </label>
        <label>
          {t.tplFormFormat}
          <select
            data-testid="template-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as 'POSITIONAL' | 'NAMED')}
          >
            <option value="POSITIONAL">{t.tplFormPositional}</option>
            <option value="NAMED">{t.tplFormNamed}</option>
          </select>
        </label>
      </div>
      <label>
        {t.tplFormHeader}
        <input
          data-testid="template-header"
          value={header}
          maxLength={60}
          onChange={(e) => setHeader(e.target.value)}
        />
      </label>
      <label>
        {t.tplFormBody}
        <textarea
          data-testid="template-body"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          required
          rows={4}
          maxLength={1024}
        />
      </label>
      {params.length > 0 && (
        <fieldset className="tpl-examples">
          <legend>{t.tplFormExamples}</legend>
          {params.map((p) => (
            <label key={p}>
              {`{{${p}}}`}
              <input
                data-testid="template-example"
                data-param={p}
                value={examples[p] ?? ''}
                onChange={(e) => setExamples((cur) => ({ ...cur, [p]: e.target.value }))}
              />
            </label>
          ))}
        </fieldset>
      )}
      <label>
        {t.tplFormFooter}
        <input
          data-testid="template-footer"
          value={footer}
          maxLength={60}
          onChange={(e) => setFooter(e.target.value)}
        />
      </label>
      <fieldset className="tpl-buttons-form">
        <legend>{t.tplFormButtons}</legend>
        {buttons.map((b, i) => (
          <div key={i} className="row">
            {b.type !== 'COPY_CODE' && (
              <label>
                {t.tplFormButtonText}
                <input
                  value={b.text}
                  maxLength={25}
                  onChange={(e) => setButton(i, { ...b, text: e.target.value })}
                />
              </label>
            )}
            {b.type === 'URL' && (
              <label>
                {t.tplFormButtonUrl}
                <input value={b.url} onChange={(e) => setButton(i, { ...b, url: e.target.value })} />
              </label>
            )}
            {b.type !== 'QUICK_REPLY' && (
              <label>
                {b.type === 'COPY_CODE' ? t.tplCopyCode : t.tplFormButtonExample}
                <input value={b.example} onChange={(e) => setButton(i, { ...b, example: e.target.value })} />
              </label>
            )}
            <button
              type="button"
              className="link"
              onClick={() => setButtons((cur) => cur.filter((_, j) => j !== i))}
            >
              {t.tplFormRemove}
            </button>
          </div>
        ))}
        <div className="row">
          <button
            type="button"
            className="ghost"
            onClick={() => setButtons((c) => [...c, { type: 'QUICK_REPLY', text: '' }])}
          >
            {t.tplFormAddQuickReply}
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => setButtons((c) => [...c, { type: 'URL', text: '', url: 'https://', example: '' }])}
          >
            {t.tplFormAddUrl}
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => setButtons((c) => [...c, { type: 'COPY_CODE', example: '' }])}
          >
            {t.tplFormAddCopyCode}
          </button>
        </div>
      </fieldset>
      {problems.length > 0 && (
        <ul className="error" role="alert" data-testid="template-problems">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <div className="row">
        <button className="primary" type="submit" data-testid="template-submit" disabled={create.isPending}>
          {t.tplFormSubmit}
        </button>
        <button className="ghost" type="button" onClick={onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
