/**
 * Messages of a conversation for the inbox (paged, with short-lived media URLs) and an
 * agent's send. Scoped to the caller's account; another account's conversation is a 404.
 */
import { messageForAgents } from '#shared/media/media.ts';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { NotFoundError } from '#shared/errors.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import type { Message } from '#shared/store/types.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiMessage, SendMessageBody } from './schemas.ts';
import { listMessages, type Page } from './inbox-queries.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { uploadKey } from './uploads-service.ts';

const notFound = () => new NotFoundError('Conversa não encontrada.', 'NOT_FOUND');

/** Without the raw payload; stored media with a 5-minute presigned URL, linked media with its link. */
const withMediaUrl = (deps: ApiDeps, message: Message): Promise<ApiMessage> =>
  messageForAgents(message, { s3: deps.s3, bucket: deps.mediaBucket });

export async function listConversationMessages(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  query: { limit: number; cursor?: string; after?: string },
): Promise<Page<ApiMessage>> {
  const conversation = await getConversationById(deps.ddb, deps.tableName, auth.accountId, conversationId);
  if (!conversation) throw notFound();
  const page = await listMessages(deps.ddb, deps.tableName, auth.accountId, conversationId, query);
  return { ...page, items: await Promise.all(page.items.map((m) => withMediaUrl(deps, m))) };
}

/**
 * Stores the agent's message as pending and queues it for the outbound function
 * (queueAgentMessage). Outside the 24 h window only templates may be sent: WindowClosedError (409).
 */
export async function sendAgentMessage(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  body: SendMessageBody,
): Promise<ApiMessage> {
  const a = body.attachment;
  const message = await queueAgentMessage(deps, {
    accountId: auth.accountId,
    conversationId,
    sender: { type: 'agent', id: auth.userId },
    ...(body.text !== undefined ? { text: body.text } : {}),
    ...(a
      ? {
          attachment: {
            ...('uploadId' in a ? { key: uploadKey(auth.accountId, a.uploadId) } : { link: a.link }),
            mimeType: a.mimeType,
            ...(a.filename ? { filename: a.filename } : {}),
            ...(a.caption !== undefined ? { caption: a.caption } : {}),
          },
        }
      : {}),
    ...(body.replyToMessageId ? { replyToMessageId: body.replyToMessageId } : {}),
    ...(body.clientId ? { clientId: body.clientId } : {}),
  });
  return withMediaUrl(deps, message);
}
