import { fromMetaStatus } from '#shared/domain/message-status.ts';
import { parseCallbackData } from '#shared/domain/send-state.ts';
import { emit } from '#shared/events/listeners.ts';
import { settleByCallbackData } from '#shared/outbound/settle.ts';
import { applyDeliveryStatus, getWamidClaim, keepEarlyStatus } from '#shared/store/messages.ts';
import { bumpNumberStats } from '#shared/store/numbers.ts';
import type { MessageError, WhatsAppNumber } from '#shared/store/types.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import type { EngineDeps } from '../engine-deps.ts';

/**
 * A delivery status of a message we sent. Statuses can come before the send recorded the
 * wamid (kept on the claim, applied by the sender) and in any order (never backwards).
 */
export async function applyStatus(
  number: WhatsAppNumber,
  item: InboundQueueItem,
  deps: EngineDeps,
): Promise<void> {
  const s = item.status!;
  const status = fromMetaStatus(s.status);
  if (!status) {
    deps.log('info', 'status ignored', { status: s.status });
    return;
  }
  const accountId = number.accountId;
  const e = s.errors?.[0];
  const error: MessageError | undefined = e
    ? {
        code: e.code,
        title: e.title ?? 'Erro do WhatsApp',
        message: e.message ?? e.title ?? '',
        ...(e.error_data?.details ? { details: e.error_data.details } : {}),
      }
    : undefined;
  let claim = await getWamidClaim(deps.ddb, deps.tableName, accountId, s.id);
  if (claim?.direction === 'in') return; // statuses are for our messages only
  if (!claim?.messageId) {
    // Our id, echoed by Meta: settles a send whose wamid we never recorded (a crash in doubt).
    const ref = parseCallbackData(s.biz_opaque_callback_data);
    const settled =
      ref && (await settleByCallbackData(deps.ddb, deps.tableName, accountId, ref, s.id, status, error));
    if (settled === 'other-send')
      deps.log('warn', 'status of an earlier send of a message resent after its deadline', {
        accountId,
        ...ref,
      });
    if (settled && settled !== 'other-send') {
      if (settled.recordedSend) bumpNumberStats(number, { sent: 1 }, deps);
      await emit([{ type: 'message.updated', message: settled.message }], deps);
      return;
    }
    if ((await keepEarlyStatus(deps.ddb, deps.tableName, accountId, s.id, status, error)) === 'kept') return;
    claim = await getWamidClaim(deps.ddb, deps.tableName, accountId, s.id);
    if (!claim?.messageId || !claim.conversationId) return;
  }
  const updated = await applyDeliveryStatus(
    deps.ddb,
    deps.tableName,
    { accountId, conversationId: claim.conversationId!, messageId: claim.messageId },
    status,
    error,
  );
  if (updated) await emit([{ type: 'message.updated', message: updated }], deps);
}
