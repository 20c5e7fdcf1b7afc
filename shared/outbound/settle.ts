/**
 * A status webhook for a wamid no message is bound to, carrying our reference in
 * `biz_opaque_callback_data` (shared/domain/send-state.ts): the send it reports may be one
 * we never recorded (a crash after Meta accepted it). The message named is settled with
 * that wamid — `sent`, then the status —, the wamid bound to it, and any status kept early
 * on the claim applied, so a redelivered job finds it sent and does not send again.
 *
 * A status of another wamid than the one recorded on the message (the first attempt of a
 * message resent after its deadline) settles nothing: the caller keeps it on the claim.
 */
import type { DynamoDBDocumentClient } from '#shared/store/client.ts';
import type { DeliveryStatus } from '#shared/domain/message-status.ts';
import { SEND_UNCONFIRMED } from '#shared/domain/send-state.ts';
import {
  applyDeliveryStatus,
  bindOutboundWamid,
  getMessage,
  markMessageSent,
  settleUnconfirmed,
} from '#shared/store/messages.ts';
import type { Message, MessageError } from '#shared/store/types.ts';

export interface Settled {
  message: Message;
  /** This status recorded the send (count it as sent once). */
  recordedSend: boolean;
}

export async function settleByCallbackData(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  ref: { conversationId: string; messageId: string },
  wamid: string,
  status: DeliveryStatus,
  error?: MessageError,
): Promise<Settled | 'other-send' | undefined> {
  const message = await getMessage(ddb, tableName, accountId, ref.conversationId, ref.messageId);
  if (!message || message.direction !== 'out') return undefined;
  let latest: Message = message;
  let recordedSend = false;
  if (message.status === 'pending') {
    const sent = await markMessageSent(ddb, tableName, message, wamid);
    if (sent) [latest, recordedSend] = [sent, true];
    else latest = (await getMessage(ddb, tableName, accountId, ref.conversationId, ref.messageId)) ?? message;
  } else if (message.status === 'failed' && message.error?.details === SEND_UNCONFIRMED && !message.wamid) {
    // We failed it as unconfirmed; Meta says it left after all.
    const settled = await settleUnconfirmed(
      ddb,
      tableName,
      message,
      wamid,
      status === 'failed' ? 'sent' : status,
    );
    if (settled) [latest, recordedSend] = [settled, true];
  }
  if (latest.wamid !== wamid) return latest.wamid ? 'other-send' : undefined;
  const claim = await bindOutboundWamid(ddb, tableName, accountId, wamid, {
    conversationId: message.conversationId,
    messageId: message.id,
  });
  const msgRef = { accountId, conversationId: message.conversationId, messageId: message.id };
  for (const [s, e] of [
    [claim.pendingStatus, claim.pendingError],
    [status, error],
  ] as const) {
    if (!s) continue;
    const applied = await applyDeliveryStatus(ddb, tableName, msgRef, s, e);
    if (applied) latest = applied;
  }
  return { message: latest, recordedSend };
}
