/** The REST client: tokens, refresh on 401, and the API's typed calls. */
export interface Conversation {
  id: string;
  contactName: string;
  contactPhone: string;
  numberName: string;
  numberColor: string;
  status: 'open' | 'closed';
  protocol?: string;
  lastMessageAt: number;
  windowExpiresAt?: number;
  lastMessage?: { text: string; type: string; direction: string; at: number };
  unread: number;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out' | 'internal';
  type: string;
  text?: string;
  media?: { url?: string; mimeType: string; filename?: string; caption?: string; status: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  replyTo?: { wamid: string; messageId?: string };
  wamid?: string;
  status: 'received' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  error?: { code: number; title: string; message: string; details?: string };
  sender: { type: string; id?: string; name?: string };
  createdAt: number;
  clientId?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; name: string; email: string; role: string; accountId: string };
}

let config: { apiUrl: string; wsUrl: string } | undefined;
export async function loadConfig() {
  config ??= (await (await fetch('/config.json')).json()) as { apiUrl: string; wsUrl: string };
  return config;
}

export function getSession(): Session | undefined {
  const raw = localStorage.getItem('atende.session');
  return raw ? (JSON.parse(raw) as Session) : undefined;
}
function setSession(s: Session | undefined) {
  if (s) localStorage.setItem('atende.session', JSON.stringify(s));
  else localStorage.removeItem('atende.session');
}

async function raw(path: string, init: RequestInit = {}, auth = true): Promise<Response> {
  const { apiUrl } = await loadConfig();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const s = getSession();
  if (auth && s) headers.authorization = `Bearer ${s.accessToken}`;
  return fetch(`${apiUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
}

async function refresh(): Promise<boolean> {
  const s = getSession();
  if (!s) return false;
  const res = await raw(
    '/api/auth/refresh',
    { method: 'POST', body: JSON.stringify({ refreshToken: s.refreshToken }) },
    false,
  );
  if (!res.ok) {
    setSession(undefined);
    return false;
  }
  setSession((await res.json()) as Session);
  return true;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res = await raw(path, init);
  if (res.status === 401 && (await refresh())) res = await raw(path, init);
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok)
    throw new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? res.statusText);
  return body as T;
}

export const api = {
  async login(email: string, password: string): Promise<Session> {
    const res = await raw(
      '/api/auth/login',
      { method: 'POST', body: JSON.stringify({ email, password }) },
      false,
    );
    const body = (await res.json()) as Session & { error?: { code: string; message: string } };
    if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? '');
    setSession(body);
    return body;
  },
  async logout() {
    const s = getSession();
    if (s)
      await raw('/api/auth/logout', {
        method: 'POST',
        body: JSON.stringify({ refreshToken: s.refreshToken }),
      }).catch(() => {});
    setSession(undefined);
  },
  conversations: (cursor?: string) =>
    call<Page<Conversation>>(
      `/api/conversations?limit=30${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  messages: (id: string, opts: { cursor?: string; after?: string } = {}) => {
    const q = new URLSearchParams({ limit: '50' });
    if (opts.cursor) q.set('cursor', opts.cursor);
    if (opts.after) q.set('after', opts.after);
    return call<Page<Message>>(`/api/conversations/${encodeURIComponent(id)}/messages?${q}`);
  },
  send: (
    id: string,
    body: { text?: string; replyToMessageId?: string; clientId: string; attachment?: unknown },
  ) =>
    call<Message>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  markRead: (id: string) =>
    call<unknown>(`/api/conversations/${encodeURIComponent(id)}/read`, { method: 'POST', body: '{}' }),
  upload: (file: File) =>
    call<{ uploadId: string; uploadUrl: string; headers?: Record<string, string> }>('/api/uploads', {
      method: 'POST',
      body: JSON.stringify({
        filename: file.name,
        mimeType: file.type || 'application/octet-stream',
        size: file.size,
      }),
    }),
};
