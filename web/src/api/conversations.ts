/**
 * The inbox's conversations: the list of a view with its filters, the tab counts, the
 * campaigns filter, one conversation, and the actions on it (shared/api/routes/conversations.ts).
 */
import {
  allOf,
  type AssignBody,
  type Campaign,
  type Conversation,
  type ConversationCounts,
  type ConversationPage,
  type ConversationQuery,
  type ConversationSort,
  type ConversationView,
  type Items,
  type PostponeResult,
} from '../api-types.ts';
import { call } from './client.ts';

/** The values the list's tabs and sort offer: every one of the server's. */
export const conversationViews = allOf<ConversationView>()(['all', 'open', 'mine', 'service']);
export const conversationSorts = allOf<ConversationSort>()([
  'latest',
  'oldest',
  'newestOpening',
  'oldestOpening',
]);

export const conversationsApi = {
  conversations: (query: Partial<ConversationQuery> = {}, cursor?: string, limit = 30) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
    if (cursor) q.set('cursor', cursor);
    return call<ConversationPage>(`/api/conversations?${q}`);
  },
  counts: () => call<ConversationCounts>('/api/conversations/counts'),
  campaigns: () => call<Items<Campaign>>('/api/campaigns'),
  conversation: (id: string) => call<Conversation>(`/api/conversations/${encodeURIComponent(id)}`),
  assign: (id: string, body: AssignBody) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/assign`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  close: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', body: '{}' }),
  renameContact: (id: string, name: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/contact-name`, {
      method: 'PATCH',
      body: JSON.stringify({ name }),
    }),
  markRead: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/read`, { method: 'POST', body: '{}' }),
  markUnread: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/unread`, { method: 'POST', body: '{}' }),
  setAnswered: (id: string, answered: boolean) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/answered`, {
      method: 'POST',
      body: JSON.stringify({ answered }),
    }),
  postpone: (id: string, until: number) =>
    call<PostponeResult>(`/api/conversations/${encodeURIComponent(id)}/postpone`, {
      method: 'POST',
      body: JSON.stringify({ until }),
    }),
  reactivateBot: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/bot`, { method: 'POST', body: '{}' }),
  stopBot: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/bot`, { method: 'DELETE' }),
};
