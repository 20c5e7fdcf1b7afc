/**
 * The inbox: list and read conversations, mark one as read. Everything is scoped to the
 * caller's account (from the token); another account's id is a 404.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AccessClaims } from '#shared/auth/tokens.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { Conversation } from '#shared/store/types.ts';
import { getConversationById } from '#shared/store/conversations.ts';
import type { ApiDeps } from './deps.ts';
import { findLastCustomerMessage, listConversations, markConversationRead } from './inbox-queries.ts';

const notFound = () => new NotFoundError('Conversa não encontrada.', 'NOT_FOUND');

export function listInbox(deps: ApiDeps, auth: AccessClaims, query: { limit: number; cursor?: string }) {
  return listConversations(deps.ddb, deps.tableName, auth.accountId, query);
}

export async function getOwnConversation(
  deps: ApiDeps,
  auth: AccessClaims,
  id: string,
): Promise<Conversation> {
  const conversation = await getConversationById(deps.ddb, deps.tableName, auth.accountId, id);
  if (!conversation) throw notFound();
  return conversation;
}

/**
 * Unread goes to 0, and if there was something unread, WhatsApp is told the last customer
 * message was read (blue ticks) through the outbound queue (the only Graph API caller).
 */
export async function markRead(deps: ApiDeps, auth: AccessClaims, id: string): Promise<Conversation> {
  const before = await markConversationRead(deps.ddb, deps.tableName, auth.accountId, id);
  if (!before) throw notFound();
  if (before.unread > 0 && deps.outboundQueueUrl) {
    const last = await findLastCustomerMessage(deps.ddb, deps.tableName, auth.accountId, id);
    if (last?.wamid) {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.outboundQueueUrl,
          MessageBody: JSON.stringify({
            kind: 'markRead',
            accountId: auth.accountId,
            numberId: before.numberId,
            wamid: last.wamid,
          }),
          MessageGroupId: id,
          MessageDeduplicationId: `read-${last.id}`,
        }),
      );
    }
  }
  return { ...before, unread: 0 };
}
