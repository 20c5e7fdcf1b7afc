/** The team page's users, their reset links, and this browser's web-push subscription (shared/api/routes/team.ts). */
import type {
  CreateUserBody,
  Items,
  PasswordResetLink,
  PushKey,
  PushSubscriptionBody,
  UpdateUserBody,
  User,
} from '../api-types.ts';
import { call } from './client.ts';

export const teamApi = {
  users: () => call<Items<User>>('/api/users'),
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
    call<PasswordResetLink>(`/api/users/${encodeURIComponent(id)}/reset-link`, { method: 'POST' }),
  pushKey: () => call<PushKey>('/api/push/key'),
  subscribePush: (sub: PushSubscriptionBody) =>
    call<void>('/api/push/subscriptions', { method: 'POST', body: JSON.stringify(sub) }),
  unsubscribePush: (endpoint: string) =>
    call<void>('/api/push/subscriptions', { method: 'DELETE', body: JSON.stringify({ endpoint }) }),
};
