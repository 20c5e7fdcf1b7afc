/**
 * The list's side of the inbox rules: how a conversation sorts for each sort option, and
 * whether a pushed conversation belongs in the list the agent is looking at (the view by
 * shared/domain/inbox.ts, the filters as the server applies them), so a live update makes
 * a chat enter or leave the current tab without a refetch.
 */
import { chatStateOf, inView, type Viewer } from '../../shared/domain/inbox.ts';

export { chatStateOf };
import { windowState } from '../../shared/domain/window.ts';
import type { Conversation, ConversationQuery, ConversationSort, Me, Role } from './api-types.ts';

const openingOf = (c: Conversation) => c.openedAt ?? c.createdAt ?? c.lastMessageAt;
const tie = (a: Conversation, b: Conversation) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function comparatorOf(sort: ConversationSort): (a: Conversation, b: Conversation) => number {
  switch (sort) {
    case 'latest':
      return (a, b) => b.lastMessageAt - a.lastMessageAt || tie(a, b);
    case 'oldest':
      return (a, b) => a.lastMessageAt - b.lastMessageAt || -tie(a, b);
    case 'newestOpening':
      return (a, b) => openingOf(b) - openingOf(a) || tie(a, b);
    case 'oldestOpening':
      return (a, b) => openingOf(a) - openingOf(b) || -tie(a, b);
  }
}

export function viewerOf(me: Me): Viewer {
  const role: Role = me.role === 'admin' || me.role === 'supervisor' ? me.role : 'agent';
  return {
    userId: me.id,
    role,
    departmentIds: me.departmentIds ?? [],
    ...(me.permissions ? { permissions: me.permissions } : {}),
  };
}

export const isUnread = (c: Conversation) => c.unread > 0 || Boolean(c.markedUnread);

/** Expirando 30 min before the 24-hour window ends, Expirado after; none for a closed chat. */
export function tagOf(c: Conversation, now: number): 'expiring' | 'expired' | undefined {
  if (c.status !== 'open') return undefined;
  const s = windowState(c.windowExpiresAt, now);
  return s === 'expiring' || s === 'expired' ? s : undefined;
}

/** Whether the automation holds the chat (the row's robot icon). */
export const botRunning = (c: Conversation) => chatStateOf(c).bot === 'running';

/**
 * Whether a conversation belongs in the list for `query`. A search (`q`) is the server's
 * to answer: a pushed conversation only updates a row already there (`undefined`: keep
 * as is).
 */
export function belongs(
  c: Conversation,
  query: ConversationQuery,
  viewer: Viewer | undefined,
  now: number,
): boolean | undefined {
  if (query.q) return undefined;
  if (viewer && !inView(query.view, viewer, chatStateOf(c), now)) return false;
  if (!viewer && query.view !== 'all') return undefined;
  if (query.departmentId && c.departmentId !== query.departmentId) return false;
  if (query.agentId && c.agentId !== query.agentId) return false;
  if (query.numberId && c.numberId !== query.numberId) return false;
  if (query.campaignId && c.campaign?.id !== query.campaignId) return false;
  if (query.tag && tagOf(c, now) !== query.tag) return false;
  // The open conversation is read while the agent looks at it: it stays where it was.
  if (query.unread && !isUnread(c)) return undefined;
  return true;
}
