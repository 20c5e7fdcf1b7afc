/**
 * The AI page's resources: assistants, the account's AI connection, knowledge bases and
 * their documents, the "Testar" conversation, and the assistant conversations' report
 * (shared/api/routes/ai.ts). The assistants' list is the integrations routes'
 * (web/src/api/integrations.ts).
 */
import {
  allOf,
  type AddKnowledgeDocumentBody,
  type AiConversationQuery,
  type AiConversationRow,
  type AiSettings,
  type AiSettingsBody,
  type Assistant,
  type AssistantBody,
  type AssistantTool,
  type HttpMethod,
  type Items,
  type KnowledgeBase,
  type KnowledgeDocument,
  type KnowledgeHit,
  type Message,
  type TestConversation,
  type VariableType,
  type Weekday,
} from '../api-types.ts';
import { authed, call } from './client.ts';

/** The values the assistant form offers: every one of the server's. */
export const assistantTools = allOf<AssistantTool>()([
  'transfer_to_human',
  'set_variable',
  'search_knowledge_base',
  'schedule_appointment',
  'http_request',
]);
export const httpMethods = allOf<HttpMethod>()(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export const variableTypes = allOf<VariableType>()(['text', 'email', 'cpf', 'cnpj', 'phone', 'date']);
export const weekdays = allOf<Weekday>()(['0', '1', '2', '3', '4', '5', '6']);

function aiQuery(query: AiConversationQuery, format: 'csv' | 'json'): URLSearchParams {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q;
}

export const aiApi = {
  createAssistant: (body: AssistantBody) =>
    call<Assistant>('/api/assistants', {
      method: 'POST',
      body: JSON.stringify({ ...body, workingHours: body.workingHours ?? undefined }),
    }),
  updateAssistant: (id: string, body: Partial<AssistantBody>) =>
    call<Assistant>(`/api/assistants/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
    }),
  deleteAssistant: (id: string) =>
    call<void>(`/api/assistants/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  aiSettings: () => call<AiSettings>('/api/ai/settings'),
  updateAiSettings: (body: AiSettingsBody) =>
    call<AiSettings>('/api/ai/settings', { method: 'PATCH', body: JSON.stringify(body) }),
  knowledgeBases: () => call<Items<KnowledgeBase>>('/api/knowledge-bases'),
  createKnowledgeBase: (name: string) =>
    call<KnowledgeBase>('/api/knowledge-bases', { method: 'POST', body: JSON.stringify({ name }) }),
  renameKnowledgeBase: (id: string, name: string) =>
    call<KnowledgeBase>(`/api/knowledge-bases/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name }),
    }),
  deleteKnowledgeBase: (id: string) =>
    call<void>(`/api/knowledge-bases/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  knowledgeDocuments: (id: string) =>
    call<Items<KnowledgeDocument>>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents`),
  addKnowledgeDocument: (id: string, body: AddKnowledgeDocumentBody) =>
    call<KnowledgeDocument>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  deleteKnowledgeDocument: (id: string, docId: string) =>
    call<void>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents/${encodeURIComponent(docId)}`, {
      method: 'DELETE',
    }),
  searchKnowledge: (id: string, q: string) =>
    call<Items<KnowledgeHit>>(
      `/api/knowledge-bases/${encodeURIComponent(id)}/search?q=${encodeURIComponent(q)}`,
    ),
  startTest: (assistantId: string) =>
    call<TestConversation>(`/api/assistants/${encodeURIComponent(assistantId)}/test`, {
      method: 'POST',
      body: '{}',
    }),
  sendTest: (assistantId: string, conversationId: string, text: string) =>
    call<Message>(
      `/api/assistants/${encodeURIComponent(assistantId)}/test/${encodeURIComponent(conversationId)}/messages`,
      { method: 'POST', body: JSON.stringify({ text }) },
    ),
  aiConversations: (query: AiConversationQuery) =>
    call<Items<AiConversationRow>>(`/api/ai/conversations?${aiQuery(query, 'json')}`),
  /** The list as a file (CSV or JSON), fetched with the session (a plain link has no token). */
  async aiConversationsFile(query: AiConversationQuery, format: 'csv' | 'json'): Promise<Blob> {
    const res = await authed(`/api/ai/conversations?${aiQuery(query, format)}`);
    return res.blob();
  },
};
