/**
 * The fetch core every resource module (web/src/api/<resource>.ts) calls through: where the
 * API is (`/config.json`), the session's tokens, one refresh at a time on 401 (refresh
 * tokens rotate: two concurrent refreshes would revoke each other), and the error the
 * pages read (ApiError). The request and response types are the server's schemas'
 * (web/src/api-types.ts).
 */
import type { Tokens } from '../api-types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Retry-After of a 429 (login throttling), when the server sent one. */
  retryAfterSeconds?: number;
  /** Each problem of a refused request (a form's fields; CONVERSATION_EXISTS's id), when sent. */
  issues?: { path: string; message: string }[];
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What is kept of a login or refresh answer. */
export type Session = Pick<Tokens, 'accessToken' | 'refreshToken' | 'user'>;

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

export function setSession(s: Session | undefined) {
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

/** A request without the refresh-on-401 (login, logout, refresh itself, reset password). */
export async function raw(path: string, init: RequestInit = {}, token?: string): Promise<Response> {
  const { apiUrl } = await loadConfig();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${apiUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
}

export async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; issues?: { path: string; message: string }[] };
  };
  const err = new ApiError(res.status, body.error?.code ?? 'ERROR', body.error?.message ?? res.statusText);
  if (Array.isArray(body.error?.issues)) err.issues = body.error.issues;
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
        setSession((await res.json()) as Tokens);
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
export async function authed(path: string, init: RequestInit = {}): Promise<Response> {
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

/** An authenticated JSON call: the response's body (undefined for a 204). */
export async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await authed(path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
