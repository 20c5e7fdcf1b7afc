/**
 * The assistants tab of the AI page: the list of assistants and the AI connection on the
 * left, the selected one's form (or the connection's) on the right.
 */
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { paths, placeOf } from '../routes.ts';
import type { AiSettings, Assistant, KnowledgeBase } from '../api-types.ts';
import { useI18n } from '../i18n/index.ts';
import { ModeBadge } from './AiCommon.tsx';
import { AssistantForm } from './AssistantForm.tsx';
import { AiConnection } from './AiConnection.tsx';

/** The form of a new assistant and the AI connection have pt-BR addresses of their own. */
const segments: Record<string, string> = { new: 'novo', connection: 'conexao' };
const toSegment = (id: string) => segments[id] ?? id;
const fromSegment = (segment: string | undefined) =>
  segment && (Object.entries(segments).find(([, s]) => s === segment)?.[0] ?? segment);

export function AssistantList({
  assistants,
  bases,
  settings,
  canEdit,
  onAssistants,
  onSettings,
}: {
  assistants: Assistant[];
  bases: KnowledgeBase[];
  settings?: AiSettings;
  canEdit: boolean;
  onAssistants: (a: Assistant[]) => void;
  onSettings: (s: AiSettings) => void;
}) {
  const { t } = useI18n();
  /** An assistant's id, 'new', 'connection' (the AI connection), or nothing: the address's. */
  const location = useLocation();
  const navigate = useNavigate();
  const selected = fromSegment(placeOf(location.pathname)?.assistantId);
  const setSelected = (id: string | undefined, replace = false) =>
    navigate(id ? paths.assistant(toSegment(id)) : paths.assistants, { replace });
  /** The assistant just created (its form, remounted, still says "saved"). */
  const [created, setCreated] = useState<string>();
  const current = assistants.find((a) => a.id === selected);
  useEffect(() => {
    if (!selected && assistants[0]) navigate(paths.assistant(assistants[0].id), { replace: true });
  }, [selected, assistants, navigate]);

  return (
    <div className="ai-split">
      <aside className="list ai-list">
        <h2>{t.assistants}</h2>
        {assistants.length === 0 && <p className="muted pad">{t.noAssistants}</p>}
        <ul>
          {assistants.map((a) => (
            <li key={a.id}>
              <button
                className={`row ${a.id === selected ? 'selected' : ''}`}
                data-testid="assistant-item"
                onClick={() => setSelected(a.id)}
              >
                <span className="row-main">
                  <span className="name">{a.name}</span>
                  <span className="preview">
                    {a.model}
                    {!a.enabled && ` · ${t.assistantOff}`}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {canEdit && (
          <button className="more" data-testid="new-assistant" onClick={() => setSelected('new')}>
            + {t.newAssistant}
          </button>
        )}
        <h2>{t.aiConnection}</h2>
        <button
          className={`row ${selected === 'connection' ? 'selected' : ''}`}
          data-testid="open-ai-connection"
          onClick={() => setSelected('connection')}
        >
          <span className="row-main">
            <span className="name">{t.aiConnection}</span>
            <span className="preview">
              {settings?.source === 'deployment'
                ? t.aiSourceDeployment
                : (settings?.baseUrl ?? 'api.openai.com')}
            </span>
          </span>
          {settings && <ModeBadge mode={settings.mode} />}
        </button>
      </aside>
      <section className="settings-pane">
        {selected === 'connection' && settings && (
          <AiConnection settings={settings} canEdit={canEdit} onSaved={onSettings} />
        )}
        {(selected === 'new' || current) && (
          <AssistantForm
            key={selected}
            assistant={current}
            bases={bases}
            models={Object.keys(settings?.prices ?? {})}
            canEdit={canEdit}
            justCreated={Boolean(current && current.id === created)}
            onSaved={(a) => {
              if (selected === 'new') setCreated(a.id);
              onAssistants(
                assistants.some((x) => x.id === a.id)
                  ? assistants.map((x) => (x.id === a.id ? a : x))
                  : [...assistants, a],
              );
              // A new one's address replaces the blank form's: Back does not return to it.
              setSelected(a.id, selected === 'new');
            }}
            onDeleted={(id) => {
              onAssistants(assistants.filter((x) => x.id !== id));
              setSelected(undefined);
            }}
          />
        )}
      </section>
    </div>
  );
}
