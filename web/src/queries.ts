/**
 * Server state through one data layer (TanStack Query): the client at the app's root, the
 * query keys, and the queries and mutations the pages share. Live socket events
 * (web/src/live.ts) update or invalidate these entries (see the inbox). The cache is
 * cleared when a session starts or ends: nothing of one user's data is shown to the next.
 */
import { QueryClient, useQuery } from '@tanstack/react-query';
import { aiApi } from './api/ai.ts';
import { authApi } from './api/auth.ts';
import { conversationsApi } from './api/conversations.ts';
import { integrationsApi } from './api/integrations.ts';
import { teamApi } from './api/team.ts';
import type { Conversation } from './api-types.ts';
import type { LiveEvent } from './live.ts';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // As the hand-rolled fetches did: a page shown again asks again (showing the cached
      // copy meanwhile), a failed request is not repeated by itself.
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    },
  },
});

/** Every cached entry's key, defined once. */
export const queryKeys = {
  me: ['me'] as const,
  users: ['users'] as const,
  departments: ['departments'] as const,
  numbers: ['numbers'] as const,
  assistants: ['assistants'] as const,
  knowledgeBases: ['knowledge-bases'] as const,
  aiSettings: ['ai-settings'] as const,
  settings: ['settings'] as const,
  conversation: (id: string) => ['conversation', id] as const,
};

/** Who is signed in, the team and the numbers: what names and colours are looked up in. */
export const directoryKeys = [queryKeys.me, queryKeys.users, queryKeys.departments, queryKeys.numbers];

export const useMe = () => useQuery({ queryKey: queryKeys.me, queryFn: () => authApi.me() });
export const useUsers = () =>
  useQuery({ queryKey: queryKeys.users, queryFn: () => teamApi.users().then((r) => r.items) });
export const useDepartments = () =>
  useQuery({
    queryKey: queryKeys.departments,
    queryFn: () => integrationsApi.departments().then((r) => r.items),
  });
export const useNumbers = () =>
  useQuery({ queryKey: queryKeys.numbers, queryFn: () => integrationsApi.numbers().then((r) => r.items) });
export const useSettings = () =>
  useQuery({ queryKey: queryKeys.settings, queryFn: () => integrationsApi.settings() });

/** Asks the server again for these entries (each active one refetches). */
export function refresh(...keys: readonly (readonly unknown[])[]): void {
  for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
}

/**
 * One conversation: the cached copy if the socket or a list brought one in the last
 * seconds, else the server's (a notification looks its chat up this way).
 */
export const fetchConversation = (id: string): Promise<Conversation> =>
  queryClient.fetchQuery({
    queryKey: queryKeys.conversation(id),
    queryFn: () => conversationsApi.conversation(id),
    staleTime: 5_000,
  });

/**
 * A live event's effect on the cache: a pushed conversation is the newest copy of its
 * entry; one that left the user's sight is dropped. (The inbox list and the open thread
 * keep their own state, web/src/inbox-state.ts: their merge rules are tested.)
 */
export function applyLiveEvent(e: LiveEvent): void {
  if (e.type === 'conversation.removed') {
    queryClient.removeQueries({ queryKey: queryKeys.conversation(e.conversationId) });
    return;
  }
  const c = e.conversation;
  if (!c) return;
  queryClient.setQueryData<Conversation>(queryKeys.conversation(c.id), (cur) =>
    cur && cur.lastMessageAt > c.lastMessageAt ? cur : { ...cur, ...c },
  );
}

export const useAssistants = () =>
  useQuery({
    queryKey: queryKeys.assistants,
    queryFn: () => integrationsApi.assistants().then((r) => r.items),
  });
export const useKnowledgeBases = () =>
  useQuery({
    queryKey: queryKeys.knowledgeBases,
    queryFn: () => aiApi.knowledgeBases().then((r) => r.items),
  });
export const useAiSettings = () =>
  useQuery({ queryKey: queryKeys.aiSettings, queryFn: () => aiApi.aiSettings() });
