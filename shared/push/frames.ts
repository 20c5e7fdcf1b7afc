/**
 * Which frame each WebSocket connection of an account gets for one push (pure). The rule
 * is the inbox's (shared/domain/inbox.ts canSee, the same one that makes a chat a 404 over
 * REST): a connection receives the events of the conversations its user may see, and
 * nothing of the others — every chat of the account by default, only their departments'
 * and those with none under "Setores isolados" without the permission. A chat that just
 * left the user's sight (a transfer to another department, isolated) arrives as
 * `conversation.removed` with only its id, so the inbox drops it.
 * Knowledge progress has no conversation: every user of the account reads knowledge
 * bases over REST, so every connection gets it.
 *
 * Connections that select the same events share one frame, built once.
 */
import { canSee, seesEverything, type Viewer } from '#shared/domain/inbox.ts';
import type { Connection, Conversation, KbDocument, Message } from '#shared/store/types.ts';

/** What visibility reads of a conversation. */
export type ChatVisibility = Pick<Conversation, 'agentId' | 'departmentId'>;

export type PushEvent =
  | {
      type: 'message.created' | 'message.updated' | 'conversation.updated';
      conversationId: string;
      message?: Omit<Message, 'raw'>;
      conversation?: Conversation;
      /**
       * Who held the chat before this change (an assignment, routing): users who could see
       * it then and cannot now get `conversation.removed`. Never sent.
       */
      previous?: ChatVisibility;
    }
  /** A knowledge document's ingestion progress (AI-4). */
  | { type: 'knowledge.updated'; knowledgeBaseId: string; document: KbDocument };

/** The event a connection gets instead of a chat that left its sight. */
export interface RemovedEvent {
  type: 'conversation.removed';
  conversationId: string;
}

export type FrameEvent = Omit<PushEvent, 'previous'> | RemovedEvent;

/**
 * The frame of a list of events: a single event as itself, several (a message and its
 * conversation) as `{type:'batch', events}` — one post per connection either way.
 */
export function pushFrame(accountId: string, events: FrameEvent[], at = Date.now()): string {
  const stamped = events.map((e) => {
    const { previous: _previous, ...rest } = e as FrameEvent & { previous?: unknown };
    return { ...rest, accountId, at };
  });
  return JSON.stringify(
    stamped.length === 1 ? stamped[0] : { type: 'batch', accountId, at, events: stamped },
  );
}

/** The connection's user as the rule sees them; `isolated`: the account's "Setores isolados". */
export const viewerOfConnection = (c: Connection, isolated = false): Viewer | undefined =>
  c.viewer && {
    userId: c.userId,
    role: c.viewer.role,
    departmentIds: c.viewer.departmentIds,
    ...(c.viewer.permissions ? { permissions: c.viewer.permissions } : {}),
    ...(isolated ? { isolated } : {}),
  };

/**
 * The conversations of `events` whose state must be known to filter: the newest copy the
 * push carries, else it is to be read (`missing`). None when every viewer sees all chats
 * (always, unless the account isolates its departments).
 */
export function chatsCarried(
  events: PushEvent[],
  viewers: Viewer[],
): { carried: Map<string, ChatVisibility>; missing: string[] } {
  const carried = new Map<string, ChatVisibility>();
  const ids = new Set<string>();
  for (const e of events) {
    if (e.type === 'knowledge.updated') continue;
    ids.add(e.conversationId);
    if (e.conversation) carried.set(e.conversationId, e.conversation);
  }
  if (viewers.every(seesEverything)) return { carried, missing: [] };
  return { carried, missing: [...ids].filter((id) => !carried.has(id)) };
}

/**
 * The events one viewer receives, as indices into `events` (or `removed:<id>`), in order.
 * `chats` holds each conversation's current state; an unknown one (not found) is seen
 * only by users who see every chat.
 */
export function selectionFor(
  viewer: Viewer,
  events: PushEvent[],
  chats: ReadonlyMap<string, ChatVisibility>,
): string[] {
  const out: string[] = [];
  const removed = new Set<string>();
  events.forEach((e, i) => {
    if (e.type === 'knowledge.updated') {
      out.push(String(i));
      return;
    }
    const chat = chats.get(e.conversationId);
    if (chat ? canSee(viewer, chat) : seesEverything(viewer)) {
      out.push(String(i));
      return;
    }
    if (
      e.type === 'conversation.updated' &&
      e.previous &&
      canSee(viewer, e.previous) &&
      !removed.has(e.conversationId)
    ) {
      removed.add(e.conversationId);
      out.push(`removed:${e.conversationId}`);
    }
  });
  return out;
}

/**
 * The distinct frames of a push and the connections each goes to; connections with
 * nothing to receive, or without a stored viewer, get none. `isolated`: the account's
 * "Setores isolados" setting.
 */
export function selectFrames(
  accountId: string,
  events: PushEvent[],
  connections: Connection[],
  chats: ReadonlyMap<string, ChatVisibility>,
  at = Date.now(),
  isolated = false,
): { frame: string; events: number; connectionIds: string[] }[] {
  const byKey = new Map<string, { frame: string; events: number; connectionIds: string[] }>();
  for (const c of connections) {
    const viewer = viewerOfConnection(c, isolated);
    if (!viewer) continue;
    const selection = selectionFor(viewer, events, chats);
    if (!selection.length) continue;
    const key = selection.join(',');
    let entry = byKey.get(key);
    if (!entry) {
      const chosen: FrameEvent[] = selection.map((s) =>
        s.startsWith('removed:')
          ? { type: 'conversation.removed', conversationId: s.slice('removed:'.length) }
          : events[Number(s)]!,
      );
      entry = { frame: pushFrame(accountId, chosen, at), events: chosen.length, connectionIds: [] };
      byKey.set(key, entry);
    }
    entry.connectionIds.push(c.connectionId);
  }
  return [...byKey.values()];
}
