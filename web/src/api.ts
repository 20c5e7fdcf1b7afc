/**
 * The REST client: where the API is (`/config.json`), the session's tokens, one refresh
 * at a time on 401 (refresh tokens rotate: two concurrent refreshes would revoke each
 * other), and the API's typed calls (see the API contract / GET /api/openapi.json).
 */
export type {
  AiConversationQuery,
  AiConversationRow,
  AiSettings,
  AiSettingsBody,
  Assistant,
  AssistantBody,
  AssistantTool,
  AssistantVariable,
  AssignmentLogEvent,
  Conversation,
  ConversationCounts,
  ConversationQuery,
  ConversationSort,
  ConversationView,
  DeadLetter,
  Department,
  HttpMethod,
  HttpTool,
  HttpToolInput,
  KnowledgeBase,
  KnowledgeDocument,
  KnowledgeHit,
  Me,
  Message,
  MessageStatus,
  MessageType,
  ModelPrice,
  NumberRouting,
  Page,
  Permission,
  Role,
  RouteTarget,
  SessionUser,
  Settings,
  TimeRange,
  TriageMenu,
  TriageOption,
  User,
  VariableType,
  Weekday,
  WhatsAppNumber,
  WorkingHours,
} from './api-types.ts';
import type {
  AiConversationQuery,
  AiConversationRow,
  AiSettings,
  AiSettingsBody,
  Assistant,
  AssistantBody,
  Conversation,
  ConversationCounts,
  ConversationQuery,
  CreateUserBody,
  DeadLetter,
  Department,
  KnowledgeBase,
  KnowledgeDocument,
  KnowledgeHit,
  Me,
  Message,
  Page,
  SessionUser,
  Settings,
  UpdateUserBody,
  Upload,
  User,
  WhatsAppNumber,
} from './api-types.ts';

/** The values the forms offer (the server's schemas hold the same lists). */
export const conversationViews = ['all', 'open', 'mine', 'service'] as const;
export const conversationSorts = ['latest', 'oldest', 'newestOpening', 'oldestOpening'] as const;
export const assistantTools = [
  'transfer_to_human',
  'set_variable',
  'search_knowledge_base',
  'schedule_appointment',
  'http_request',
] as const;
export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const variableTypes = ['text', 'email', 'cpf', 'cnpj', 'phone', 'date'] as const;
export const weekdays = ['0', '1', '2', '3', '4', '5', '6'] as const;

export interface Attachment {
  uploadId: string;
  filename: string;
  mimeType: string;
  caption?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Retry-After of a 429 (login throttling), when the server sent one. */
  retryAfterSeconds?: number;
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
  const err = new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? res.statusText);
  const retry = Number(res.headers.get('retry-after'));
  if (retry > 0) err.retryAfterSeconds = retry;
  return err;
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

/** An authenticated request, refreshing the session once on 401; throws on an error status. */
async function authed(path: string, init: RequestInit = {}): Promise<Response> {
  const token = getSession()?.accessToken;
  let res = await raw(path, init, token);
  if (res.status === 401 && token && (await refreshSession(token))) {
    res = await raw(path, init, getSession()?.accessToken);
    // Refused even with fresh tokens: the user or the account is gone.
    if (res.status === 401) expireSession();
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await authed(path, init);
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
  pushKey: () => call<{ publicKey?: string }>('/api/push/key'),
  subscribePush: (sub: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
    call<void>('/api/push/subscriptions', { method: 'POST', body: JSON.stringify(sub) }),
  unsubscribePush: (endpoint: string) =>
    call<void>('/api/push/subscriptions', { method: 'DELETE', body: JSON.stringify({ endpoint }) }),
  conversations: (query: Partial<ConversationQuery> = {}, cursor?: string, limit = 30) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
    if (cursor) q.set('cursor', cursor);
    return call<Page<Conversation>>(`/api/conversations?${q}`);
  },
  counts: () => call<ConversationCounts>('/api/conversations/counts'),
  campaigns: () => call<{ items: { id: string; name: string }[] }>('/api/campaigns'),
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
  deadLetters: () => call<{ items: DeadLetter[]; truncated: boolean }>('/api/dead-letters'),
  redriveDeadLetter: (d: Pick<DeadLetter, 'queue' | 'id'>) =>
    call<void>(`/api/dead-letters/${d.queue}/${encodeURIComponent(d.id)}/redrive`, { method: 'POST' }),
  discardDeadLetter: (d: Pick<DeadLetter, 'queue' | 'id'>) =>
    call<void>(`/api/dead-letters/${d.queue}/${encodeURIComponent(d.id)}`, { method: 'DELETE' }),
  createUser: (body: CreateUserBody) =>
    call<User>('/api/users', { method: 'POST', body: JSON.stringify(body) }),
  updateUser: (id: string, body: Omit<UpdateUserBody, 'password'>) =>
    call<User>(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify(body) }),
  deactivateUser: (id: string) =>
    call<User>(`/api/users/${encodeURIComponent(id)}/deactivate`, { method: 'POST' }),
  reactivateUser: (id: string) =>
    call<User>(`/api/users/${encodeURIComponent(id)}/reactivate`, { method: 'POST' }),
  deleteUser: (id: string) => call<void>(`/api/users/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** A one-time password-reset token for the user (an hour); the link is /redefinir-senha?token=…. */
  resetLink: (id: string) =>
    call<{ token: string; expiresAt: number }>(`/api/users/${encodeURIComponent(id)}/reset-link`, {
      method: 'POST',
    }),
  /** Public: sets a new password with a reset link's token. */
  async resetPassword(token: string, password: string): Promise<void> {
    const res = await raw('/api/auth/reset-password', {
      method: 'POST',
      body: JSON.stringify({ token, password }),
    });
    if (!res.ok) throw await errorOf(res);
  },
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
  createNumber: (body: Record<string, unknown>) =>
    call<WhatsAppNumber>('/api/numbers', { method: 'POST', body: JSON.stringify(body) }),
  updateNumber: (id: string, body: Record<string, unknown>) =>
    call<WhatsAppNumber>(`/api/numbers/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
    }),
  departments: () => call<{ items: Department[] }>('/api/departments'),
  assistants: () => call<{ items: Assistant[] }>('/api/assistants'),
  createAssistant: (body: AssistantBody) =>
    call<Assistant>('/api/assistants', {
      method: 'POST',
      body: JSON.stringify({ ...body, workingHours: body.workingHours ?? undefined }),
    }),
  updateAssistant: (id: string, body: Partial<AssistantBody>) =>
    call<Assistant>(`/api/assistants/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
    }),
  deleteAssistant: (id: string) =>
    call<void>(`/api/assistants/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  aiSettings: () => call<AiSettings>('/api/ai/settings'),
  updateAiSettings: (body: AiSettingsBody) =>
    call<AiSettings>('/api/ai/settings', { method: 'PATCH', body: JSON.stringify(body) }),
  knowledgeBases: () => call<{ items: KnowledgeBase[] }>('/api/knowledge-bases'),
  createKnowledgeBase: (name: string) =>
    call<KnowledgeBase>('/api/knowledge-bases', { method: 'POST', body: JSON.stringify({ name }) }),
  renameKnowledgeBase: (id: string, name: string) =>
    call<KnowledgeBase>(`/api/knowledge-bases/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name }),
    }),
  deleteKnowledgeBase: (id: string) =>
    call<void>(`/api/knowledge-bases/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  knowledgeDocuments: (id: string) =>
    call<{ items: KnowledgeDocument[] }>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents`),
  addKnowledgeDocument: (
    id: string,
    body: { uploadId: string; filename: string; mimeType: string; size?: number },
  ) =>
    call<KnowledgeDocument>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  deleteKnowledgeDocument: (id: string, docId: string) =>
    call<void>(`/api/knowledge-bases/${encodeURIComponent(id)}/documents/${encodeURIComponent(docId)}`, {
      method: 'DELETE',
    }),
  searchKnowledge: (id: string, q: string) =>
    call<{ items: KnowledgeHit[] }>(
      `/api/knowledge-bases/${encodeURIComponent(id)}/search?q=${encodeURIComponent(q)}`,
    ),
  startTest: (assistantId: string) =>
    call<{ conversation: Conversation }>(`/api/assistants/${encodeURIComponent(assistantId)}/test`, {
      method: 'POST',
      body: '{}',
    }),
  sendTest: (assistantId: string, conversationId: string, text: string) =>
    call<Message>(
      `/api/assistants/${encodeURIComponent(assistantId)}/test/${encodeURIComponent(conversationId)}/messages`,
      { method: 'POST', body: JSON.stringify({ text }) },
    ),
  aiConversations: (query: AiConversationQuery) =>
    call<{ items: AiConversationRow[] }>(`/api/ai/conversations?${aiQuery(query, 'json')}`),
  /** The list as a file (CSV or JSON), fetched with the session (a plain link has no token). */
  async aiConversationsFile(query: AiConversationQuery, format: 'csv' | 'json'): Promise<Blob> {
    const res = await authed(`/api/ai/conversations?${aiQuery(query, format)}`);
    return res.blob();
  },
  settings: () => call<Settings>('/api/settings'),
  updateSettings: (body: Partial<Settings>) =>
    call<Settings>('/api/settings', { method: 'PATCH', body: JSON.stringify(body) }),
  /**
   * Uploads a file for an attachment (or, with purpose `knowledge`, a knowledge-base
   * document): a presigned PUT straight to S3, then its upload id.
   */
  async upload(file: File, opts: { mimeType?: string; purpose?: 'knowledge' } = {}): Promise<Attachment> {
    const mimeType = opts.mimeType ?? (file.type || 'application/octet-stream');
    const up = await call<Upload>('/api/uploads', {
      method: 'POST',
      body: JSON.stringify({
        filename: file.name,
        mimeType,
        size: file.size,
        ...(opts.purpose ? { purpose: opts.purpose } : {}),
      }),
    });
    const put = await fetch(up.uploadUrl, {
      method: 'PUT',
      body: file,
      headers: up.headers ?? { 'content-type': mimeType },
    });
    if (!put.ok) throw new ApiError(put.status, 'UPLOAD_FAILED', put.statusText);
    return { uploadId: up.uploadId, filename: file.name, mimeType };
  },
};

function aiQuery(query: AiConversationQuery, format: 'csv' | 'json'): URLSearchParams {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q;
}
