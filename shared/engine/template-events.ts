/**
 * fn inbound's webhook events (items of kind `event`: fields other than `messages`). The
 * template ones (`message_template_status_update`, `message_template_quality_update`,
 * `template_category_update`) change the stored templates of their entry's WABA — of the
 * accounts the item names when numbers' own keys vouched for it, else of every account
 * holding that template (shared/webhook/entry-rule.ts). Every event is logged; none is
 * retried (an unknown template — not synced yet — changes nothing).
 */
import { templateEventChange } from '#shared/domain/templates.ts';
import type { InboundQueueItem } from '#shared/contracts/inbound-queue.ts';
import { applyTemplateChange } from '#shared/store/templates.ts';
import type { EngineDeps } from './engine-deps.ts';

export async function applyWebhookEvent(item: InboundQueueItem, deps: EngineDeps): Promise<void> {
  const v = (item.value ?? {}) as Record<string, unknown>;
  const change = item.field ? templateEventChange(item.field, item.value) : undefined;
  let updated: { accountId: string }[] = [];
  if (change && item.wabaId) {
    const accounts = item.accountIds;
    if (!accounts) {
      updated = await applyTemplateChange(deps.ddb, deps.tableName, item.wabaId, change, { now: deps.now() });
    } else {
      for (const onlyAccountId of accounts.slice(0, 10))
        updated.push(
          ...(await applyTemplateChange(deps.ddb, deps.tableName, item.wabaId, change, {
            now: deps.now(),
            onlyAccountId,
          })),
        );
    }
  }
  deps.log('info', 'webhook event', {
    field: item.field,
    phoneNumberId: item.phoneNumberId,
    wabaId: item.wabaId,
    event: typeof v.event === 'string' ? v.event : undefined,
    template: typeof v.message_template_name === 'string' ? v.message_template_name : undefined,
    ...(change ? { templateId: change.templateId, templatesUpdated: updated.length } : {}),
    ...(item.accountIds ? { vouchedFor: item.accountIds.join(',') } : {}),
  });
}
