/**
 * Assistant conversations (MET-1): every attendance an assistant answered, filtered by type
 * (WhatsApp or test), assistant, date range and customer, with replies, tool calls, tokens,
 * cost and outcome; exported as CSV or JSON (downloaded with the session's token).
 */
import { useEffect, useState } from 'react';
import { aiApi } from '../api/ai.ts';
import { useAiConversations } from '../queries/ai.ts';
import type { AiConversationQuery, AiConversationRow, Assistant } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { formatPhone, useFormat } from '../format.ts';
import { outcomeLabel, useMoney } from './AiCommon.tsx';
import { errorText } from './Status.tsx';

const DEBOUNCE_MS = 300;

/** The UTC offset (ms) of a time zone at an instant. */
function offsetAt(at: number, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return (
    Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) -
    Math.floor(at / 1000) * 1000
  );
}

/** `YYYY-MM-DD` (a date input) → epoch ms at the start (or end) of that day in the account's time zone. */
export function dayBound(v: string, end: boolean, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + (end ? 1 : 0));
  // Two passes settle the offset across a daylight-saving change.
  let at = wall - offsetAt(wall, timeZone);
  at = wall - offsetAt(at, timeZone);
  return end ? at - 1 : at;
}

function saveFile(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AiConversations({ assistants }: { assistants: Assistant[] }) {
  const { t, lang } = useI18n();
  const f = useFormat();
  const money = useMoney();
  const [type, setType] = useState<'' | 'whatsapp' | 'test' | 'api'>('');
  const [assistantId, setAssistantId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [q, setQ] = useState('');
  const [exportError, setExportError] = useState('');
  const [exporting, setExporting] = useState<'csv' | 'json'>();

  const query: AiConversationQuery = {
    ...(type ? { type } : {}),
    ...(assistantId ? { assistantId } : {}),
    ...(from ? { from: dayBound(from, false, f.timeZone) } : {}),
    ...(to ? { to: dayBound(to, true, f.timeZone) } : {}),
    ...(q.trim() ? { q: q.trim() } : {}),
  };
  const key = JSON.stringify(query);
  const badRange = query.from !== undefined && query.to !== undefined && query.from > query.to;

  // The server is asked once the filters rest for a moment (and never for an impossible range).
  const [asked, setAsked] = useState<string>();
  useEffect(() => {
    if (badRange) return;
    const timer = setTimeout(() => setAsked(key), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, badRange]);
  const list = useAiConversations(asked);
  const rows: AiConversationRow[] | undefined = list.data;
  const error = exportError || (list.error ? errorText(list.error, t, lang) : '');

  const exportAs = async (format: 'csv' | 'json') => {
    if (badRange) return;
    setExporting(format);
    setExportError('');
    try {
      const blob = await aiApi.aiConversationsFile(query, format);
      saveFile(blob, `conversas-assistentes.${format}`);
    } catch (err) {
      setExportError(errorText(err, t, lang));
    } finally {
      setExporting(undefined);
    }
  };

  return (
    <div className="ai-conversations" data-testid="ai-conversations">
      <div className="filters ai-filters">
        <label className="filter">
          {t.typeFilter}
          <select
            data-testid="aic-type"
            value={type}
            onChange={(e) => setType(e.target.value as typeof type)}
          >
            <option value="">{t.allTypes}</option>
            <option value="whatsapp">{t.typeWhatsApp}</option>
            <option value="test">{t.typeTest}</option>
            <option value="api">{t.typeApi}</option>
          </select>
        </label>
        <label className="filter">
          {t.assistantFilter}
          <select
            data-testid="aic-assistant"
            value={assistantId}
            onChange={(e) => setAssistantId(e.target.value)}
          >
            <option value="">{t.allAssistants}</option>
            {assistants.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          {t.fromDate}
          <input data-testid="aic-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="filter">
          {t.toDate}
          <input data-testid="aic-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label className="filter">
          {t.customerFilter}
          <input data-testid="aic-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <span className="spacer" />
        <span className="export-buttons">
          <button
            type="button"
            data-testid="export-csv"
            disabled={Boolean(exporting)}
            onClick={() => void exportAs('csv')}
          >
            {t.exportCsv}
          </button>
          <button
            type="button"
            data-testid="export-json"
            disabled={Boolean(exporting)}
            onClick={() => void exportAs('json')}
          >
            {t.exportJson}
          </button>
        </span>
      </div>
      {(badRange || error) && (
        <p className="error" role="alert" data-testid="aic-error">
          {badRange ? t.dateRangeInvalid : error}
        </p>
      )}
      {rows === undefined && !error && !badRange && <p className="muted">{t.loading}</p>}
      {rows && rows.length === 0 && !badRange && <p className="muted">{t.noAiConversations}</p>}
      {rows && rows.length > 0 && !badRange && (
        <table className="users-table aic-table" data-testid="aic-table">
          <thead>
            <tr>
              <th>{t.colCustomer}</th>
              <th>{t.colAssistant}</th>
              <th>{t.colType}</th>
              <th>{t.colStarted}</th>
              <th>{t.colLast}</th>
              <th className="num">{t.colReplies}</th>
              <th className="num">{t.colTools}</th>
              <th className="num">{t.colTokens}</th>
              <th className="num">{t.colCost}</th>
              <th>{t.colOutcome}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.conversationId}:${r.attendanceId}`}
                data-testid="aic-row"
                data-conversation-id={r.conversationId}
              >
                <td>
                  {r.contactName}
                  {r.contactPhone && <div className="muted small">{formatPhone(r.contactPhone)}</div>}
                </td>
                <td>{r.assistantName}</td>
                <td>{r.type === 'test' ? t.typeTest : r.type === 'api' ? t.typeApi : t.typeWhatsApp}</td>
                <td>{f.dateTime(r.startedAt)}</td>
                <td>{f.dateTime(r.lastAt)}</td>
                <td className="num">{money.count(r.replies)}</td>
                <td className="num">{money.count(r.toolCalls)}</td>
                <td className="num">{money.count(r.promptTokens + r.completionTokens)}</td>
                <td className="num">{money.usd(r.costUsd)}</td>
                <td>
                  <span className={`badge outcome-${r.outcome}`}>{outcomeLabel(t, r.outcome)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
