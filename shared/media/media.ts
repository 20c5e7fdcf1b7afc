/**
 * Media of customers' messages: fetched from the Graph API (its URL lives 5 minutes and
 * needs the number's token) and kept in the private media bucket; agents get short-lived
 * presigned URLs. Keys start with the account.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { GraphClient } from '#shared/whatsapp/graph-client.ts';

export const mediaKey = (accountId: string, messageId: string) => `acc/${accountId}/media/${messageId}`;

/** Downloads a WhatsApp media id and stores it; throws (retryable) when Meta fails. */
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

/** A GET URL valid for five minutes. */
export function mediaUrl(s3: S3Client, bucket: string, key: string, expiresIn = 300): Promise<string> {
  return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
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
