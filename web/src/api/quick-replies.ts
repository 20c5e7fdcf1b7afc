/** Quick replies (respostas prontas, MSG-7): list, search, CRUD, review (shared/api/routes/quick-replies.ts). */
import type { z } from 'zod';
import type * as s from '../../../shared/api/routes/quick-replies.schemas.ts';
import { call } from './client.ts';

export type QuickReply = z.infer<typeof s.quickReplySchema>;
export type QuickReplyScope = QuickReply['scope'];
export type QuickReplyBody = z.input<typeof s.createQuickReplyBodySchema>;
export type QuickReplyUpdate = z.input<typeof s.updateQuickReplyBodySchema>;

const path = (id: string) => `/api/quick-replies/${encodeURIComponent(id)}`;

export const quickRepliesApi = {
  /** `usable`: the approved ones the user may use (the composer); else all they may see. */
  list: (opts: { usable?: boolean; q?: string } = {}) => {
    const q = new URLSearchParams();
    if (opts.usable) q.set('usable', 'true');
    if (opts.q) q.set('q', opts.q);
    const qs = q.toString();
    return call<{ items: QuickReply[] }>(`/api/quick-replies${qs ? `?${qs}` : ''}`);
  },
  create: (body: QuickReplyBody) =>
    call<QuickReply>('/api/quick-replies', { method: 'POST', body: JSON.stringify(body) }),
  update: (id: string, body: QuickReplyUpdate) =>
    call<QuickReply>(path(id), { method: 'PATCH', body: JSON.stringify(body) }),
  remove: (id: string) => call<void>(path(id), { method: 'DELETE' }),
  approve: (id: string) => call<QuickReply>(`${path(id)}/approve`, { method: 'POST' }),
  reject: (id: string, reason?: string) =>
    call<QuickReply>(`${path(id)}/reject`, {
      method: 'POST',
      body: JSON.stringify(reason ? { reason } : {}),
    }),
};
