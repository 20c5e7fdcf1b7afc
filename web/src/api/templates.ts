/**
 * Message templates (MSG-5, WIN-1, INB-12): the account's templates, creating one for
 * Meta's review, syncing with Meta, sending one in a chat, and starting a new chat with one
 * (shared/api/routes/templates.ts).
 */
import type {
  CreateTemplateBody,
  Items,
  Message,
  SendTemplateBody,
  StartConversationBody,
  StartedConversation,
  Template,
  TemplateSync,
} from '../api-types.ts';
import { call } from './client.ts';

export const templatesApi = {
  list: (opts: { numberId?: string; status?: Template['status'] } = {}) => {
    const q = new URLSearchParams();
    if (opts.numberId) q.set('numberId', opts.numberId);
    if (opts.status) q.set('status', opts.status);
    const qs = q.toString();
    return call<Items<Template>>(`/api/templates${qs ? `?${qs}` : ''}`);
  },
  create: (body: CreateTemplateBody) =>
    call<Template>('/api/templates', { method: 'POST', body: JSON.stringify(body) }),
  sync: (numberId?: string) =>
    call<TemplateSync>('/api/templates/sync', {
      method: 'POST',
      body: JSON.stringify(numberId ? { numberId } : {}),
    }),
  /** Sends an approved template in the chat (also with the 24-hour window closed). */
  send: (conversationId: string, body: SendTemplateBody) =>
    call<Message>(`/api/conversations/${encodeURIComponent(conversationId)}/template`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  /** A new chat (INB-12); 409 CONVERSATION_EXISTS when the contact already has one. */
  start: (body: StartConversationBody) =>
    call<StartedConversation>('/api/conversations/start', { method: 'POST', body: JSON.stringify(body) }),
};
