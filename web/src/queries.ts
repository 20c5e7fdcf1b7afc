/**
 * Server state through one data layer (TanStack Query): the client at the app's root, the
 * query keys, and the queries and mutations the pages share. Live socket events
 * (web/src/live.ts) update or invalidate these entries (see the inbox). The cache is
 * cleared when a session starts or ends: nothing of one user's data is shown to the next.
 */
import { QueryClient, useQuery } from '@tanstack/react-query';
import { api } from './api.ts';

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
};

export const useAssistants = () =>
  useQuery({ queryKey: queryKeys.assistants, queryFn: () => api.assistants().then((r) => r.items) });
export const useKnowledgeBases = () =>
  useQuery({ queryKey: queryKeys.knowledgeBases, queryFn: () => api.knowledgeBases().then((r) => r.items) });
export const useAiSettings = () =>
  useQuery({ queryKey: queryKeys.aiSettings, queryFn: () => api.aiSettings() });
