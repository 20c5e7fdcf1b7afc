/**
 * An agent's reply (POST /api/conversations/{id}/messages): checked against the 24 h
 * window (WIN-1), stored as a pending outgoing message, and handed to fn outbound through
 * the outbound FIFO queue. The API answers 202 with the stored message; delivery progress
 * reaches the inbox as `message.updated` pushes.
 */
import { checkOutboundUrl, type OutboundPolicy } from '#shared/net/outbound-url.ts';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { assistantOnly } from '#shared/domain/inbox.ts';
import { canSendFreeForm } from '#shared/domain/window.ts';
import { InternalError, NotFoundError, ValidationError, WindowClosedError } from '#shared/errors.ts';
import { emit } from '#shared/events/listeners.ts';
import { enqueueOutbound } from '#shared/contracts/outbound-queue.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { getMessage, putMessageOnce } from '#shared/store/messages.ts';
import { messageSchema, type Message, type MessageSender, type MessageType } from '#shared/store/types.ts';

/** Meta's limits for what an agent types (WhatsApp Cloud API). */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;

export interface QueueAgentMessageDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  outboundQueueUrl?: string;
  /** With these, a stored attachment's message carries a presigned `media.url`. */
  s3?: S3Client;
  mediaBucket?: string;
  /** With it, the account's other agents see the message at once (`message.created`). */
  ws?: ApiGatewayManagementApiClient;
  now: () => number;
  newId: () => string;
  /** The operator's exceptions to the outbound-URL guard (a media link is checked with it). */
  outbound?: OutboundPolicy;
}

export interface AgentMessageInput {
  accountId: string;
  conversationId: string;
  /** Usually `{type: 'agent', id: userId, name}`; the assistant uses `{type: 'assistant'}`. */
  sender: MessageSender;
  text?: string;
  /**
   * Sent as image/audio/video/document/sticker: a file already in the media bucket (`key`,
   * an upload) or a public https URL Meta downloads itself (`link`).
   */
  attachment?: {
    key?: string;
    link?: string;
    mimeType: string;
    filename?: string;
    caption?: string;
    /** An audio recorded as a voice note (Ogg/Opus): sent with `voice: true`. */
    voice?: boolean;
  };
  /** Contact cards (MSG-3): a Cloud API `contacts` message, stored as sent. */
  contacts?: Record<string, unknown>[];
  /** Our id of the message being answered (quoted reply). */
  replyToMessageId?: string;
  /** The client's own id, echoed back so the UI matches its optimistic bubble. */
  clientId?: string;
  /** A WhatsApp interactive object (list or buttons) with `text` as its body: menus. */
  interactive?: Record<string, unknown>;
  /**
   * A message template (MSG-5) with `text` its rendering: allowed outside the 24 h window
   * (WIN-1), sent as the Cloud API `template` object in `send`.
   */
  template?: NonNullable<Message['template']>;
  /** An assistant's reply: its tokens and cost (AI-6). */
  usage?: Message['usage'];
  /**
   * Our id for the message. Automations derive it from the message that caused it, so a
   * redelivered cause stores (and sends) the answer once; agents' sends get a new ULID.
   */
  id?: string;
}

/** A contact message's text (previews, search): the cards' names, as received ones have. */
const contactNames = (cards: Record<string, unknown>[]) =>
  cards
    .map((c) => (c.name as { formatted_name?: string } | undefined)?.formatted_name)
    .filter(Boolean)
    .join(', ');

/** WhatsApp media type of a file, by its MIME type. */
export function mediaTypeOf(mimeType: string): MessageType {
  if (mimeType === 'image/webp') return 'sticker';
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

/**
 * Stores the agent's message (status 'pending', direction 'out') and enqueues
 * `{kind: 'send'}`. Throws NotFoundError (another account's or an unknown conversation or
 * quoted message), ValidationError (empty, too long) or WindowClosedError (409
 * WINDOW_CLOSED: outside the 24 h window only templates may be sent).
 */
export async function queueAgentMessage(
  deps: QueueAgentMessageDeps,
  input: AgentMessageInput,
): Promise<Message> {
  const text = input.text?.trim() ? input.text : undefined;
  const a = input.attachment;
  if (!text && !a && !input.interactive && !input.template && !input.contacts?.length)
    throw new ValidationError('Escreva uma mensagem ou anexe um arquivo.', undefined, 'EMPTY_MESSAGE');
  if (a && !a.key && !a.link)
    throw new ValidationError('O anexo não tem arquivo nem link.', undefined, 'MISSING_MEDIA');
  // Media by link: Meta downloads it, but it must still be https on a public host (400 URL_NOT_ALLOWED).
  if (a?.link && !a.key) await checkOutboundUrl(a.link, deps.outbound);
  const caption = a ? (a.caption ?? text) : undefined;
  if (!a && !input.template && text && text.length > TEXT_MAX)
    throw new ValidationError(`A mensagem passa de ${TEXT_MAX} caracteres.`, undefined, 'TEXT_TOO_LONG');
  if (caption && caption.length > CAPTION_MAX)
    throw new ValidationError(`A legenda passa de ${CAPTION_MAX} caracteres.`, undefined, 'CAPTION_TOO_LONG');

  const now = deps.now();
  const conversation = await getConversationById(
    deps.ddb,
    deps.tableName,
    input.accountId,
    input.conversationId,
  );
  if (!conversation) throw new NotFoundError('Conversa não encontrada.');
  // A "Testar" or API conversation (AI-7) goes nowhere: no window, no queue.
  const test = assistantOnly(conversation.channel);
  if (!test && !deps.outboundQueueUrl)
    throw new InternalError(new Error('OUTBOUND_QUEUE_URL is not configured'));
  if (!test && !input.template && !canSendFreeForm(conversation.windowExpiresAt, now))
    throw new WindowClosedError();

  let replyTo: Message['replyTo'];
  if (input.replyToMessageId) {
    const quoted = await getMessage(
      deps.ddb,
      deps.tableName,
      input.accountId,
      input.conversationId,
      input.replyToMessageId,
    );
    if (!quoted) throw new NotFoundError('Mensagem citada não encontrada.');
    if (quoted.wamid) replyTo = { wamid: quoted.wamid, messageId: quoted.id };
  }

  const type = a
    ? mediaTypeOf(a.mimeType)
    : input.template
      ? 'template'
      : input.interactive
        ? 'interactive'
        : input.contacts?.length
          ? 'contacts'
          : 'text';
  const message = messageSchema.parse({
    id: input.id ?? deps.newId(),
    accountId: input.accountId,
    conversationId: input.conversationId,
    attendanceId: conversation.attendanceId,
    direction: 'out',
    type,
    ...(a
      ? caption
        ? { text: caption }
        : {}
      : type === 'contacts'
        ? { text: contactNames(input.contacts!) }
        : { text }),
    ...(a
      ? {
          media: {
            ...(a.key ? { key: a.key } : {}),
            ...(a.link && !a.key ? { link: a.link } : {}),
            mimeType: a.mimeType,
            ...(a.filename ? { filename: a.filename } : {}),
            ...(caption && type !== 'audio' && type !== 'sticker' ? { caption } : {}),
            ...(a.voice && type === 'audio' ? { voice: true } : {}),
            status: 'stored',
          },
        }
      : {}),
    ...(input.interactive ? { interactive: input.interactive } : {}),
    ...(type === 'contacts' ? { interactive: input.contacts } : {}),
    ...(input.template ? { template: input.template } : {}),
    ...(replyTo ? { replyTo } : {}),
    status: test ? 'sent' : 'pending',
    ...(input.usage ? { usage: input.usage } : {}),
    sender: input.sender,
    ...(input.clientId ? { clientId: input.clientId } : {}),
    createdAt: now,
  });
  const { created } = await putMessageOnce(deps.ddb, deps.tableName, message);
  // Stored first: if the enqueue fails the agent sees an error and the pending message,
  // and a retry of the POST is a new message (the client's clientId tells them apart).
  // A given id stored before is enqueued again (the crash may have come before the
  // enqueue): the queue's deduplication and the sender's status check send it once.
  if (!test)
    await enqueueOutbound(deps.sqs, deps.outboundQueueUrl!, {
      kind: 'send',
      accountId: message.accountId,
      conversationId: message.conversationId,
      messageId: message.id,
    });
  // The account's other agents see it at once (the socket push listener).
  if (created) await emit([{ type: 'message.created', message }], deps);
  return message;
}
