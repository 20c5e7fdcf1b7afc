/**
 * Media of customers' messages: fetched from the Graph API (GET /<media-id> gives a URL
 * that lives 5 minutes and needs the number's token) and kept in the private media
 * bucket under `acc/<accountId>/media/<messageId>`; agents get short-lived presigned GET
 * URLs. Keys start with the account, like every key in Atende.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Message } from '#shared/store/types.ts';
import type { GraphClient } from '#shared/whatsapp/graph-client.ts';

export const mediaKey = (accountId: string, messageId: string) => `acc/${accountId}/media/${messageId}`;

/** How long a presigned media URL works (the API's contract: 5 minutes). */
export const MEDIA_URL_TTL_SECONDS = 300;

/**
 * Downloads a WhatsApp media id and stores it under `key`. Throws GraphApiError (with
 * `retryable`) when Meta fails; S3 errors throw as they are (worth retrying too).
 */
export async function storeWhatsAppMedia(
  deps: { graph: GraphClient; s3: S3Client; bucket: string },
  token: string,
  mediaId: string,
  key: string,
): Promise<{ mimeType: string; size: number }> {
  const info = await deps.graph.getMediaUrl(mediaId, token);
  const { bytes, mimeType } = await deps.graph.downloadMedia(info.url, token);
  const type = info.mime_type || mimeType;
  await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: key, Body: bytes, ContentType: type }));
  return { mimeType: type, size: bytes.length };
}

/** A presigned GET URL for a stored object (5 minutes unless told otherwise). */
export function mediaUrl(
  s3: S3Client,
  bucket: string,
  key: string,
  expiresIn = MEDIA_URL_TTL_SECONDS,
): Promise<string> {
  return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

/** The message as agents see it: without the raw payload, with `media.url` once stored. */
export async function messageForAgents(
  message: Message,
  media?: { s3: S3Client; bucket?: string },
): Promise<Omit<Message, 'raw'> & { media?: Message['media'] & { url?: string } }> {
  const { raw: _raw, ...rest } = message;
  if (message.media?.link && !message.media.key)
    return { ...rest, media: { ...message.media, url: message.media.link } };
  if (!media?.bucket || message.media?.status !== 'stored' || !message.media.key) return rest;
  return {
    ...rest,
    media: { ...message.media, url: await mediaUrl(media.s3, media.bucket, message.media.key) },
  };
}

/** The same, with the bucket and client of a set of deps (the engine's, the API's, the listeners'). */
export function forAgents(message: Message, deps: { s3?: S3Client; mediaBucket?: string }) {
  return messageForAgents(message, deps.s3 ? { s3: deps.s3, bucket: deps.mediaBucket } : undefined);
}

export async function readMedia(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ bytes: Buffer; mimeType: string }> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    bytes: Buffer.from(await out.Body!.transformToByteArray()),
    mimeType: out.ContentType ?? 'application/octet-stream',
  };
}
