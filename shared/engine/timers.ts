/**
 * What fn timers does when a one-time schedule fires. The contract of a schedule's Input:
 *
 *   {kind: 'window.expiring' | 'window.expired', accountId, conversationId, windowExpiresAt}
 *
 * `windowExpiresAt` is the window the schedule was created for: if the customer wrote
 * since, the window moved and the timer is stale (nothing happens). Otherwise the agents'
 * inboxes get `conversation.updated`, and they derive the Expirando/Expirado tag from
 * windowExpiresAt (shared/domain/window.ts). Unknown inputs are logged and dropped, never
 * retried. Creating these schedules belongs to the window-timer issue (WIN-2).
 */
import { z } from 'zod';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { windowState } from '#shared/domain/window.ts';
import { pushToAccount } from '#shared/push/push.ts';
import { getConversationById } from '#shared/store/conversations.ts';

export const timerInput = z.object({
  kind: z.enum(['window.expiring', 'window.expired']),
  accountId: z.string(),
  conversationId: z.string(),
  windowExpiresAt: z.number(),
});
export type TimerInput = z.infer<typeof timerInput>;

export interface TimerDeps {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  ws?: ApiGatewayManagementApiClient;
  now: () => number;
  log: (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
}

export type TimerOutcome = 'pushed' | 'stale' | 'ignored';

export async function processTimer(input: unknown, deps: TimerDeps): Promise<TimerOutcome> {
  const parsed = timerInput.safeParse(input);
  if (!parsed.success) {
    deps.log('warn', 'unknown timer input dropped');
    return 'ignored';
  }
  const t = parsed.data;
  const conv = await getConversationById(deps.ddb, deps.tableName, t.accountId, t.conversationId);
  if (!conv || conv.windowExpiresAt !== t.windowExpiresAt) return 'stale';
  await pushToAccount(
    t.accountId,
    [{ type: 'conversation.updated', conversationId: conv.id, conversation: conv }],
    { ddb: deps.ddb, tableName: deps.tableName, ws: deps.ws },
  );
  deps.log('info', 'window timer', {
    accountId: t.accountId,
    conversationId: t.conversationId,
    kind: t.kind,
    state: windowState(conv.windowExpiresAt, deps.now()),
  });
  return 'pushed';
}
