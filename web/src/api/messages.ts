/**
 * A conversation's messages: its pages (older with `cursor`, newer with `after`), sending,
 * the search inside it, and uploads — attachments, and knowledge-base documents
 * (shared/api/routes/messages.ts).
 */
import type {
  Attachment,
  Items,
  Message,
  MessagePage,
  MessageSearchHit,
  SendMessageBody,
  Upload,
  UploadBody,
} from '../api-types.ts';
import { ApiError, call } from './client.ts';

export const messagesApi = {
  messages: (id: string, opts: { cursor?: string; after?: string } = {}) => {
    const q = new URLSearchParams({ limit: '50' });
    if (opts.cursor) q.set('cursor', opts.cursor);
    if (opts.after) q.set('after', opts.after);
    return call<MessagePage>(`/api/conversations/${encodeURIComponent(id)}/messages?${q}`);
  },
  send: (id: string, body: SendMessageBody & { clientId: string }) =>
    call<Message>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  searchMessages: (id: string, q: string) =>
    call<Items<MessageSearchHit>>(
      `/api/conversations/${encodeURIComponent(id)}/search?q=${encodeURIComponent(q)}`,
    ),
  /**
   * Uploads a file for an attachment (or, with purpose `knowledge`, a knowledge-base
   * document): a presigned PUT straight to S3, then its upload id.
   */
  async upload(
    file: File,
    opts: { mimeType?: string; purpose?: Extract<UploadBody['purpose'], 'knowledge'> } = {},
  ): Promise<Attachment> {
    const mimeType = opts.mimeType ?? (file.type || 'application/octet-stream');
    const body: UploadBody = {
      filename: file.name,
      mimeType,
      size: file.size,
      ...(opts.purpose ? { purpose: opts.purpose } : {}),
    };
    const up = await call<Upload>('/api/uploads', { method: 'POST', body: JSON.stringify(body) });
    const put = await fetch(up.uploadUrl, {
      method: 'PUT',
      body: file,
      headers: up.headers ?? { 'content-type': mimeType },
    });
    if (!put.ok) throw new ApiError(put.status, 'UPLOAD_FAILED', put.statusText);
    return { uploadId: up.uploadId, filename: file.name, mimeType };
  },
};
