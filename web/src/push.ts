/**
 * Notifications on this device (INB-8): the service worker (public/sw.js) is registered,
 * and on the agent's request the browser subscribes to web push with the deployment's
 * VAPID key; the subscription goes to the API. The server then notifies once per contact
 * until the chat is opened; the worker skips it when the PWA is showing that chat.
 */
import { teamApi } from './api/team.ts';

export type PushState = 'unsupported' | 'off' | 'on' | 'denied' | 'unavailable';

export function registerServiceWorker(): void {
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  return sub ? 'on' : 'off';
}

/** Asks permission, subscribes and tells the server; the state it ended in. */
export async function enablePush(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  const { publicKey } = await teamApi.pushKey();
  if (!publicKey) return 'unavailable';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(publicKey),
  });
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  await teamApi.subscribePush({ endpoint: json.endpoint, keys: json.keys });
  return 'on';
}

export async function disablePush(): Promise<PushState> {
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    await teamApi.unsubscribePush(sub.endpoint).catch(() => undefined);
    await sub.unsubscribe();
  }
  return 'off';
}

/** A tap on a notification while the app is open: the worker asks to open that chat. */
export function onOpenConversationRequest(cb: (conversationId: string) => void): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  const handler = (e: MessageEvent) => {
    const d = e.data as { type?: string; conversationId?: string } | undefined;
    if (d?.type === 'open-conversation' && d.conversationId) cb(d.conversationId);
  };
  navigator.serviceWorker.addEventListener('message', handler);
  return () => navigator.serviceWorker.removeEventListener('message', handler);
}
