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
  secrets: () => Promise<{ appSecret: string; verifyToken: string }>;
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
  const { appSecret } = await deps.secrets();
  if (!verifySignature(raw, signature, appSecret)) {
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

function verifyHandshake(
  event: APIGatewayProxyEventV2,
  deps: WebhookDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const q = event.queryStringParameters ?? {};
  return deps.secrets().then(({ verifyToken }) => {
    if (q['hub.mode'] === 'subscribe' && verifyToken && q['hub.verify_token'] === verifyToken) {
      return text(200, q['hub.challenge'] ?? '');
    }
    deps.log('warn', 'webhook verification refused');
    return text(403, 'Forbidden');
  });
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
