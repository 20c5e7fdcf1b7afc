/**
 * Server state through one data layer (TanStack Query): the client at the app's root and
 * every cached entry's key. The hooks are by resource beside it (web/src/queries/<file>.ts,
 * as web/src/api/<file>.ts). Live socket events (web/src/live.ts) update or invalidate
 * these entries. The cache is cleared when a session starts or ends: nothing of one
 * user's data is shown to the next.
 */
import { QueryClient } from '@tanstack/react-query';

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
  knowledgeDocuments: (baseId: string) => ['knowledge-documents', baseId] as const,
  aiSettings: ['ai-settings'] as const,
  aiConversations: (query: string) => ['ai-conversations', query] as const,
  settings: ['settings'] as const,
  conversation: (id: string) => ['conversation', id] as const,
  conversationCounts: ['conversation-counts'] as const,
  campaigns: ['campaigns'] as const,
  testMessages: (conversationId: string) => ['test-messages', conversationId] as const,
  deadLetters: ['dead-letters'] as const,
};

/** Who is signed in, the team and the numbers: what names and colours are looked up in. */
export const directoryKeys = [queryKeys.me, queryKeys.users, queryKeys.departments, queryKeys.numbers];

/** Asks the server again for these entries (each active one refetches). */
export function refresh(...keys: readonly (readonly unknown[])[]): void {
  for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
}
