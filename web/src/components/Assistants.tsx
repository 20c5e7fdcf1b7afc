/**
 * The AI page (AI-1..7, MET-1): assistants (prompt, model, temperature, working hours,
 * tools, knowledge bases, HTTP endpoints, variables) and the account's AI connection
 * (OpenAI-compatible URL, write-only key, embeddings model, price table), with tabs for
 * the knowledge bases, the "Testar" panel and the assistant conversations. Everyone can
 * read; changing needs the "settings" permission (the API checks it too). Without a key
 * or URL the page says the assistants answer in offline mode.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type AiSettings, type Assistant, type KnowledgeBase, type Me } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { ModeBadge } from './AiCommon.tsx';
import { AssistantList } from './AssistantList.tsx';
import { KnowledgeBases } from './KnowledgeBases.tsx';
import { TestPanel } from './TestPanel.tsx';
import { AiConversations } from './AiConversations.tsx';

type Tab = 'assistants' | 'knowledge' | 'test' | 'conversations';

export function Assistants({ me }: { me?: Me }) {
  const { t } = useI18n();
  const canEdit = Boolean(me?.permissions?.includes('settings'));
  const [tab, setTab] = useState<Tab>('assistants');
  const [assistants, setAssistants] = useState<Assistant[]>([]);
  const [bases, setBases] = useState<KnowledgeBase[]>([]);
  const [settings, setSettings] = useState<AiSettings>();
  const [failed, setFailed] = useState(false);
  const [testOpened, setTestOpened] = useState(false);

  const reload = useCallback(() => {
    void Promise.all([api.assistants(), api.knowledgeBases(), api.aiSettings()])
      .then(([a, k, s]) => {
        setAssistants(a.items);
        setBases(k.items);
        setSettings(s);
        setFailed(false);
      })
      .catch(() => setFailed(true));
  }, []);
  useEffect(reload, [reload]);

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
                setTab(id);
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
            <TestPanel assistants={assistants} settings={settings} canEdit={canEdit} />
          </div>
        )}
        {tab === 'conversations' && <AiConversations assistants={assistants} />}
      </div>
    </div>
  );
}
