/**
 * The REST client: where the API is (`/config.json`), the session's tokens, one refresh
 * at a time on 401 (refresh tokens rotate: two concurrent refreshes would revoke each
 * other), and the API's typed calls (see the API contract / GET /api/openapi.json).
 */
export interface Conversation {
  id: string;
  numberId?: string;
  contactId?: string;
  contactName: string;
  contactPhone: string;
  numberName: string;
  numberColor: string;
  status: 'open' | 'closed';
  protocol?: string;
  lastMessageAt: number;
  lastCustomerMessageAt?: number;
  windowExpiresAt?: number;
  lastMessage?: { text: string; type: string; direction: string; at: number };
  unread: number;
  departmentId?: string;
  agentId?: string;
  /** Not guaranteed: the UI looks the name up in the users list. */
  agentName?: string;
  routingStage?: 'new' | 'menu' | 'people' | 'assistant';
  bot?: 'running' | 'ended' | 'off';
  /** The chatbot was switched off for this attendance (people hold it). */
  botOff?: boolean;
  answered?: boolean;
  markedUnread?: boolean;
  /** Out of the open lists until then (epoch ms). */
  postponedUntil?: number;
  /** When the current attendance opened (the "abertura" sorts); createdAt otherwise. */
  openedAt?: number;
  createdAt?: number;
}

export const conversationViews = ['all', 'open', 'mine', 'service'] as const;
export type ConversationView = (typeof conversationViews)[number];
export const conversationSorts = ['latest', 'oldest', 'newestOpening', 'oldestOpening'] as const;
export type ConversationSort = (typeof conversationSorts)[number];

/** What the list asks the server for (GET /api/conversations). */
export interface ConversationQuery {
  view: ConversationView;
  sort: ConversationSort;
  departmentId?: string;
  agentId?: string;
  numberId?: string;
  tag?: 'expiring' | 'expired';
  unread?: boolean;
  q?: string;
}

export interface ConversationCounts {
  open: number;
  mine: number;
  service: number;
}

export type Permission = 'seeAllChats' | 'contactNotes' | 'supportCode' | 'approveQuickReplies' | 'settings';
export type Role = 'admin' | 'supervisor' | 'agent';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  departmentIds: string[];
  /** Absent: the role's defaults (shared/domain/inbox.ts roleDefaults). */
  permissions?: Permission[];
}

/** An assignment-log line (a system message with direction 'internal'). */
export type AssignmentLogEvent =
  | { kind: 'agent'; by: string; agentId: string }
  | { kind: 'department'; by: string; departmentId: string }
  | { kind: 'joined'; agentId: string }
  | { kind: 'closed'; by?: string }
  | { kind: 'postponed'; by: string; until: number };

export type RouteTarget =
  | { kind: 'department'; departmentId: string; autoMessage?: string }
  | { kind: 'assistant'; assistantId: string; backupDepartmentId: string };
export interface TriageOption {
  id: string;
  title: string;
  description?: string;
  target: RouteTarget;
}
export interface TriageMenu {
  header?: string;
  body: string;
  footer?: string;
  button: string;
  options: TriageOption[];
  invalidReply?: string;
}
export type NumberRouting =
  | { kind: 'none' }
  | { kind: 'department'; departmentId: string; autoMessage?: string }
  | { kind: 'assistant'; assistantId: string; backupDepartmentId: string }
  | { kind: 'menu'; menu: TriageMenu };
export interface WhatsAppNumber {
  id: string;
  name: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhone: string;
  color: string;
  routing: NumberRouting;
  activeRouting?: { enabled: boolean; departmentId?: string };
  groupMessagesSeconds: number;
  allowlist: string[];
  hasToken: boolean;
  tokenError?: { code: number; message: string; at: number };
  stats: { received: number; sent: number; conversations: number; contacts: number; ignored: number };
}
export interface Department {
  id: string;
  name: string;
}
export interface Assistant {
  id: string;
  name: string;
}
export interface Settings {
  name: string;
  timezone: string;
  inactivityHours: number;
}

export type MessageStatus = 'received' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out' | 'internal';
  type: string;
  text?: string;
  media?: {
    url?: string;
    mimeType: string;
    filename?: string;
    caption?: string;
    voice?: boolean;
    status: 'pending' | 'stored' | 'failed';
  };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  reaction?: { emoji: string; messageId: string };
  replyTo?: { wamid: string; messageId?: string };
  forwarded?: boolean;
  wamid?: string;
  status: MessageStatus;
  error?: { code: number; title: string; message: string; details?: string };
  sender: { type: 'contact' | 'agent' | 'system' | 'assistant'; id?: string; name?: string };
  createdAt: number;
  clientId?: string;
  event?: AssignmentLogEvent;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: string;
  accountId: string;
}

export interface Me extends SessionUser {
  account?: { id: string; name: string; timezone: string };
  departmentIds?: string[];
  /** The effective list. */
  permissions?: Permission[];
}

export interface Attachment {
  uploadId: string;
  filename: string;
  mimeType: string;
  caption?: string;
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
  user: SessionUser;
}

export interface RuntimeConfig {
  apiUrl: string;
  wsUrl: string;
}

let config: Promise<RuntimeConfig> | undefined;
export function loadConfig(): Promise<RuntimeConfig> {
  config ??= fetch('/config.json', { cache: 'no-store' })
    .then((r) => {
      if (!r.ok) throw new Error(`config.json: ${r.status}`);
      return r.json() as Promise<RuntimeConfig>;
    })
    .then((c) => ({ apiUrl: c.apiUrl.replace(/\/$/, ''), wsUrl: c.wsUrl }))
    .catch((err: unknown) => {
      config = undefined; // try again next time
      throw err;
    });
  return config;
}

const SESSION_KEY = 'atende.session';

export function getSession(): Session | undefined {
  const raw = localStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return undefined;
  }
}

function setSession(s: Session | undefined) {
  if (s) localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else localStorage.removeItem(SESSION_KEY);
}

const expiredListeners = new Set<() => void>();
/** Called when the session cannot be refreshed any more (the app goes back to the login page). */
export function onSessionExpired(cb: () => void): () => void {
  expiredListeners.add(cb);
  return () => expiredListeners.delete(cb);
}
function expireSession() {
  setSession(undefined);
  for (const cb of expiredListeners) cb();
}

async function raw(path: string, init: RequestInit = {}, token?: string): Promise<Response> {
  const { apiUrl } = await loadConfig();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${apiUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? res.statusText);
}

let refreshing: Promise<boolean> | undefined;

/**
 * Exchanges the refresh token for new tokens, once even if many calls ask at the same
 * time. `staleAccessToken` is the token that was refused: if another tab or call already
 * replaced it, there is nothing to do.
 */
export function refreshSession(staleAccessToken?: string): Promise<boolean> {
  const s = getSession();
  if (!s) return Promise.resolve(false);
  if (staleAccessToken && s.accessToken !== staleAccessToken) return Promise.resolve(true);
  refreshing ??= (async () => {
    try {
      const res = await raw('/api/auth/refresh', {
        method: 'POST',
        body: JSON.stringify({ refreshToken: s.refreshToken }),
      });
      if (res.ok) {
        setSession((await res.json()) as Session);
        return true;
      }
      // Another tab may have rotated the refresh token meanwhile: its session is ours too.
      const now = getSession();
      if (now && now.refreshToken !== s.refreshToken) return true;
      if (res.status === 400 || res.status === 401) expireSession();
      return false;
    } catch {
      return false; // network: keep the session, try again later
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Seconds left of a JWT (0 when unreadable). */
function secondsLeft(jwt: string): number {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: number;
    };
    return payload.exp ? payload.exp - Date.now() / 1000 : 0;
  } catch {
    return 0;
  }
}

/** An access token valid for at least another minute (the WebSocket checks it once, at connect). */
export async function freshAccessToken(force = false): Promise<string | undefined> {
  const s = getSession();
  if (!s) return undefined;
  if (force || secondsLeft(s.accessToken) < 60) await refreshSession(s.accessToken);
  return getSession()?.accessToken;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = getSession()?.accessToken;
  let res = await raw(path, init, token);
  if (res.status === 401 && token && (await refreshSession(token))) {
    res = await raw(path, init, getSession()?.accessToken);
    // Refused even with fresh tokens: the user or the account is gone.
    if (res.status === 401) expireSession();
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  async login(email: string, password: string): Promise<SessionUser> {
    const res = await raw('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
    if (!res.ok) throw await errorOf(res);
    const s = (await res.json()) as Session;
    setSession(s);
    return s.user;
  },
  async logout(): Promise<void> {
    const s = getSession();
    setSession(undefined);
    if (s)
      await raw(
        '/api/auth/logout',
        { method: 'POST', body: JSON.stringify({ refreshToken: s.refreshToken }) },
        s.accessToken,
      ).catch(() => {});
  },
  me: () => call<Me>('/api/me'),
  conversations: (query: Partial<ConversationQuery> = {}, cursor?: string, limit = 30) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
    if (cursor) q.set('cursor', cursor);
    return call<Page<Conversation>>(`/api/conversations?${q}`);
  },
  counts: () => call<ConversationCounts>('/api/conversations/counts'),
  conversation: (id: string) => call<Conversation>(`/api/conversations/${encodeURIComponent(id)}`),
  assign: (id: string, body: { agentId: string; confirmReplace?: boolean } | { departmentId: string }) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/assign`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  close: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', body: '{}' }),
  markUnread: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/unread`, { method: 'POST', body: '{}' }),
  setAnswered: (id: string, answered: boolean) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/answered`, {
      method: 'POST',
      body: JSON.stringify({ answered }),
    }),
  postpone: (id: string, until: number) =>
    call<{ conversation: Conversation; warnWindow: boolean }>(
      `/api/conversations/${encodeURIComponent(id)}/postpone`,
      { method: 'POST', body: JSON.stringify({ until }) },
    ),
  reactivateBot: (id: string) =>
    call<Conversation>(`/api/conversations/${encodeURIComponent(id)}/bot`, { method: 'POST', body: '{}' }),
  searchMessages: (id: string, q: string) =>
    call<{ items: { id: string; text: string; createdAt: number }[] }>(
      `/api/conversations/${encodeURIComponent(id)}/search?q=${encodeURIComponent(q)}`,
    ),
  users: () => call<{ items: User[] }>('/api/users'),
  createUser: (body: Omit<User, 'id'> & { password: string; permissions: Permission[] }) =>
    call<User>('/api/users', { method: 'POST', body: JSON.stringify(body) }),
  updateUser: (id: string, body: Partial<Pick<User, 'name' | 'role' | 'departmentIds' | 'permissions'>>) =>
    call<User>(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify(body) }),
  createDepartment: (name: string) =>
    call<Department>('/api/departments', { method: 'POST', body: JSON.stringify({ name }) }),
  renameDepartment: (id: string, name: string) =>
    call<Department>(`/api/departments/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name }),
    }),
  messages: (id: string, opts: { cursor?: string; after?: string } = {}) => {
    const q = new URLSearchParams({ limit: '50' });
    if (opts.cursor) q.set('cursor', opts.cursor);
    if (opts.after) q.set('after', opts.after);
    return call<Page<Message>>(`/api/conversations/${encodeURIComponent(id)}/messages?${q}`);
  },
  send: (
    id: string,
    body: {
      text?: string;
      replyToMessageId?: string;
      clientId: string;
      attachment?: Attachment;
      internal?: boolean;
    },
  ) =>
    call<Message>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  markRead: (id: string) =>
    call<unknown>(`/api/conversations/${encodeURIComponent(id)}/read`, { method: 'POST', body: '{}' }),
  numbers: () => call<{ items: WhatsAppNumber[] }>('/api/numbers'),
  updateNumber: (id: string, body: Record<string, unknown>) =>
    call<WhatsAppNumber>(`/api/numbers/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
    }),
  departments: () => call<{ items: Department[] }>('/api/departments'),
  assistants: () => call<{ items: Assistant[] }>('/api/assistants'),
  settings: () => call<Settings>('/api/settings'),
  updateSettings: (body: Partial<Settings>) =>
    call<Settings>('/api/settings', { method: 'PATCH', body: JSON.stringify(body) }),
  /** Uploads a file for an attachment: a presigned PUT straight to S3, then its upload id. */
  async upload(file: File): Promise<Attachment> {
    const mimeType = file.type || 'application/octet-stream';
    const up = await call<{ uploadId: string; uploadUrl: string; headers?: Record<string, string> }>(
      '/api/uploads',
      { method: 'POST', body: JSON.stringify({ filename: file.name, mimeType, size: file.size }) },
    );
    const put = await fetch(up.uploadUrl, {
      method: 'PUT',
      body: file,
      headers: up.headers ?? { 'content-type': mimeType },
    });
    if (!put.ok) throw new ApiError(put.status, 'UPLOAD_FAILED', put.statusText);
    return { uploadId: up.uploadId, filename: file.name, mimeType };
  },
};
