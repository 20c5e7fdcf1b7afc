/**
 * The webhook endpoint: Meta's verification handshake (GET) and event delivery (POST).
 * No database work: verify the signature, split the payload, enqueue, answer 200 fast.
 * Meta retries non-200 answers for days, so a 5xx is returned only when nothing could be
 * enqueued (SQS failing): the retry then loses nothing.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { safeEqual, verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook, type QueueEntry } from '#shared/whatsapp/split.ts';
import { candidateNumbers, entriesCoveredBy, type VerifyingKey } from './entry-rule.ts';

export interface WebhookDeps {
  /** The deployment's Meta app secret and verify token. */
  secrets: () => Promise<{ appSecret: string; verifyToken: string }>;
  /**
   * A number's own app secret / verify token (NUM-4), by Meta phone-number id. Its app
   * secret vouches only for entries naming that number (entry-rule.ts).
   */
  numberSecrets?: (
    phoneNumberId: string,
  ) => Promise<{ appSecret?: string; verifyToken?: string } | undefined>;
  sqs: SQSClient;
  queueUrl: string;
  now: () => number;
  log: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

const text = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

export async function handleWebhook(
  event: APIGatewayProxyEventV2,
  deps: WebhookDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'GET') return verifyHandshake(event, deps);
  if (method !== 'POST') return text(405, 'Method Not Allowed');

  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64')
      : Buffer.from(event.body, 'utf8')
    : Buffer.alloc(0);
  const signature = event.headers?.['x-hub-signature-256'];
  const entries = signature ? splitWebhook(raw.toString('utf8'), deps.now()) : [];
  const keys = signature ? await verifyingKeys(raw, signature, entries, deps) : [];
  if (!keys.length) {
    deps.log('warn', 'webhook signature missing or invalid', { hasSignature: Boolean(signature) });
    return text(401, 'Invalid signature');
  }
  // The entry rule (shared/webhook/entry-rule.ts): a number's own app secret vouches only
  // for the entries naming that number; `?pnid=` picks nothing on a POST.
  const { accepted, dropped } = entriesCoveredBy(keys, entries);
  if (dropped.length) {
    deps.log('warn', 'webhook entries not covered by the signing key dropped', {
      dropped: dropped.length,
      phoneNumberIds: [...new Set(dropped.map((e) => e.item.phoneNumberId ?? '-'))].join(','),
      signedFor: keys.map((k) => (k.kind === 'deployment' ? 'deployment' : k.phoneNumberId)).join(','),
    });
  }
  // Refused only when every entry was another number's: a body signed by the deployment
  // that yields no entry (a field we do not handle) is still Meta's, answered 200.
  if (!accepted.length && dropped.length) return text(401, 'Invalid signature');
  await enqueue(accepted, deps);
  deps.log('info', 'webhook accepted', {
    items: accepted.length,
    kinds: accepted.map((e) => e.item.kind).join(','),
  });
  return text(200, 'OK');
}

/**
 * The keys whose HMAC matches the body: the deployment's app secret (then no other is
 * tried: it covers everything), else the own app secrets of the numbers the entries name
 * (read unsigned only to pick the keys to try).
 */
async function verifyingKeys(
  raw: Buffer,
  signature: string,
  entries: QueueEntry[],
  deps: WebhookDeps,
): Promise<VerifyingKey[]> {
  const { appSecret } = await deps.secrets();
  if (verifySignature(raw, signature, appSecret)) return [{ kind: 'deployment' }];
  if (!deps.numberSecrets) return [];
  const keys: VerifyingKey[] = [];
  for (const phoneNumberId of candidateNumbers(entries)) {
    const own = await deps.numberSecrets(phoneNumberId);
    if (own?.appSecret && verifySignature(raw, signature, own.appSecret))
      keys.push({ kind: 'number', phoneNumberId });
  }
  return keys;
}

async function verifyHandshake(
  event: APIGatewayProxyEventV2,
  deps: WebhookDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const q = event.queryStringParameters ?? {};
  const given = q['hub.verify_token'];
  if (q['hub.mode'] === 'subscribe' && given) {
    const { verifyToken } = await deps.secrets();
    const own = q.pnid && deps.numberSecrets ? await deps.numberSecrets(q.pnid) : undefined;
    // Both compared in constant time, both always compared (no early answer by which matched).
    const deployment = safeEqual(given, verifyToken);
    const number = safeEqual(given, own?.verifyToken);
    if (deployment || number) return text(200, q['hub.challenge'] ?? '');
  }
  deps.log('warn', 'webhook verification refused');
  return text(403, 'Forbidden');
}

/** SendMessageBatch in chunks of 10; throws if any entry failed so Meta retries. */
async function enqueue(entries: QueueEntry[], deps: WebhookDeps): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10);
    const out = await deps.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: deps.queueUrl,
        Entries: chunk.map((e, j) => ({
          Id: String(j),
          MessageBody: asciiJson(e.item),
          MessageGroupId: e.groupId,
          MessageDeduplicationId: e.dedupId,
        })),
      }),
    );
    if (out.Failed?.length) {
      throw new Error(
        `SQS refused ${out.Failed.length} webhook items: ${out.Failed.map((f) => f.Code).join(',')}`,
      );
    }
  }
}

/**
 * JSON with every non-ASCII character escaped: SQS refuses some characters Meta may send
 * (control characters, lone surrogates), and an escaped body parses back to the same value.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
