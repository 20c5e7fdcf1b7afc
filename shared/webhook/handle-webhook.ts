/**
 * The webhook endpoint: Meta's verification handshake (GET) and event delivery (POST).
 * No database work: verify the signature, split the payload, enqueue, answer 200 fast.
 * Meta retries non-200 answers for days, so a 5xx is returned only when nothing could be
 * enqueued (SQS failing): the retry then loses nothing.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { verifySignature } from '#shared/whatsapp/signature.ts';
import { splitWebhook, type QueueEntry } from '#shared/whatsapp/split.ts';

export interface WebhookDeps {
  /** The deployment's Meta app secret and verify token. */
  secrets: () => Promise<{ appSecret: string; verifyToken: string }>;
  /** A number's own app secret / verify token (NUM-4), by Meta phone-number id. */
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
  if (!(await signedByKnownApp(raw, signature, event.queryStringParameters?.pnid, deps))) {
    deps.log('warn', 'webhook signature missing or invalid', { hasSignature: Boolean(signature) });
    return text(401, 'Invalid signature');
  }
  const entries = splitWebhook(raw.toString('utf8'), deps.now());
  await enqueue(entries, deps);
  deps.log('info', 'webhook accepted', {
    items: entries.length,
    kinds: entries.map((e) => e.item.kind).join(','),
  });
  return text(200, 'OK');
}

/**
 * The deployment's app secret, or — for a number with its own Meta app — that number's:
 * named by the callback URL's `?pnid=` or, failing that, by the payload's phone-number
 * ids (read before trusting them, only to pick the key; nothing else is used unsigned).
 */
async function signedByKnownApp(
  raw: Buffer,
  signature: string | undefined,
  pnid: string | undefined,
  deps: WebhookDeps,
): Promise<boolean> {
  if (!signature) return false;
  const { appSecret } = await deps.secrets();
  if (verifySignature(raw, signature, appSecret)) return true;
  if (!deps.numberSecrets) return false;
  const candidates = new Set(pnid ? [pnid] : phoneNumberIdsOf(raw));
  for (const id of [...candidates].slice(0, 5)) {
    const own = await deps.numberSecrets(id);
    if (own?.appSecret && verifySignature(raw, signature, own.appSecret)) return true;
  }
  return false;
}

function phoneNumberIdsOf(raw: Buffer): string[] {
  try {
    const body = JSON.parse(raw.toString('utf8')) as {
      entry?: { changes?: { value?: { metadata?: { phone_number_id?: unknown } } }[] }[];
    };
    return (body.entry ?? []).flatMap((e) =>
      (e.changes ?? []).flatMap((c) => {
        const id = c.value?.metadata?.phone_number_id;
        return typeof id === 'string' ? [id] : [];
      }),
    );
  } catch {
    return [];
  }
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
    if ((verifyToken && given === verifyToken) || (own?.verifyToken && given === own.verifyToken))
      return text(200, q['hub.challenge'] ?? '');
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
