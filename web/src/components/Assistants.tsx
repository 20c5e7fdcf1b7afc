/**
 * The AI page (AI-1..7, MET-1): assistants (prompt, model, temperature, working hours,
 * tools, knowledge bases, HTTP endpoints, variables) and the account's AI connection
 * (OpenAI-compatible URL, write-only key, embeddings model, price table), with tabs for
 * the knowledge bases, the "Testar" panel and the assistant conversations. Everyone can
 * read; changing needs the "settings" permission (the API checks it too). Without a key
 * or URL the page says the assistants answer in offline mode.
 */
import { useCallback, useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { AiSettings, Assistant, KnowledgeBase, Me } from '../api-types.ts';
import { aiTabPaths, placeOf, type AiTab } from '../routes.ts';
import { useAiSettings, useKnowledgeBases } from '../queries/ai.ts';
import { queryClient, queryKeys } from '../queries/client.ts';
import { useAssistants } from '../queries/integrations.ts';
import { useI18n } from '../i18n/index.ts';
import { ModeBadge } from './AiCommon.tsx';
import { AssistantList } from './AssistantList.tsx';
import { KnowledgeBases } from './KnowledgeBases.tsx';
import { TestPanel } from './TestPanel.tsx';
import { AiConversations } from './AiConversations.tsx';

type Tab = AiTab;

const EMPTY: never[] = [];

export function Assistants({ me }: { me?: Me }) {
  const { t } = useI18n();
  const canEdit = Boolean(me?.permissions?.includes('settings'));
  // The tab and the selected assistant are the address's (/assistentes/…).
  const location = useLocation();
  const navigate = useNavigate();
  const place = placeOf(location.pathname);
  const tab: Tab = place?.aiTab ?? 'assistants';
  const assistantsQuery = useAssistants();
  const basesQuery = useKnowledgeBases();
  const settingsQuery = useAiSettings();
  const assistants: Assistant[] = assistantsQuery.data ?? EMPTY;
  const bases: KnowledgeBase[] = basesQuery.data ?? EMPTY;
  const settings = settingsQuery.data;
  const failed = assistantsQuery.isError || basesQuery.isError || settingsQuery.isError;
  const [testOpened, setTestOpened] = useState(tab === 'test');
  useEffect(() => {
    if (tab === 'test') setTestOpened(true);
  }, [tab]);

  const setAssistants = (a: Assistant[]) => queryClient.setQueryData(queryKeys.assistants, a);
  const setBases = (b: KnowledgeBase[]) => queryClient.setQueryData(queryKeys.knowledgeBases, b);
  const setSettings = (s: AiSettings) => queryClient.setQueryData(queryKeys.aiSettings, s);
  const reload = useCallback(() => {
    for (const queryKey of [queryKeys.assistants, queryKeys.knowledgeBases, queryKeys.aiSettings])
      void queryClient.invalidateQueries({ queryKey });
  }, []);

  const tabs: [Tab, string][] = [
    ['assistants', t.aiTabAssistants],
    ['knowledge', t.aiTabKnowledge],
    ['test', t.aiTabTest],
    ['conversations', t.aiTabConversations],
  ];

  return (
    <div className="ai-page" data-testid="assistants-page">
      <div className="ai-head">
        <nav className="ai-tabs" role="tablist">
          {tabs.map(([id, label]) => (
            <button
              key={id}
              role="tab"
              aria-selected={tab === id}
              className={`view-tab ${tab === id ? 'active' : ''}`}
              data-testid={`ai-tab-${id}`}
              onClick={() => {
                navigate(aiTabPaths[id]);
                if (id === 'test') setTestOpened(true);
                reload();
              }}
            >
              {label}
            </button>
          ))}
        </nav>
        {settings && <ModeBadge mode={settings.mode} testid="ai-mode" />}
      </div>
      {settings?.mode === 'offline' && (
        <p className="banner banner-warn" role="note" data-testid="offline-notice">
          {t.offlineExplained}
        </p>
      )}
      {!canEdit && me && (
        <p className="banner banner-info" data-testid="read-only">
          {t.readOnlyNotice}
        </p>
      )}
      {failed && <p className="error pad">{t.loadFailed}</p>}
      <div className="ai-body">
        {tab === 'assistants' && (
          <AssistantList
            assistants={assistants}
            bases={bases}
            settings={settings}
            canEdit={canEdit}
            onAssistants={setAssistants}
            onSettings={setSettings}
          />
        )}
        {tab === 'knowledge' && <KnowledgeBases bases={bases} canEdit={canEdit} onBases={setBases} />}
        {/* Kept once opened: a test conversation survives a look at another tab. */}
        {(tab === 'test' || testOpened) && (
          <div className="ai-tab-body" hidden={tab !== 'test'}>
            <TestPanel assistants={assistants} canEdit={canEdit} />
          </div>
        )}
        {tab === 'conversations' && <AiConversations assistants={assistants} />}
      </div>
    </div>
  );
}
