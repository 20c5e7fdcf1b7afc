/**
 * Conversations in the cache: one conversation's entry (what the socket pushed, or the
 * server's), the inbox's tab counts and the campaigns filter. (The inbox list and the open
 * thread keep their own state, web/src/inbox-state.ts: their merge rules are tested.)
 */
import { useQuery } from '@tanstack/react-query';
import { conversationsApi } from '../api/conversations.ts';
import type { Conversation } from '../api-types.ts';
import type { LiveEvent } from '../live.ts';
import { queryClient, queryKeys } from './client.ts';

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
 * One conversation kept current: what the page put in the cache, each pushed copy
 * (applyLiveEvent), and the server's when it is asked again (`refresh`). Not read again
 * just for being shown.
 */
export const useConversation = (id: string | undefined) =>
  useQuery({
    queryKey: queryKeys.conversation(id ?? ''),
    queryFn: () => conversationsApi.conversation(id!),
    enabled: Boolean(id),
    staleTime: Infinity,
  });

/**
 * A live event's effect on the cache: a pushed conversation is the newest copy of its
 * entry; one that left the user's sight is dropped.
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

const countsQuery = {
  queryKey: queryKeys.conversationCounts,
  queryFn: () => conversationsApi.counts(),
};
/** The tab counts as last read. They are read when the inbox asks (fetchConversationCounts), at most every 2 s. */
export const useConversationCounts = () => useQuery({ ...countsQuery, enabled: false });
export const fetchConversationCounts = () => queryClient.fetchQuery({ ...countsQuery, staleTime: 0 });

/** The campaigns the customers came from (the list's filter), read each time the filters open. */
export const useCampaigns = (enabled: boolean) =>
  useQuery({
    queryKey: queryKeys.campaigns,
    queryFn: () => conversationsApi.campaigns().then((r) => r.items),
    enabled,
  });
