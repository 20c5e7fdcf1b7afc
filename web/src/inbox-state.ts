/**
 * How the inbox folds what it learns (pages, pushed events, its own sends) into its lists,
 * whatever the order they arrive in: by id, newest conversation first, messages oldest
 * first, statuses never going backwards.
 */
import type { Conversation, Message, MessageStatus } from './api-types.ts';

export const byNewest = (a: Conversation, b: Conversation) =>
  b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : -1);

/**
 * A conversation as it should now be shown, given the copy we hold and a newer one from
 * the server (a page, a push, an action's answer). The server's copy is whole: a field it
 * no longer has is gone (the agent a forward to a department removed, the department a
 * close removed), so it is not merged over ours. An older snapshot (a page fetched before
 * a pushed update, or an assignment pushed while a newer message was being stored) must
 * not take the last message back; its other news (agent, department, status) still applies.
 */
export function newerConversation(cur: Conversation | undefined, c: Conversation): Conversation {
  if (!cur || cur.lastMessageAt <= c.lastMessageAt) return c;
  return {
    ...c,
    lastMessageAt: cur.lastMessageAt,
    ...(cur.lastMessage !== undefined ? { lastMessage: cur.lastMessage } : {}),
    ...(cur.lastCustomerMessageAt !== undefined ? { lastCustomerMessageAt: cur.lastCustomerMessageAt } : {}),
    ...(cur.windowExpiresAt !== undefined ? { windowExpiresAt: cur.windowExpiresAt } : {}),
  };
}

export function upsertConversations(
  list: Conversation[],
  incoming: Conversation[],
  order: (a: Conversation, b: Conversation) => number = byNewest,
): Conversation[] {
  const map = new Map(list.map((c) => [c.id, c]));
  for (const c of incoming) map.set(c.id, newerConversation(map.get(c.id), c));
  return [...map.values()].sort(order);
}

const RANK: Record<MessageStatus, number> = {
  received: 0,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

/** Id of the local bubble shown while an agent's message is being sent. */
export const tempId = (clientId: string) => `~${clientId}`;
export const isTemp = (m: Message) => m.id.startsWith('~');

export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const map = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) {
    if (m.clientId && !isTemp(m)) map.delete(tempId(m.clientId));
    const cur = map.get(m.id);
    // A copy without a media URL (some events) keeps the one we have.
    const media =
      m.media && cur?.media ? { ...cur.media, ...m.media, url: m.media.url ?? cur.media.url } : m.media;
    const merged: Message = { ...cur, ...m, ...(media ? { media } : {}) };
    if (cur && RANK[cur.status] > RANK[m.status]) {
      // A late copy (page or event) of an older state: keep the newer status and its error.
      merged.status = cur.status;
      if (cur.error) merged.error = cur.error;
    }
    map.set(m.id, merged);
  }
  // ULIDs sort by time; local bubbles ('~…') sort after every stored message.
  return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The newest message the server has stored (what `?after=` resumes from). */
export function lastStoredId(list: Message[]): string | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (!isTemp(list[i]!)) return list[i]!.id;
  return undefined;
}

/** Latest reaction of each sender per target wamid (an empty emoji removes it). */
export function reactionsByTarget(list: Message[]): Map<string, string[]> {
  const latest = new Map<string, Map<string, string>>();
  for (const m of list) {
    if (m.type !== 'reaction' || !m.reaction) continue;
    const who = `${m.direction}:${m.sender.id ?? m.sender.type}`;
    const forTarget = latest.get(m.reaction.messageId) ?? new Map<string, string>();
    forTarget.set(who, m.reaction.emoji);
    latest.set(m.reaction.messageId, forTarget);
  }
  const out = new Map<string, string[]>();
  for (const [target, bySender] of latest) {
    const emojis = [...bySender.values()].filter(Boolean);
    if (emojis.length) out.set(target, emojis);
  }
  return out;
}
