/**
 * The webhook endpoint: Meta's verification handshake (GET) and event delivery (POST).
 * No database work: verify the signature, check the body's size and depth, split the
 * payload, enqueue, answer 200 fast. Meta retries non-200 answers for days, so a 5xx is
 * returned only when SQS fails (transient: the retry then loses nothing), never for the
 * body's content: a body over the limits is refused with a 4xx before it is parsed, and a
 * malformed item goes to the inbound dead-letter queue while the valid ones beside it are
 * enqueued.
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { safeEqual, verifySignature } from '#shared/whatsapp/signature.ts';
import {
  asciiJson,
  safeJson,
  SQS_MAX_MESSAGE_BYTES,
  webhookBodyProblem,
} from '#shared/domain/json-limits.ts';
import { QUEUE_ITEM_MAX_BYTES, splitWebhook, type QueueEntry } from '#shared/whatsapp/split.ts';
import {
  candidateNumbers,
  candidateWabas,
  coveringAccounts,
  entriesCoveredBy,
  type VerifyingKey,
} from './entry-rule.ts';

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
  /**
   * The own app secrets of the numbers registered with a WABA id (with their accounts): a
   * WABA-level event (template status…) signed with one of them vouches for that
   * number's account only (entry-rule.ts).
   */
  wabaSecrets?: (
    wabaId: string,
  ) => Promise<{ phoneNumberId: string; accountId: string; appSecret: string }[]>;
  sqs: SQSClient;
  queueUrl: string;
  /**
   * The inbound dead-letter queue (INBOUND_DLQ_URL, grant `queue:dead-letter:inbound`):
   * where the items that can never be processed go, each with its reason.
   */
  deadLetterQueueUrl?: string;
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
  // The size/depth limits (shared/domain/json-limits.ts), checked without parsing.
  const problem = webhookBodyProblem(raw);
  let entries: QueueEntry[] | undefined;
  const split = () => (entries ??= splitSafely(raw, deps.now()));
  // Signature first: the deployment's key needs only the bytes; a number's own key needs
  // the entries (to know which numbers to try), so a body over the limits is never parsed
  // for it and can only be the deployment's.
  const keys = signature ? await verifyingKeys(raw, signature, problem ? () => [] : split, deps) : [];
  if (!keys.length) {
    deps.log('warn', 'webhook signature missing or invalid', { hasSignature: Boolean(signature) });
    return text(401, 'Invalid signature');
  }
  if (problem) {
    // Meta's bodies are a few KB: this one is refused unparsed, logged without its content.
    deps.log('warn', 'webhook body refused before parsing', {
      code: problem.code,
      detail: problem.detail,
      bytes: raw.length,
    });
    return text(problem.statusCode, problem.code === 'BODY_TOO_LARGE' ? 'Payload Too Large' : 'Bad Request');
  }
  // The entry rule (shared/webhook/entry-rule.ts): a number's own app secret vouches only
  // for the entries naming that number; `?pnid=` picks nothing on a POST.
  const covered = entriesCoveredBy(keys, split());
  const { dropped } = covered;
  // A WABA-level event vouched for by numbers' own keys changes only their accounts' data.
  const accepted = covered.accepted.map((e) => {
    const accountIds = coveringAccounts(keys, e.item);
    return accountIds ? { ...e, item: { ...e.item, accountIds } } : e;
  });
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
  // Malformed items never fail the delivery: they go to the inbound dead-letter queue with
  // their reason (without one configured, to the queue as `unparsed`, as before).
  const invalid = deps.deadLetterQueueUrl ? accepted.filter((e) => e.invalid) : [];
  const valid = accepted.filter((e) => !invalid.includes(e));
  const refused = await enqueue(valid, deps);
  await deadLetter([...invalid, ...refused], deps);
  deps.log('info', 'webhook accepted', {
    items: valid.length - refused.length,
    kinds: valid.map((e) => e.item.kind).join(','),
    ...(invalid.length + refused.length ? { deadLettered: invalid.length + refused.length } : {}),
  });
  return text(200, 'OK');
}

/** The split, which never throws on content; should it throw anyway, the body is kept whole. */
function splitSafely(raw: Buffer, now: number): QueueEntry[] {
  try {
    return splitWebhook(raw.toString('utf8'), now);
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    return [
      {
        item: {
          kind: 'unparsed',
          raw: raw.toString('utf8').slice(0, QUEUE_ITEM_MAX_BYTES / 8),
          receivedAt: now,
        },
        groupId: 'unknown:unparsed',
        dedupId: createHash('sha256').update(raw).digest('hex'),
        invalid: `INVALID_PAYLOAD: body could not be split (${name})`,
      },
    ];
  }
}

/**
 * The keys whose HMAC matches the body: the deployment's app secret (then no other is
 * tried: it covers everything), else the own app secrets of the numbers the entries name
 * (read unsigned only to pick the keys to try).
 */
async function verifyingKeys(
  raw: Buffer,
  signature: string,
  entries: () => QueueEntry[],
  deps: WebhookDeps,
): Promise<VerifyingKey[]> {
  const { appSecret } = await deps.secrets();
  if (verifySignature(raw, signature, appSecret)) return [{ kind: 'deployment' }];
  const keys: VerifyingKey[] = [];
  if (deps.numberSecrets) {
    for (const phoneNumberId of candidateNumbers(entries())) {
      const own = await deps.numberSecrets(phoneNumberId);
      if (own?.appSecret && verifySignature(raw, signature, own.appSecret))
        keys.push({ kind: 'number', phoneNumberId });
    }
  }
  if (deps.wabaSecrets) {
    for (const wabaId of candidateWabas(entries())) {
      for (const own of await deps.wabaSecrets(wabaId)) {
        if (verifySignature(raw, signature, own.appSecret))
          keys.push({
            kind: 'number',
            phoneNumberId: own.phoneNumberId,
            waba: { wabaId, accountId: own.accountId },
          });
      }
    }
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

/**
 * SendMessageBatch in chunks of at most 10 items and SQS's message size; throws if SQS
 * failed (Meta retries: transient). The items SQS refused for their content are returned
 * (they go to the dead-letter queue): content never fails the delivery.
 */
async function enqueue(entries: QueueEntry[], deps: WebhookDeps): Promise<QueueEntry[]> {
  const refused: QueueEntry[] = [];
  for (const chunk of chunks(entries)) {
    const out = await deps.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: deps.queueUrl,
        Entries: chunk.map(({ entry, body }, j) => ({
          Id: String(j),
          MessageBody: body,
          MessageGroupId: entry.groupId,
          MessageDeduplicationId: entry.dedupId,
        })),
      }),
    );
    const failed = out.Failed ?? [];
    if (failed.some((f) => !f.SenderFault) || (failed.length && !deps.deadLetterQueueUrl)) {
      throw new Error(`SQS refused ${failed.length} webhook items: ${failed.map((f) => f.Code).join(',')}`);
    }
    for (const f of failed) {
      const { entry } = chunk[Number(f.Id)]!;
      refused.push({
        ...entry,
        item: {
          ...entry.item,
          kind: 'unparsed',
          raw: entry.item.raw ?? safeJson(entry.item.message ?? entry.item.status ?? entry.item.value),
        },
        invalid: `INVALID_PAYLOAD: refused by the queue (${f.Code})`,
      });
    }
  }
  return refused;
}

/**
 * Each invalid item to the inbound dead-letter queue, with the agreed attributes
 * (`reason`, `failedAt`, `source`); its body is the `unparsed` queue item, so a redrive
 * sends it to the engine, which keeps it as an unsupported message. Throws if SQS failed.
 */
async function deadLetter(entries: QueueEntry[], deps: WebhookDeps): Promise<void> {
  if (!entries.length) return;
  const failedAt = new Date(deps.now()).toISOString();
  for (const chunk of chunks(entries)) {
    const out = await deps.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: deps.deadLetterQueueUrl,
        Entries: chunk.map(({ entry, body }, j) => ({
          Id: String(j),
          MessageBody: body,
          MessageGroupId: entry.groupId,
          MessageDeduplicationId: entry.dedupId,
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: entry.invalid ?? 'INVALID_PAYLOAD' },
            failedAt: { DataType: 'String', StringValue: failedAt },
            source: { DataType: 'String', StringValue: 'webhook' },
          },
        })),
      }),
    );
    if (out.Failed?.length) {
      throw new Error(
        `SQS refused ${out.Failed.length} dead letters: ${out.Failed.map((f) => f.Code).join(',')}`,
      );
    }
    deps.log('warn', 'webhook items sent to the dead-letter queue', {
      items: chunk.length,
      reasons: chunk
        .map(({ entry }) => entry.invalid)
        .join(' | ')
        .slice(0, 2000),
    });
  }
}

/** Batches of at most 10 messages and SQS's size (each item already fits: split.ts). */
function chunks(entries: QueueEntry[]): { entry: QueueEntry; body: string }[][] {
  const out: { entry: QueueEntry; body: string }[][] = [];
  let current: { entry: QueueEntry; body: string }[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const body = asciiJson(entry.item);
    const size = body.length + 1024;
    if (current.length === 10 || (current.length && bytes + size > SQS_MAX_MESSAGE_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ entry, body });
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** JSON with every non-ASCII character escaped (shared/domain/json-limits.ts). */
export { asciiJson };
