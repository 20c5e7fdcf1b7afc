/**
 * Messages of a conversation for the inbox (paged, with short-lived media URLs) and an
 * agent's send. Scoped to the caller's account; another account's conversation is a 404.
 */
import { messageForAgents } from '#shared/media/media.ts';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { queueAgentMessage } from '#shared/outbound/queue-agent-message.ts';
import type { Message } from '#shared/store/types.ts';
import type { ApiDeps } from './api-deps.ts';
import type { ApiMessage, SendMessageBody } from './routes/messages.schemas.ts';
import { listMessages, type Page } from './inbox-queries.ts';
import { internalText } from '#shared/domain/inbox.ts';
import { canSendFreeForm } from '#shared/domain/window.ts';
import { ValidationError } from '#shared/errors.ts';
import { emit } from '#shared/events/listeners.ts';
import { putMessageOnce } from '#shared/store/messages.ts';
import { messageSchema, type Conversation, type User } from '#shared/store/types.ts';
import { afterAgentReply, visibleConversation } from './conversations-service.ts';
import { uploadKey } from './uploads-service.ts';
import { renderMessageVariables } from './message-variables.ts';

/** Without the raw payload; stored media with a 5-minute presigned URL, linked media with its link. */
const withMediaUrl = (deps: ApiDeps, message: Message): Promise<ApiMessage> =>
  messageForAgents(message, { s3: deps.s3, bucket: deps.mediaBucket });

export async function listConversationMessages(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  query: { limit: number; cursor?: string; after?: string },
): Promise<Page<ApiMessage>> {
  await visibleConversation(deps, auth, conversationId);
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
  const { conversation, user } = await visibleConversation(deps, auth, conversationId);
  const note = body.text !== undefined ? internalText(body.text) : undefined;
  if (body.internal || note !== undefined) {
    if (body.attachment)
      throw new ValidationError('Notas internas são só texto.', undefined, 'INTERNAL_WITH_ATTACHMENT');
    return addInternalNote(deps, conversation, user, (note ?? body.text ?? '').trim(), body.clientId);
  }
  const a = body.attachment;
  // MSG-2: {nome}, {protocolo}… are rendered here, so the customer and the chat get the same text.
  const text = await renderMessageVariables(deps, conversation, user.name, body.text);
  const caption = await renderMessageVariables(deps, conversation, user.name, a?.caption);
  // An unassigned chat becomes the answerer's first, so "X entrou na conversa" comes before
  // X's reply in the chat; only when the reply can go (the window is open), so a refused
  // send takes nothing.
  const joinsFirst = !conversation.agentId && canSendFreeForm(conversation.windowExpiresAt, deps.now());
  if (joinsFirst) await afterAgentReply(deps, conversation, auth.userId);
  const message = await queueAgentMessage(deps, {
    accountId: auth.accountId,
    conversationId,
    sender: { type: 'agent', id: auth.userId, name: user.name },
    ...(text !== undefined ? { text } : {}),
    ...(a
      ? {
          attachment: {
            ...('uploadId' in a ? { key: uploadKey(auth.accountId, a.uploadId) } : { link: a.link }),
            mimeType: a.mimeType,
            ...(a.filename ? { filename: a.filename } : {}),
            ...(caption !== undefined ? { caption } : {}),
            ...('voice' in a && a.voice ? { voice: true } : {}),
          },
        }
      : {}),
    ...(body.contacts ? { contacts: body.contacts } : {}),
    ...(body.replyToMessageId ? { replyToMessageId: body.replyToMessageId } : {}),
    ...(body.clientId ? { clientId: body.clientId } : {}),
  });
  if (!joinsFirst) await afterAgentReply(deps, conversation, auth.userId);
  return withMediaUrl(deps, message);
}

/**
 * MSG-4: a note for the agents, stored as an internal message: never queued to WhatsApp,
 * so the 24 h window does not apply. Other agents see it at once.
 */
async function addInternalNote(
  deps: ApiDeps,
  conversation: Conversation,
  user: User,
  text: string,
  clientId?: string,
): Promise<ApiMessage> {
  if (!text) throw new ValidationError('Escreva a nota interna.', undefined, 'EMPTY_MESSAGE');
  const message = messageSchema.parse({
    id: deps.newId(),
    accountId: conversation.accountId,
    conversationId: conversation.id,
    ...(conversation.attendanceId ? { attendanceId: conversation.attendanceId } : {}),
    direction: 'internal',
    type: 'text',
    text,
    status: 'received',
    sender: { type: 'agent', id: user.id, name: user.name },
    ...(clientId ? { clientId } : {}),
    createdAt: deps.now(),
  });
  await putMessageOnce(deps.ddb, deps.tableName, message);
  await emit([{ type: 'message.created', message }], deps);
  return message;
}
