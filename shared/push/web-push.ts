/**
 * Web push to the installed PWA (INB-8): a customer's message notifies the agent of the
 * chat (or, with no agent, the members of its department) on their phones — once per
 * contact until the agent opens the chat (the reference's rule: 20 messages, one
 * notification). The service worker (web/public/sw.js) skips the notification when the
 * PWA is showing that chat.
 *
 * Subscriptions: `ACC#a#PUSH` / `SUB#<user>#<sha256(endpoint)>`; the once-per-contact mark:
 * `ACC#a#PUSH` / `SENT#<conversation>#<user>` (conditional put; removed when the user reads
 * the chat; TTL 7 days); keys in shared/store/push-subscriptions.ts. Deactivated users are
 * never told. VAPID keys come from the `push` secret.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import webpush from 'web-push';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { assistantOnly } from '#shared/domain/inbox.ts';
import {
  claimPushSentMark,
  deletePushSentMark,
  deletePushSubscription,
  putPushSubscription,
  userPushSubscriptions,
} from '#shared/store/push-subscriptions.ts';
import { checkOutboundUrl, guardedFetch, type OutboundPolicy } from '#shared/net/outbound-url.ts';
import type { Conversation, Message, User } from '#shared/store/types.ts';

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface WebPushDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  vapid: () => Promise<VapidKeys | undefined>;
  now: () => number;
  /** The operator's exceptions to the outbound-URL guard every endpoint goes through. */
  outbound?: OutboundPolicy;
  log?: (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
}

/**
 * Stores a browser's subscription once its endpoint passes the outbound-URL guard: https on
 * a public host, or an origin the operator allowed (else 400 URL_NOT_ALLOWED). The sender
 * checks again before every post.
 */
export async function saveSubscription(
  deps: Pick<WebPushDeps, 'ddb' | 'tableName' | 'now' | 'outbound'>,
  accountId: string,
  userId: string,
  sub: PushSubscriptionInput,
): Promise<void> {
  await checkOutboundUrl(sub.endpoint, deps.outbound);
  await putPushSubscription(deps.ddb, deps.tableName, accountId, userId, sub, deps.now());
}

export async function removeSubscription(
  deps: Pick<WebPushDeps, 'ddb' | 'tableName'>,
  accountId: string,
  userId: string,
  endpoint: string,
): Promise<void> {
  await deletePushSubscription(deps.ddb, deps.tableName, accountId, userId, endpoint);
}

/** The user opened the chat: their next message from this contact notifies again. */
export async function rearmNotification(
  deps: Pick<WebPushDeps, 'ddb' | 'tableName'>,
  accountId: string,
  conversationId: string,
  userId: string,
): Promise<void> {
  await deletePushSentMark(deps.ddb, deps.tableName, accountId, conversationId, userId);
}

async function subscriptionsOf(deps: WebPushDeps, accountId: string, userId: string) {
  return (await userPushSubscriptions(
    deps.ddb,
    deps.tableName,
    accountId,
    userId,
  )) as unknown as (PushSubscriptionInput & {
    userId: string;
  })[];
}

/**
 * Who is told about a customer's message: the chat's agent, else its department's active
 * members (the account's users are read only then: most messages need no read at all). A
 * deactivated user is never a recipient: skipped here, and their subscriptions are deleted
 * when they are deactivated (shared/api/users-service.ts), which covers a chat still
 * assigned to them.
 */
export async function recipientsOf(conv: Conversation, users: () => Promise<User[]>): Promise<string[]> {
  if (conv.status !== 'open' || assistantOnly(conv.channel)) return [];
  if (conv.agentId) return [conv.agentId];
  const dept = conv.departmentId;
  if (dept)
    return (await users()).filter((u) => !u.deactivatedAt && u.departmentIds.includes(dept)).map((u) => u.id);
  return [];
}

/**
 * Notifies the recipients of a customer's message, each once until they open the chat.
 * Never throws: a push is a courtesy, the inbox has the message anyway.
 */
export async function notifyCustomerMessage(
  conv: Conversation,
  message: Pick<Message, 'text' | 'type'>,
  recipients: string[],
  deps: WebPushDeps,
): Promise<number> {
  if (!recipients.length) return 0;
  let sent = 0;
  try {
    const vapid = await deps.vapid();
    if (!vapid) return 0;
    for (const userId of recipients) {
      const subs = await subscriptionsOf(deps, conv.accountId, userId);
      if (!subs.length) continue;
      if (!(await claimPushSentMark(deps.ddb, deps.tableName, conv.accountId, conv.id, userId, deps.now())))
        continue; // told already
      const payload = JSON.stringify({
        title: conv.contactName,
        body: message.text?.slice(0, 120) ?? `[${message.type}]`,
        conversationId: conv.id,
      });
      for (const sub of subs) {
        try {
          // web-push encrypts (aes128gcm) and signs (VAPID); the request goes through the
          // outbound-URL guard (a stored endpoint on an internal address is never posted to).
          const req = webpush.generateRequestDetails(sub, payload, { vapidDetails: vapid, TTL: 3600 });
          const res = await guardedFetch(
            req.endpoint,
            {
              method: req.method,
              headers: req.headers as Record<string, string>,
              body: req.body ? new Uint8Array(req.body) : null,
            },
            {
              ...(deps.outbound ? { policy: deps.outbound } : {}),
              timeoutMs: 5000,
              maxBytes: 64 * 1024,
              maxRedirects: 0,
            },
          );
          await res.body?.cancel().catch(() => {});
          // Gone: the browser unsubscribed or the app was uninstalled.
          if (res.status === 404 || res.status === 410)
            await removeSubscription(deps, conv.accountId, userId, sub.endpoint);
          else if (!res.ok) deps.log?.('warn', 'web push refused', { status: res.status });
          else sent++;
        } catch (err) {
          deps.log?.('warn', 'web push failed', { error: (err as Error).message });
        }
      }
    }
  } catch (err) {
    deps.log?.('warn', 'web push skipped', { error: (err as Error).message });
  }
  return sent;
}

/** The deployment's VAPID keys from the `push` secret; undefined when not set or invalid. */
export function vapidFromSecret(
  client: SecretsManagerClient,
  secretId: string | undefined,
): () => Promise<VapidKeys | undefined> {
  return async () => {
    if (!secretId) return undefined;
    const s = await readSecret(client, secretId);
    const publicKey = typeof s.publicKey === 'string' ? s.publicKey : '';
    const privateKey = typeof s.privateKey === 'string' ? s.privateKey : '';
    // A P-256 public key is 65 bytes (87 base64url characters); anything else is not set up.
    if (publicKey.length < 80 || privateKey.length < 40) return undefined;
    const subject = typeof s.subject === 'string' && s.subject ? s.subject : 'mailto:suporte@atende.local';
    return { publicKey, privateKey, subject };
  };
}
