/*
 * Atende's service worker (INB-8): shows web-push notifications of customers' messages and
 * opens the chat when one is tapped. The server sends one notification per contact until
 * the agent opens the chat; here it is skipped when the PWA is showing the Chat page (the
 * inbox, any chat or none: the reference's rule), not when it is on another page.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Atende', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      const onChatPage = (url) => {
        const path = new URL(url).pathname;
        return path === '/' || path.startsWith('/conversas');
      };
      const showing = clients.some((c) => c.visibilityState === 'visible' && onChatPage(c.url));
      if (showing) return undefined;
      return self.registration.showNotification(data.title || 'Atende', {
        body: data.body || '',
        icon: '/icon.svg',
        badge: '/icon.svg',
        tag: data.conversationId || 'atende',
        data: { conversationId: data.conversationId },
      });
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const id = event.notification.data && event.notification.data.conversationId;
  const url = id ? `/?conversation=${encodeURIComponent(id)}` : '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      const open = clients.find((c) => 'focus' in c);
      if (open) {
        open.postMessage({ type: 'open-conversation', conversationId: id });
        return open.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
