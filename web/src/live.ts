/**
 * The agent's live connection: a WebSocket authenticated by the access token (checked
 * once, at connect), a ping every 30 s (API Gateway drops idle connections after 10 min),
 * reconnection with exponential backoff and jitter, and a callback after each
 * reconnection so the inbox reloads what it missed while disconnected.
 */
import { freshAccessToken, loadConfig } from './api/client.ts';
import type { Conversation, KnowledgeDocument, Message } from './api-types.ts';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'offline';

export interface LiveEvent {
  /**
   * `conversation.removed` carries only the id: the chat left this user's sight (moved to
   * a department they are not in), so the inbox drops it. The server sends nothing else of
   * a chat the user may not see.
   */
  type: 'message.created' | 'message.updated' | 'conversation.updated' | 'conversation.removed';
  accountId?: string;
  conversationId: string;
  message?: Message;
  conversation?: Conversation;
  at?: number;
}

/** A knowledge document's ingestion progress (AI-4). */
export interface KnowledgeEvent {
  type: 'knowledge.updated';
  knowledgeBaseId: string;
  document: KnowledgeDocument;
}

export type AnyLiveEvent = LiveEvent | KnowledgeEvent;

const listeners = new Set<(e: AnyLiveEvent) => void>();
/**
 * Every event of the page's live connection, for pages other than the inbox (the AI
 * pages: knowledge progress, the "Testar" conversation). Returns the unsubscribe.
 */
export function onLiveEvent(fn: (e: AnyLiveEvent) => void): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

export interface LiveHandlers {
  onEvent: (e: LiveEvent) => void;
  onState: (s: LiveState) => void;
  /** The connection is back after a drop: whatever happened meanwhile was not pushed. */
  onReconnected: () => void;
  /**
   * A moment after each connect. The push side reads an account's connections at most
   * once a second (shared/push/push.ts), so events of the first second of a connection
   * may not reach it: the inbox catches up quietly once that second has passed.
   */
  onSettled?: () => void;
}

export interface LiveConnection {
  close(): void;
  /** Reconnects now if disconnected (skipping the backoff wait). */
  reconnectNow(): void;
  isOpen(): boolean;
}

const PING_MS = 30_000;
const MAX_BACKOFF_MS = 15_000;
const SETTLE_MS = 1500;

export function backoffMs(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.max(0, attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

export function connectLive(handlers: LiveHandlers): LiveConnection {
  let ws: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let everOpened = false;
  /** Closed before opening, in a row: the token may have been refused. */
  let refusedInARow = 0;
  let ping: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let opening = false;
  let settle: ReturnType<typeof setTimeout> | undefined;

  const schedule = () => {
    clearTimeout(timer);
    attempt++;
    timer = setTimeout(() => void open(), backoffMs(attempt));
  };

  const open = async () => {
    clearTimeout(timer);
    if (closed) return;
    if (opening || (ws && ws.readyState !== WebSocket.CLOSED)) return;
    if (!navigator.onLine) {
      handlers.onState('offline');
      return; // the `online` event reconnects
    }
    let url: string;
    opening = true;
    try {
      const { wsUrl } = await loadConfig();
      const token = await freshAccessToken(refusedInARow >= 2);
      if (!token) return; // signed out
      if (refusedInARow >= 2) refusedInARow = 0;
      url = `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    } catch {
      schedule();
      return;
    } finally {
      opening = false;
    }
    if (closed) return;
    const socket = new WebSocket(url);
    ws = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      attempt = 0;
      refusedInARow = 0;
      handlers.onState('open');
      if (everOpened) handlers.onReconnected();
      everOpened = true;
      clearTimeout(settle);
      settle = setTimeout(() => {
        if (ws === socket && socket.readyState === WebSocket.OPEN) handlers.onSettled?.();
      }, SETTLE_MS);
      clearInterval(ping);
      ping = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: 'ping' }));
      }, PING_MS);
    };
    socket.onmessage = (m) => {
      let frame: { type?: string; events?: { type?: string }[] };
      try {
        frame = JSON.parse(String(m.data)) as typeof frame;
      } catch {
        return; // not an event
      }
      // One push may carry several events (a message and its conversation), in order.
      for (const e of frame.type === 'batch' && Array.isArray(frame.events) ? frame.events : [frame]) {
        if (
          e.type === 'message.created' ||
          e.type === 'message.updated' ||
          e.type === 'conversation.updated' ||
          e.type === 'conversation.removed'
        )
          handlers.onEvent(e as LiveEvent);
        if (
          e.type === 'message.created' ||
          e.type === 'message.updated' ||
          e.type === 'conversation.updated' ||
          e.type === 'knowledge.updated'
        )
          for (const fn of listeners) fn(e as AnyLiveEvent);
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      clearTimeout(settle);
      if (ws === socket) ws = undefined;
      if (closed) return;
      if (!opened) refusedInARow++;
      handlers.onState(!navigator.onLine ? 'offline' : everOpened ? 'reconnecting' : 'connecting');
      if (navigator.onLine) schedule();
    };
  };

  const onOnline = () => {
    attempt = 0;
    void open();
  };
  const onOffline = () => {
    handlers.onState('offline');
    ws?.close();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  handlers.onState('connecting');
  void open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(settle);
      clearInterval(ping);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      ws?.close();
    },
    reconnectNow() {
      attempt = 0;
      void open();
    },
    isOpen: () => ws?.readyState === WebSocket.OPEN,
  };
}
