/** Signing in and out, who is signed in, and a reset link's new password (shared/api/routes/auth.ts). */
import type { Me, SessionUser, Tokens } from '../api-types.ts';
import { call, errorOf, getSession, raw, setSession } from './client.ts';

export const authApi = {
  async login(email: string, password: string): Promise<SessionUser> {
    const res = await raw('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
    if (!res.ok) throw await errorOf(res);
    const s = (await res.json()) as Tokens;
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
  /** Public: sets a new password with a reset link's token. */
  async resetPassword(token: string, password: string): Promise<void> {
    const res = await raw('/api/auth/reset-password', {
      method: 'POST',
      body: JSON.stringify({ token, password }),
    });
    if (!res.ok) throw await errorOf(res);
  },
};
