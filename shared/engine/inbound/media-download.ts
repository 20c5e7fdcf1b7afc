import { topology } from '#infra/topology.ts';
import { mediaKey, storeWhatsAppMedia } from '#shared/media/media.ts';
import { setMessageMedia } from '#shared/store/messages.ts';
import type { Message, WhatsAppNumber } from '#shared/store/types.ts';
import { GraphApiError } from '#shared/whatsapp/graph-client.ts';
import { tokenFor, type EngineDeps } from '../engine-deps.ts';

/**
 * From this receive on, a failing media download is recorded as failed instead of being
 * retried: one receive before the queue would move the item to its dead-letter queue.
 */
export const MEDIA_GIVE_UP_AFTER = topology.queues.inbound.maxReceiveCount - 1;

/**
 * Downloads the media into the bucket. A retryable failure throws (the item comes back and
 * only this step has work left) until the last receives, when the message keeps a visible
 * 'failed' media with the reason; Meta's permanent errors (e.g. an expired media id) fail at once.
 */
export async function fetchMedia(
  number: WhatsAppNumber,
  message: Message,
  mediaId: string,
  deps: EngineDeps,
): Promise<Message> {
  const pending = message.media!;
  try {
    if (!deps.mediaBucket) throw new Error('MEDIA_BUCKET is not configured');
    if (!mediaId)
      throw new GraphApiError({
        httpStatus: 400,
        code: 100,
        title: 'No media id',
        message: 'Meta sent no media id',
      });
    const stored = await storeWhatsAppMedia(
      { graph: deps.graph, s3: deps.s3, bucket: deps.mediaBucket },
      await tokenFor(number, deps),
      mediaId,
      pending.key ?? mediaKey(message.accountId, message.id),
    );
    return await setMessageMedia(deps.ddb, deps.tableName, message, {
      ...pending,
      key: pending.key ?? mediaKey(message.accountId, message.id),
      mimeType: stored.mimeType,
      status: 'stored',
    });
  } catch (err) {
    const retryable = !(err instanceof GraphApiError) || err.retryable;
    const receive = deps.receiveCount ?? 1;
    deps.log('warn', 'media download failed', {
      accountId: message.accountId,
      messageId: message.id,
      receive,
      retryable,
      error: (err as Error).message,
    });
    if (retryable && !(deps.lastAttempt ?? receive >= MEDIA_GIVE_UP_AFTER)) throw err;
    return setMessageMedia(deps.ddb, deps.tableName, message, {
      ...pending,
      status: 'failed',
      error: (err as Error).message.slice(0, 300),
    });
  }
}
