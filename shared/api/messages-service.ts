/**
 * Messages of a conversation for the inbox (paged, with short-lived media URLs) and an
 * agent's send. Scoped to the caller's account; another account's conversation is a 404.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { InternalError, NotFoundError, WindowClosedError } from '#shared/errors.ts';
import { keys } from '#shared/store/keys.ts';
import { messageSchema, type Message, type MessageType } from '#shared/store/types.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiMessage, SendMessageBody } from './schemas.ts';
import { getConversation, listMessages, type Page } from './inbox-queries.ts';
import { uploadKey } from './uploads-service.ts';

export const MEDIA_URL_TTL_SECONDS = 5 * 60;

const notFound = () => new NotFoundError('Conversa não encontrada.', 'NOT_FOUND');

async function withMediaUrl(deps: ApiDeps, message: Message): Promise<ApiMessage> {
  const { raw: _raw, ...rest } = message;
  if (!message.media?.key || message.media.status !== 'stored' || !deps.mediaBucket) return rest;
  const url = await getSignedUrl(
    deps.s3,
    new GetObjectCommand({ Bucket: deps.mediaBucket, Key: message.media.key }),
    { expiresIn: MEDIA_URL_TTL_SECONDS },
  );
  return { ...rest, media: { ...message.media, url } };
}

export async function listConversationMessages(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  query: { limit: number; cursor?: string; after?: string },
): Promise<Page<ApiMessage>> {
  const conversation = await getConversation(deps.ddb, deps.tableName, auth.accountId, conversationId);
  if (!conversation) throw notFound();
  const page = await listMessages(deps.ddb, deps.tableName, auth.accountId, conversationId, query);
  return { ...page, items: await Promise.all(page.items.map((m) => withMediaUrl(deps, m))) };
}

const typeOf = (mimeType: string): MessageType => {
  if (mimeType === 'image/webp') return 'sticker';
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
};

/**
 * Stores the agent's message as pending and queues it for the outbound function. Outside
 * the 24 h window only templates may be sent: WindowClosedError (409).
 */
export async function sendAgentMessage(
  deps: ApiDeps,
  auth: AccessClaims,
  conversationId: string,
  body: SendMessageBody,
): Promise<ApiMessage> {
  if (!deps.outboundQueueUrl) throw new InternalError(new Error('OUTBOUND_QUEUE_URL is not configured'));
  const now = deps.now();
  const conversation = await getConversation(deps.ddb, deps.tableName, auth.accountId, conversationId);
  if (!conversation) throw notFound();
  if (!conversation.windowExpiresAt || conversation.windowExpiresAt <= now) throw new WindowClosedError();

  let replyTo: Message['replyTo'];
  if (body.replyToMessageId) {
    const res = await deps.ddb.send(
      new GetCommand({
        TableName: deps.tableName,
        Key: keys.message(auth.accountId, conversationId, body.replyToMessageId),
      }),
    );
    const quoted = res.Item ? messageSchema.parse(res.Item) : undefined;
    if (!quoted) throw new NotFoundError('Mensagem citada não encontrada.', 'NOT_FOUND');
    if (quoted.wamid) replyTo = { wamid: quoted.wamid, messageId: quoted.id };
  }

  const id = deps.newId();
  const a = body.attachment;
  const message: Message = messageSchema.parse({
    id,
    accountId: auth.accountId,
    conversationId,
    attendanceId: conversation.attendanceId,
    direction: 'out',
    type: a ? typeOf(a.mimeType) : 'text',
    text: a ? undefined : body.text,
    media: a
      ? {
          key: uploadKey(auth.accountId, a.uploadId),
          mimeType: a.mimeType,
          filename: a.filename,
          caption: a.caption ?? body.text,
          status: 'stored',
        }
      : undefined,
    replyTo,
    status: 'pending',
    sender: { type: 'agent', id: auth.userId },
    clientId: body.clientId,
    createdAt: now,
  });
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: { ...keys.message(auth.accountId, conversationId, id), ...message },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.outboundQueueUrl,
      MessageBody: JSON.stringify({ kind: 'send', accountId: auth.accountId, conversationId, messageId: id }),
      MessageGroupId: conversationId,
      MessageDeduplicationId: id,
    }),
  );
  return withMediaUrl(deps, message);
}
