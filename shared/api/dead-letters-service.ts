/**
 * The dead-letters page (admins): the records the functions gave up on, per queue, with
 * what, when and why (shared/domain/dead-letters.ts), and "Reprocessar" (back to the
 * queue: same FIFO group, a new deduplication id, then deleted from the DLQ) and
 * "Descartar" (deleted).
 *
 * The DLQs are shared by every account: an admin sees, redrives and discards only the
 * records attributed to their own account; any other id answers 404, as if it did not
 * exist. Records no account can be attributed to are shown to no one here.
 *
 * SQS has no "peek": listing receives the messages (a 30-second visibility, so paging
 * through a queue does not see the same ones again), then makes them visible again at
 * within a second (ChangeMessageVisibility 1). A list shows at most 100 records per queue, and SQS's
 * short polling may leave some out of one answer; a redrive or discard looks the record up
 * the same way.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { queueNames, queues as queueDefs, type QueueName } from '#infra/topology.ts';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import {
  factsOf,
  failedAtOf,
  maskPhone,
  reasonOf,
  type DeadLetterFacts,
} from '#shared/domain/dead-letters.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import { findNumberByPhoneNumberId } from '#shared/store/numbers.ts';
import type { ApiDeps } from './api-deps.ts';

const LIST_MAX = 100;
const PEEK_VISIBILITY_SECONDS = 30;

export interface DeadLetterItem {
  queue: QueueName;
  id: string;
  type: string;
  customer?: string;
  conversationId?: string;
  failedAt: number;
  reason: string | null;
  source?: string;
}

function requireAdmin(auth: AccessClaims): void {
  if (auth.role !== 'admin')
    throw new ForbiddenError('Só administradores podem ver e reprocessar falhas.', 'FORBIDDEN');
}

function configured(deps: ApiDeps, queue: QueueName) {
  const q = deps.deadLetters?.[queue];
  return q?.dlqUrl ? q : undefined;
}

/** Receives up to `max` messages (or until `stop` finds one), then makes the others visible again. */
async function peek(
  sqs: SQSClient,
  url: string,
  max: number,
  stop?: (m: Message) => boolean,
): Promise<{ messages: Message[]; found?: Message }> {
  const seen = new Map<string, Message>();
  let found: Message | undefined;
  // Long polls of a second: a record another reader just released (visible again after
  // RELEASE_VISIBILITY_SECONDS) comes back within two of them, so a list needs two empty
  // answers in a row (a page reloaded right after a list still shows everything); looking
  // for one record, three.
  for (let round = 0, empty = 0; round < 20 && seen.size < max && !found; round++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) {
      if (++empty >= (stop ? 3 : 2)) break;
      continue;
    }
    empty = 0;
    for (const m of out.Messages) {
      if (!found && stop?.(m)) found = m;
      else if (!seen.has(m.MessageId!)) seen.set(m.MessageId!, m);
    }
  }
  await release(sqs, url, [...seen.values()]);
  return { messages: [...seen.values()], ...(found ? { found } : {}) };
}

/**
 * Visible again within a second: listing hides nothing from the next reader for long.
 * One second rather than 0: the local stand-in (fauxqs, persisted) loses a message whose
 * visibility is set to 0 (its SQLite update fails after the message left the in-flight set).
 */
const RELEASE_VISIBILITY_SECONDS = 1;
async function release(sqs: SQSClient, url: string, messages: Message[]): Promise<void> {
  await Promise.all(
    messages.map(async (m) => {
      try {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: RELEASE_VISIBILITY_SECONDS,
          }),
        );
      } catch {
        // It comes back by itself after the peek's short visibility.
      }
    }),
  );
}

/**
 * One listing of a DLQ at a time per process: a second list asked while one runs (a page
 * reloaded at once, two admins) shares its answer instead of finding every record hidden
 * by the first and showing "no failures".
 */
const listing = new Map<string, Promise<{ messages: Message[] }>>();
function listOnce(sqs: SQSClient, url: string): Promise<{ messages: Message[] }> {
  let running = listing.get(url);
  if (!running) {
    running = peek(sqs, url, LIST_MAX).finally(() => listing.delete(url));
    listing.set(url, running);
  }
  return running;
}

/** The account a record belongs to, or undefined when it names none we know. */
async function accountOf(
  deps: ApiDeps,
  facts: DeadLetterFacts,
  numbers: Map<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  if (facts.accountId) return facts.accountId;
  if (!facts.phoneNumberId) return undefined;
  let hit = numbers.get(facts.phoneNumberId);
  if (!hit) {
    hit = findNumberByPhoneNumberId(deps.ddb, deps.tableName, facts.phoneNumberId).then((n) => n?.accountId);
    numbers.set(facts.phoneNumberId, hit);
  }
  return hit;
}

async function itemOf(
  deps: ApiDeps,
  accountId: string,
  queue: QueueName,
  m: Message,
  facts: DeadLetterFacts,
): Promise<DeadLetterItem> {
  let phone = facts.customerPhone;
  if (!phone && facts.conversationId) {
    const conv = await getConversationById(deps.ddb, deps.tableName, accountId, facts.conversationId);
    phone = conv?.contactPhone;
  }
  const attr = (name: string) => m.MessageAttributes?.[name]?.StringValue;
  const customer = maskPhone(phone);
  const source = attr('source');
  return {
    queue,
    id: m.MessageId!,
    type: facts.type,
    ...(customer ? { customer } : {}),
    ...(facts.conversationId ? { conversationId: facts.conversationId } : {}),
    failedAt: failedAtOf(attr('failedAt'), m.Attributes?.SentTimestamp),
    reason: reasonOf(attr('reason')),
    ...(source ? { source } : {}),
  };
}

export async function listDeadLetters(
  deps: ApiDeps,
  auth: AccessClaims,
): Promise<{ items: DeadLetterItem[]; truncated: boolean }> {
  requireAdmin(auth);
  const numbers = new Map<string, Promise<string | undefined>>();
  let truncated = false;
  const perQueue = await Promise.all(
    queueNames.map(async (queue) => {
      const q = configured(deps, queue);
      if (!q) return [];
      const { messages } = await listOnce(deps.sqs, q.dlqUrl);
      if (messages.length >= LIST_MAX) truncated = true;
      const items: DeadLetterItem[] = [];
      for (const m of messages) {
        const facts = factsOf(queue, m.Body ?? '');
        if ((await accountOf(deps, facts, numbers)) !== auth.accountId) continue;
        items.push(await itemOf(deps, auth.accountId, queue, m, facts));
      }
      return items;
    }),
  );
  const items = perQueue.flat().sort((a, b) => b.failedAt - a.failedAt);
  return { items, truncated };
}

/** The record `id` of the caller's account in the queue's DLQ (received, hidden briefly), or 404. */
async function ownRecord(deps: ApiDeps, auth: AccessClaims, queue: QueueName, id: string) {
  requireAdmin(auth);
  const q = configured(deps, queue);
  if (!q) throw new NotFoundError();
  const { found } = await peek(deps.sqs, q.dlqUrl, 1000, (m) => m.MessageId === id);
  if (!found) throw new NotFoundError();
  const facts = factsOf(queue, found.Body ?? '');
  if ((await accountOf(deps, facts, new Map())) !== auth.accountId) {
    await release(deps.sqs, q.dlqUrl, [found]);
    throw new NotFoundError();
  }
  return { q, found };
}

/** Reprocessar: back to its queue (same group, new deduplication id), then out of the DLQ. */
export async function redriveDeadLetter(
  deps: ApiDeps,
  auth: AccessClaims,
  queue: QueueName,
  id: string,
): Promise<void> {
  const { q, found } = await ownRecord(deps, auth, queue, id);
  if (!q.queueUrl) {
    await release(deps.sqs, q.dlqUrl, [found]);
    throw new NotFoundError();
  }
  const group = found.Attributes?.MessageGroupId;
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: q.queueUrl,
      MessageBody: found.Body ?? '',
      ...(queueDefs[queue].fifo
        ? { MessageGroupId: group ?? id, MessageDeduplicationId: `redrive-${id}`.slice(0, 128) }
        : {}),
    }),
  );
  await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: q.dlqUrl, ReceiptHandle: found.ReceiptHandle! }));
}

/** Descartar: deleted from the DLQ for good. */
export async function discardDeadLetter(
  deps: ApiDeps,
  auth: AccessClaims,
  queue: QueueName,
  id: string,
): Promise<void> {
  const { q, found } = await ownRecord(deps, auth, queue, id);
  await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: q.dlqUrl, ReceiptHandle: found.ReceiptHandle! }));
}
