/**
 * The AI page's entries: knowledge bases and each one's documents (kept current by
 * `knowledge.updated` pushes, and polled while any is still being read), the AI
 * connection's settings, the assistant conversations' report per filter, and the
 * "Testar" conversation's messages (pushed, and polled while an answer is awaited).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { aiApi } from '../api/ai.ts';
import { messagesApi } from '../api/messages.ts';
import type { AiConversationQuery, KnowledgeDocument, Message } from '../api-types.ts';
import { mergeMessages } from '../inbox-state.ts';
import { queryClient, queryKeys } from './client.ts';

export const useKnowledgeBases = () =>
  useQuery({
    queryKey: queryKeys.knowledgeBases,
    queryFn: () => aiApi.knowledgeBases().then((r) => r.items),
  });
export const useAiSettings = () =>
  useQuery({ queryKey: queryKeys.aiSettings, queryFn: () => aiApi.aiSettings() });

/** Queued or being read. */
export const busyDocument = (d: KnowledgeDocument) => d.status === 'queued' || d.status === 'processing';

/** A base's documents; read again every `pollMs` while any is still being read. */
export const useKnowledgeDocuments = (baseId: string, pollMs: number) =>
  useQuery({
    queryKey: queryKeys.knowledgeDocuments(baseId),
    queryFn: () => aiApi.knowledgeDocuments(baseId).then((r) => r.items),
    refetchInterval: (q) => (q.state.data?.some(busyDocument) ? pollMs : false),
  });

/** Newer copies of documents (pushed, or just added): updated in place, new ones first. */
export function upsertKnowledgeDocuments(baseId: string, incoming: KnowledgeDocument[]): void {
  queryClient.setQueryData<KnowledgeDocument[]>(queryKeys.knowledgeDocuments(baseId), (cur = []) => {
    const next = [...cur];
    for (const d of incoming) {
      const i = next.findIndex((x) => x.id === d.id);
      if (i < 0) next.unshift(d);
      else next[i] = { ...next[i], ...d };
    }
    return next;
  });
}

export function dropKnowledgeDocument(baseId: string, docId: string): void {
  queryClient.setQueryData<KnowledgeDocument[]>(queryKeys.knowledgeDocuments(baseId), (cur) =>
    cur?.filter((x) => x.id !== docId),
  );
}

/**
 * The assistant conversations for a filter (its JSON; undefined: not asked yet). The rows
 * of the previous filter stay on screen until the new ones arrive.
 */
export const useAiConversations = (queryJson: string | undefined) =>
  useQuery({
    queryKey: queryKeys.aiConversations(queryJson ?? ''),
    queryFn: () => aiApi.aiConversations(JSON.parse(queryJson!) as AiConversationQuery).then((r) => r.items),
    enabled: queryJson !== undefined,
    placeholderData: keepPreviousData,
  });

const NO_MESSAGES: Message[] = [];

/**
 * The "Testar" conversation's messages, oldest first: what was sent and pushed, merged
 * (web/src/inbox-state.ts), and the latest page read every `pollMs` while `polling`.
 */
export function useTestMessages(conversationId: string | undefined, polling: boolean, pollMs: number) {
  const queryKey = queryKeys.testMessages(conversationId ?? '');
  const query = useQuery({
    queryKey,
    queryFn: async () => {
      const page = await messagesApi.messages(conversationId!);
      return mergeMessages(queryClient.getQueryData<Message[]>(queryKey) ?? [], page.items);
    },
    enabled: Boolean(conversationId) && polling,
    refetchInterval: pollMs,
    // What was just sent or pushed is fresh: the first poll comes `pollMs` later.
    staleTime: pollMs,
  });
  return conversationId ? (query.data ?? NO_MESSAGES) : NO_MESSAGES;
}

export function mergeTestMessages(conversationId: string, incoming: Message[]): void {
  queryClient.setQueryData<Message[]>(queryKeys.testMessages(conversationId), (cur = []) =>
    mergeMessages(cur, incoming),
  );
}
