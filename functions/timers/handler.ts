/**
 * fn timers: the target of one-time EventBridge Scheduler schedules. Each schedule's
 * Input names what is due; stale timers are checked against the current state and do
 * nothing. Window timers tell the agents' inboxes to refresh the conversation, whose
 * Expirando/Expirado state is derived from windowExpiresAt.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { dynamo, wsManagement } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { log } from '#shared/log.ts';
import { pushToAccount } from '#shared/push/push.ts';
import { getConversationById } from '#shared/store/conversations.ts';

const timerEvent = z.object({
  kind: z.enum(['window.expiring', 'window.expired']),
  accountId: z.string(),
  conversationId: z.string(),
  /** The windowExpiresAt the timer was set for: a moved window makes it stale. */
  windowExpiresAt: z.number(),
});

const config = loadConfig();

export const handler = middy<unknown>().handler(async (input) => {
  const parsed = timerEvent.safeParse(input);
  if (!parsed.success) {
    log('warn', 'unknown timer ignored', { fn: 'timers' });
    return;
  }
  const t = parsed.data;
  const conv = await getConversationById(dynamo(), config.tableName, t.accountId, t.conversationId);
  if (!conv || conv.windowExpiresAt !== t.windowExpiresAt) return; // stale
  await pushToAccount(
    t.accountId,
    [{ type: 'conversation.updated', conversationId: conv.id, conversation: conv }],
    {
      ddb: dynamo(),
      tableName: config.tableName,
      ws: config.wsEndpoint ? wsManagement(config.wsEndpoint) : undefined,
    },
  );
});
