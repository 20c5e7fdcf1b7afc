/**
 * What happened, as the actions record it (shared/events/emit.ts runs the listeners of
 * shared/events/listeners.ts after the state change is committed). An event carries the
 * state after the change (and before it, where a listener needs the difference), never a
 * request to do something: what follows from it is the listeners' business.
 *
 * The list, who emits each event and who listens: docs/architecture.md, "Domain events".
 */
import type { AssignmentLog } from '#shared/domain/inbox.ts';
import type { Conversation, KbDocument, Message } from '#shared/store/types.ts';

/** A customer's message was stored (and its conversation updated, when this run did it). */
export interface MessageReceived {
  type: 'message.received';
  message: Message;
  /** The conversation after this message; absent when an earlier run already applied it. */
  conversation?: Conversation;
}

/** A message changed: a delivery status, its media stored or failed, a send settled. */
export interface MessageUpdated {
  type: 'message.updated';
  message: Message;
}

/**
 * A message of ours was stored (not a customer's: `message.received`): an agent's or an
 * automation's reply queued for WhatsApp, an agent's internal note, an assistant's
 * tool-call record or hand-over note. Emitted once, by the run that stored it.
 */
export interface MessageCreated {
  type: 'message.created';
  message: Message;
}

/** A line of the chat's own log (assignment, transfer, postponement, close) was written. */
export interface MessageLogged {
  type: 'message.logged';
  message: Message;
}

/**
 * A customer's message went through routing and the conversation's inbox bucket follows
 * its state: emitted on every run that gets there (redeliveries included), so what
 * follows from it (the attendance's timers, the agents' phones) must be idempotent.
 */
export interface MessageRouted {
  type: 'message.routed';
  message: Message;
  conversation: Conversation;
}

/** A customer's message opened an attendance (a new contact, or a closed conversation). */
export interface ConversationOpened {
  type: 'conversation.opened';
  conversation: Conversation;
  /** The contact was created by this message. */
  newContact: boolean;
}

/** Any other change of a conversation's state agents see (routing, flags, the clock's markers). */
export interface ConversationUpdated {
  type: 'conversation.updated';
  conversation: Conversation;
  /** The state before, when agents who saw it may no longer see it (routing to a department). */
  previous?: Conversation;
}

/** An agent took the chat, or was given it. */
export interface ConversationAssigned {
  type: 'conversation.assigned';
  conversation: Conversation;
  previous: Conversation;
  /** The chat log's line, when the assignment changed who holds the chat. */
  log?: AssignmentLog;
}

/** The chat was given to a department. */
export interface ConversationTransferred {
  type: 'conversation.transferred';
  conversation: Conversation;
  previous: Conversation;
  log?: AssignmentLog;
}

/** Out of the open lists until `until` (INB-9). */
export interface ConversationPostponed {
  type: 'conversation.postponed';
  conversation: Conversation;
  until: number;
  by: string;
}

/** A postponed chat's time came (fn timers): back in the open lists (INB-9). */
export interface ConversationUnpostponed {
  type: 'conversation.unpostponed';
  conversation: Conversation;
}

/** The attendance ended. */
export interface ConversationClosed {
  type: 'conversation.closed';
  conversation: Conversation;
  /** The conversation as it was before the close (its attendance, for the log line). */
  previous: Conversation;
  reason: 'agent' | 'inactivity';
  /** The agent who closed it (none: fn timers, after the account's inactivity period). */
  by?: string;
}

/** A knowledge document's ingestion moved (queued, progress, ready, failed: AI-4). */
export interface KnowledgeDocumentUpdated {
  type: 'knowledge.updated';
  document: KbDocument;
}

export type DomainEvent =
  | MessageReceived
  | MessageUpdated
  | MessageCreated
  | MessageLogged
  | MessageRouted
  | ConversationOpened
  | ConversationUpdated
  | ConversationAssigned
  | ConversationTransferred
  | ConversationPostponed
  | ConversationUnpostponed
  | ConversationClosed
  | KnowledgeDocumentUpdated;

export type DomainEventType = DomainEvent['type'];

/** The account an event belongs to. */
export const accountOf = (e: DomainEvent): string =>
  'message' in e ? e.message.accountId : 'document' in e ? e.document.accountId : e.conversation.accountId;
