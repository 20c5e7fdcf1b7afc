/**
 * One assistant's form: prompt, model, temperature, working hours, tools, knowledge
 * bases, HTTP endpoints (header values write-only) and variables; save and delete.
 */
import { useState } from 'react';
import { assistantTools, httpMethods, variableTypes, weekdays, aiApi } from '../api/ai.ts';
import type {
  Assistant,
  AssistantBody,
  HttpMethod,
  HttpTool,
  KnowledgeBase,
  TimeRange,
  VariableType,
  Weekday,
} from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { toolLabel, variableTypeLabel } from './AiCommon.tsx';
import { StatusLine, useStatus } from './Status.tsx';

/** A header in the form: `set` when a value is stored (never shown); `value` typed now. */
interface HeaderDraft {
  name: string;
  set: boolean;
  value: string;
}

interface HttpToolDraft {
  name: string;
  description: string;
  method: HttpMethod;
  url: string;
  headers: HeaderDraft[];
  parametersText: string;
  timeoutMs: string;
}

const draftsOf = (tools: HttpTool[]): HttpToolDraft[] =>
  tools.map((h) => ({
    name: h.name,
    description: h.description,
    method: h.method,
    url: h.url,
    headers: h.headers.map((x) => ({ name: x.name, set: x.set, value: '' })),
    parametersText: JSON.stringify(h.parameters, null, 2),
    timeoutMs: String(h.timeoutMs),
  }));

const blankAssistant = (): AssistantBody => ({
  name: '',
  enabled: true,
  systemPrompt: '',
  model: 'gpt-4o-mini',
  temperature: 0.3,
  workingHours: null,
  tools: ['transfer_to_human', 'search_knowledge_base'],
  knowledgeBaseIds: [],
  httpTools: [],
  variables: [],
  greeting: '',
  transferMessage: '',
});

const defaultHours = (): Partial<Record<Weekday, TimeRange[]>> => ({
  '1': [{ from: '08:00', to: '18:00' }],
  '2': [{ from: '08:00', to: '18:00' }],
  '3': [{ from: '08:00', to: '18:00' }],
  '4': [{ from: '08:00', to: '18:00' }],
  '5': [{ from: '08:00', to: '18:00' }],
});

export function AssistantForm({
  assistant,
  bases,
  models,
  canEdit,
  justCreated,
  onSaved,
  onDeleted,
}: {
  assistant?: Assistant;
  bases: KnowledgeBase[];
  models: string[];
  canEdit: boolean;
  justCreated?: boolean;
  onSaved: (a: Assistant) => void;
  onDeleted: (id: string) => void;
}) {
  const { t } = useI18n();
  const start = assistant ? { ...assistant, workingHours: assistant.workingHours ?? null } : blankAssistant();
  const [name, setName] = useState(start.name);
  const [enabled, setEnabled] = useState(start.enabled);
  const [systemPrompt, setSystemPrompt] = useState(start.systemPrompt);
  const [greeting, setGreeting] = useState(start.greeting ?? '');
  const [transferMessage, setTransferMessage] = useState(start.transferMessage ?? '');
  const [model, setModel] = useState(start.model);
  const [temperature, setTemperature] = useState(String(start.temperature));
  const [allDay, setAllDay] = useState(!start.workingHours);
  const [days, setDays] = useState<Partial<Record<Weekday, TimeRange[]>>>(
    start.workingHours?.days ?? defaultHours(),
  );
  const [tools, setTools] = useState(start.tools);
  const [kbIds, setKbIds] = useState(start.knowledgeBaseIds);
  const [httpTools, setHttpTools] = useState<HttpToolDraft[]>(draftsOf(assistant?.httpTools ?? []));
  const [variables, setVariables] = useState(start.variables);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { status, run, fail } = useStatus(justCreated ? { kind: 'saved' } : { kind: 'idle' });
  const del = useStatus();

  const save = () => {
    const parsedTools = [];
    for (const h of httpTools) {
      let parameters: Record<string, unknown>;
      try {
        parameters = h.parametersText.trim()
          ? (JSON.parse(h.parametersText) as Record<string, unknown>)
          : { type: 'object', properties: {} };
      } catch {
        fail(t.invalidJson(`${h.name || t.httpToolParameters}`));
        return;
      }
      // A stored value is kept unless a new one is typed.
      const headers = h.headers
        .filter((x) => x.name.trim())
        .map((x) => (x.set && !x.value ? { name: x.name.trim() } : { name: x.name.trim(), value: x.value }));
      parsedTools.push({
        name: h.name.trim(),
        description: h.description.trim(),
        method: h.method,
        url: h.url.trim(),
        headers,
        parameters,
        timeoutMs: Number(h.timeoutMs) || 8000,
      });
    }
    const body: AssistantBody = {
      name: name.trim(),
      enabled,
      systemPrompt,
      model: model.trim(),
      temperature: Number(temperature),
      workingHours: allDay ? null : { days },
      tools,
      knowledgeBaseIds: kbIds,
      httpTools: parsedTools,
      variables: variables.map((v) => ({ ...v, name: v.name.trim(), description: v.description.trim() })),
      greeting: greeting.trim(),
      transferMessage: transferMessage.trim(),
    };
    void run(async () => {
      const saved = assistant
        ? await aiApi.updateAssistant(assistant.id, body)
        : await aiApi.createAssistant(body);
      // Typed header values are gone from the form once saved: they show as "definido".
      setHttpTools(draftsOf(saved.httpTools));
      onSaved(saved);
    });
  };

  const setDay = (d: Weekday, ranges: TimeRange[]) =>
    setDays((cur) => {
      const next = { ...cur };
      if (ranges.length) next[d] = ranges;
      else delete next[d];
      return next;
    });

  return (
    <form
      className="number-form assistant-form"
      data-testid="assistant-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <fieldset className="plain" disabled={!canEdit}>
        <h2>{assistant ? assistant.name : t.newAssistant}</h2>
        <div className="grid2">
          <label>
            {t.assistantName}
            <input
              data-testid="assistant-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          </label>
          <label>
            {t.model}
            <input
              data-testid="assistant-model"
              list="ai-models"
              value={model}
              onChange={(e) => setModel(e.target.value)}
              required
            />
            <datalist id="ai-models">
              {models.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </label>
          <label>
            {t.temperature}
            <input
              data-testid="assistant-temperature"
              type="number"
              min={0}
              max={2}
              step={0.1}
              value={temperature}
              onChange={(e) => setTemperature(e.target.value)}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="assistant-enabled"
              checked={enabled}
              onChange={(e) => setEnabled(e.target.checked)}
            />
            {t.assistantEnabled}
          </label>
        </div>
        <label>
          {t.systemPrompt}
          <textarea
            data-testid="assistant-prompt"
            rows={6}
            value={systemPrompt}
            onChange={(e) => setSystemPrompt(e.target.value)}
          />
        </label>
        <label>
          {t.assistantGreeting}
          <textarea
            data-testid="assistant-greeting"
            rows={2}
            maxLength={1000}
            placeholder={t.assistantGreetingPlaceholder}
            value={greeting}
            onChange={(e) => setGreeting(e.target.value)}
          />
        </label>
        <label>
          {t.assistantTransferMessage}
          <textarea
            data-testid="assistant-transfer-message"
            rows={2}
            maxLength={1000}
            placeholder={t.assistantTransferPlaceholder}
            value={transferMessage}
            onChange={(e) => setTransferMessage(e.target.value)}
          />
        </label>

        <fieldset data-testid="working-hours">
          <legend>{t.workingHours}</legend>
          <label className="check">
            <input
              type="checkbox"
              data-testid="all-day"
              checked={allDay}
              onChange={(e) => setAllDay(e.target.checked)}
            />
            {t.allDay}
          </label>
          {!allDay &&
            weekdays.map((d) => {
              const ranges = days[d] ?? [];
              return (
                <div className="weekday" key={d} data-testid={`weekday-${d}`}>
                  <span className="weekday-name">{t.weekdayNames[Number(d)]}</span>
                  {ranges.length === 0 && <span className="muted small">{t.closedDay}</span>}
                  {ranges.map((r, i) => (
                    <span className="range" key={i}>
                      <input
                        type="time"
                        aria-label={t.timeFrom}
                        value={r.from}
                        onChange={(e) =>
                          setDay(
                            d,
                            ranges.map((x, j) => (j === i ? { ...x, from: e.target.value } : x)),
                          )
                        }
                      />
                      –
                      <input
                        type="time"
                        aria-label={t.timeTo}
                        value={r.to}
                        onChange={(e) =>
                          setDay(
                            d,
                            ranges.map((x, j) => (j === i ? { ...x, to: e.target.value } : x)),
                          )
                        }
                      />
                      <button
                        type="button"
                        className="link"
                        aria-label={t.remove}
                        onClick={() =>
                          setDay(
                            d,
                            ranges.filter((_, j) => j !== i),
                          )
                        }
                      >
                        ×
                      </button>
                    </span>
                  ))}
                  <button
                    type="button"
                    className="link"
                    disabled={ranges.length >= 6}
                    onClick={() => setDay(d, [...ranges, { from: '08:00', to: '18:00' }])}
                  >
                    {t.addRange}
                  </button>
                </div>
              );
            })}
        </fieldset>

        <fieldset>
          <legend>{t.toolsLabel}</legend>
          <span className="checks inline" data-testid="assistant-tools">
            {assistantTools.map((tool) => (
              <label key={tool} className="check">
                <input
                  type="checkbox"
                  value={tool}
                  checked={tools.includes(tool)}
                  onChange={(e) =>
                    setTools(e.target.checked ? [...tools, tool] : tools.filter((x) => x !== tool))
                  }
                />
                {toolLabel(t, tool)}
              </label>
            ))}
          </span>
        </fieldset>

        <fieldset>
          <legend>{t.knowledgeBasesLabel}</legend>
          {bases.length === 0 && <span className="muted small">{t.noKnowledgeBases}</span>}
          <span className="checks inline" data-testid="assistant-bases">
            {bases.map((b) => (
              <label key={b.id} className="check">
                <input
                  type="checkbox"
                  value={b.id}
                  checked={kbIds.includes(b.id)}
                  onChange={(e) =>
                    setKbIds(e.target.checked ? [...kbIds, b.id] : kbIds.filter((x) => x !== b.id))
                  }
                />
                {b.name}
              </label>
            ))}
          </span>
        </fieldset>

        <fieldset data-testid="http-tools">
          <legend>{t.httpTools}</legend>
          {httpTools.map((h, i) => {
            const set = (patch: Partial<HttpToolDraft>) =>
              setHttpTools(httpTools.map((x, j) => (j === i ? { ...x, ...patch } : x)));
            return (
              <div className="sub-card" key={i} data-testid="http-tool">
                <div className="grid2">
                  <label>
                    {t.httpToolName}
                    <input
                      value={h.name}
                      pattern="[a-z][a-z0-9_]{1,40}"
                      onChange={(e) => set({ name: e.target.value })}
                      required
                    />
                  </label>
                  <label>
                    {t.httpToolMethod}
                    <select value={h.method} onChange={(e) => set({ method: e.target.value as HttpMethod })}>
                      {httpMethods.map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t.httpToolTimeout}
                    <input
                      type="number"
                      min={500}
                      max={15000}
                      step={100}
                      value={h.timeoutMs}
                      onChange={(e) => set({ timeoutMs: e.target.value })}
                    />
                  </label>
                </div>
                <label>
                  {t.httpToolUrl}
                  <input type="url" value={h.url} onChange={(e) => set({ url: e.target.value })} required />
                </label>
                <label>
                  {t.httpToolDescription}
                  <input
                    value={h.description}
                    onChange={(e) => set({ description: e.target.value })}
                    required
                  />
                </label>
                <div className="grid2">
                  <div data-testid="http-tool-headers">
                    <span>{t.httpToolHeaders}</span>
                    {h.headers.map((x, k) => {
                      const setHeader = (patch: Partial<HeaderDraft>) =>
                        set({ headers: h.headers.map((y, l) => (l === k ? { ...y, ...patch } : y)) });
                      return (
                        <div className="header-row" key={k} data-testid="http-header">
                          <input
                            aria-label={t.headerName}
                            placeholder={t.headerName}
                            value={x.name}
                            // A stored value belongs to its name: to rename, remove and add.
                            readOnly={x.set}
                            onChange={(e) => setHeader({ name: e.target.value })}
                          />
                          <input
                            aria-label={t.headerValue}
                            type="password"
                            autoComplete="off"
                            placeholder={x.set ? t.headerValueSet : t.headerValue}
                            value={x.value}
                            onChange={(e) => setHeader({ value: e.target.value })}
                          />
                          {x.set && !x.value && <span className="muted">{t.headerSet}</span>}
                          <button
                            type="button"
                            className="link"
                            onClick={() => set({ headers: h.headers.filter((_, l) => l !== k) })}
                          >
                            {t.removeHeader}
                          </button>
                        </div>
                      );
                    })}
                    <button
                      type="button"
                      className="link"
                      data-testid="add-http-header"
                      disabled={h.headers.length >= 30}
                      onClick={() => set({ headers: [...h.headers, { name: '', set: false, value: '' }] })}
                    >
                      {t.addHeader}
                    </button>
                  </div>
                  <label>
                    {t.httpToolParameters}
                    <textarea
                      rows={3}
                      className="mono"
                      value={h.parametersText}
                      onChange={(e) => set({ parametersText: e.target.value })}
                    />
                  </label>
                </div>
                <button
                  type="button"
                  className="link"
                  onClick={() => setHttpTools(httpTools.filter((_, j) => j !== i))}
                >
                  {t.remove}
                </button>
              </div>
            );
          })}
          <button
            type="button"
            data-testid="add-http-tool"
            disabled={httpTools.length >= 20}
            onClick={() => {
              // An endpoint is only called with the HTTP tool on.
              if (!tools.includes('http_request')) setTools([...tools, 'http_request']);
              setHttpTools([
                ...httpTools,
                {
                  name: '',
                  description: '',
                  method: 'GET',
                  url: '',
                  headers: [],
                  parametersText: '{\n  "type": "object",\n  "properties": {}\n}',
                  timeoutMs: '8000',
                },
              ]);
            }}
          >
            {t.addHttpTool}
          </button>
        </fieldset>

        <fieldset data-testid="variables">
          <legend>{t.variablesLabel}</legend>
          {variables.map((v, i) => {
            const set = (patch: Partial<typeof v>) =>
              setVariables(variables.map((x, j) => (j === i ? { ...x, ...patch } : x)));
            return (
              <div className="variable-row" key={i} data-testid="variable">
                <input
                  aria-label={t.variableName}
                  placeholder={t.variableName}
                  pattern="[a-z][a-z0-9_]{0,40}"
                  value={v.name}
                  onChange={(e) => set({ name: e.target.value })}
                  required
                />
                <select
                  aria-label={t.variableType}
                  value={v.type}
                  onChange={(e) => set({ type: e.target.value as VariableType })}
                >
                  {variableTypes.map((vt) => (
                    <option key={vt} value={vt}>
                      {variableTypeLabel(t, vt)}
                    </option>
                  ))}
                </select>
                <input
                  aria-label={t.variableDescription}
                  placeholder={t.variableDescription}
                  value={v.description}
                  onChange={(e) => set({ description: e.target.value })}
                />
                <button
                  type="button"
                  className="link"
                  onClick={() => setVariables(variables.filter((_, j) => j !== i))}
                >
                  {t.remove}
                </button>
              </div>
            );
          })}
          <button
            type="button"
            data-testid="add-variable"
            disabled={variables.length >= 30}
            onClick={() => setVariables([...variables, { name: '', type: 'text', description: '' }])}
          >
            {t.addVariable}
          </button>
        </fieldset>
      </fieldset>

      {canEdit && (
        <div className="panel-buttons">
          <button
            type="submit"
            className="primary"
            data-testid="save-assistant"
            disabled={status.kind === 'saving'}
          >
            {status.kind === 'saving' ? t.saving : assistant ? t.save : t.createAssistant}
          </button>
          <StatusLine status={status} testid="assistant-save" />
          {assistant && !confirmDelete && (
            <button
              type="button"
              className="danger-text link"
              data-testid="delete-assistant"
              onClick={() => setConfirmDelete(true)}
            >
              {t.deleteAssistant}
            </button>
          )}
        </div>
      )}
      {assistant && confirmDelete && (
        <div className="confirm" role="alertdialog" data-testid="confirm-delete">
          <p>{t.confirmDeleteAssistant(assistant.name)}</p>
          <button
            type="button"
            className="primary danger"
            data-testid="confirm-delete-yes"
            onClick={() =>
              void del.run(async () => {
                await aiApi.deleteAssistant(assistant.id);
                onDeleted(assistant.id);
              })
            }
          >
            {t.yesDelete}
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            {t.cancel}
          </button>
          <StatusLine status={del.status} testid="assistant-delete" />
        </div>
      )}
    </form>
  );
}
