/**
 * The agents' live connection: WebSocket with ping, reconnect with backoff, and a
 * callback after each reconnect so the inbox reloads what it missed.
 */
import { getSession, loadConfig } from './api.ts';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'offline';
export interface LiveEvent {
  type: 'message.created' | 'message.updated' | 'conversation.updated';
  conversationId: string;
  message?: unknown;
  conversation?: unknown;
}

export function connectLive(handlers: {
  onEvent: (e: LiveEvent) => void;
  onState: (s: LiveState) => void;
  onReconnected: () => void;
}): { close(): void; reconnectNow(): void } {
  let ws: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let everOpened = false;
  let ping: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = async () => {
    if (closed) return;
    if (!navigator.onLine) {
      handlers.onState('offline');
      timer = setTimeout(open, 3000);
      return;
    }
    const { wsUrl } = await loadConfig();
    const token = getSession()?.accessToken ?? '';
    ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      attempt = 0;
      handlers.onState('open');
      if (everOpened) handlers.onReconnected();
      everOpened = true;
      ping = setInterval(
        () => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ action: 'ping' })),
        30_000,
      );
    };
    ws.onmessage = (m) => {
      try {
        const e = JSON.parse(String(m.data)) as { type: string };
        if (e.type !== 'pong') handlers.onEvent(e as LiveEvent);
      } catch {
        /* ignore non-JSON frames */
      }
    };
    ws.onclose = () => {
      clearInterval(ping);
      if (closed) return;
      handlers.onState(navigator.onLine ? 'reconnecting' : 'offline');
      attempt++;
      timer = setTimeout(open, Math.min(10_000, 250 * 2 ** attempt));
    };
  };
  handlers.onState('connecting');
  void open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(ping);
      ws?.close();
    },
    reconnectNow() {
      clearTimeout(timer);
      if (ws && ws.readyState === WebSocket.OPEN) handlers.onReconnected();
      else void open();
    },
  };
}
