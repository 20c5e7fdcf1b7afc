/**
 * Attachments go from the browser straight to S3 with a presigned PUT (no file passes
 * through the API). The key is derived from the caller's account and a fresh ULID, so a
 * later send with that upload id can only ever point inside the caller's account.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { InternalError, PayloadTooLargeError, ValidationError } from '#shared/errors.ts';
import type { ApiDeps } from './api-deps.ts';

export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

const MB = 1024 * 1024;

/** Media types WhatsApp accepts and its size limit for each family (Cloud API docs). */
const limits: { test: RegExp; maxBytes: number }[] = [
  { test: /^image\/(jpeg|png)$/, maxBytes: 5 * MB },
  { test: /^image\/webp$/, maxBytes: 500 * 1024 },
  { test: /^video\/(mp4|3gpp)$/, maxBytes: 16 * MB },
  { test: /^audio\/(aac|amr|mpeg|mp4|ogg)$/, maxBytes: 16 * MB },
  {
    test: /^(text\/plain|application\/(pdf|msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.openxmlformats-officedocument\.(wordprocessingml\.document|spreadsheetml\.sheet|presentationml\.presentation)))$/,
    maxBytes: 100 * MB,
  },
];

/** The S3 key of an upload: always under the account's prefix. */
export const uploadKey = (accountId: string, uploadId: string) => `acc/${accountId}/uploads/${uploadId}`;

/** Knowledge-base documents (AI-4): text, markdown and PDF. */
const knowledgeLimits = [{ test: /^(text\/plain|text\/markdown|application\/pdf)$/, maxBytes: 50 * MB }];

export async function createUpload(
  deps: ApiDeps,
  auth: AccessClaims,
  input: { filename: string; mimeType: string; size: number; purpose?: 'message' | 'knowledge' },
) {
  if (!deps.mediaBucket) throw new InternalError(new Error('MEDIA_BUCKET is not configured'));
  const mimeType = input.mimeType.toLowerCase().split(';')[0]!.trim();
  const knowledge = input.purpose === 'knowledge';
  const limit = (knowledge ? knowledgeLimits : limits).find((l) => l.test.test(mimeType));
  if (!limit) {
    throw new ValidationError(
      knowledge
        ? 'A base de conhecimento aceita arquivos .txt, .md e .pdf.'
        : 'Tipo de arquivo não suportado pelo WhatsApp.',
      undefined,
      'UNSUPPORTED_FILE_TYPE',
    );
  }
  if (input.size > limit.maxBytes) {
    throw new PayloadTooLargeError(
      `Arquivo grande demais: o limite do WhatsApp para este tipo é ${Math.floor(limit.maxBytes / 1024)} KB.`,
      'FILE_TOO_LARGE',
    );
  }
  const uploadId = deps.newId();
  const uploadUrl = await getSignedUrl(
    deps.s3,
    new PutObjectCommand({
      Bucket: deps.mediaBucket,
      Key: uploadKey(auth.accountId, uploadId),
      ContentType: mimeType,
    }),
    { expiresIn: UPLOAD_URL_TTL_SECONDS, signableHeaders: new Set(['content-type']) },
  );
  return { uploadId, uploadUrl, headers: { 'content-type': mimeType }, expiresIn: UPLOAD_URL_TTL_SECONDS };
}
