/**
 * Message templates (MSG-5), per account and WABA: upserted from a sync with Meta (or a
 * create), changed by the template webhooks (status, quality, category) by Meta's
 * template id, listed for the picker. One partition per account (`ACC#<id>#TPL`), sorted
 * by WABA and template id; a gsi1 entry per item lets a WABA-level webhook find the items
 * of its template id without knowing the account.
 */
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from './client.ts';
import { indexes, keys } from './keys.ts';
import { queryPrefix, updateIfAllowed } from './ops.ts';
import { templateSchema, type Template, type TemplateEventChange } from '#shared/domain/templates.ts';

const itemOf = (t: Template) => ({
  ...keys.template(t.accountId, t.wabaId, t.id),
  ...keys.templateByWaba(t.wabaId, t.id, t.accountId),
  ...t,
});
const parse = (item: Record<string, unknown>) => templateSchema.parse(item);

/** Writes a template as given (a create's PENDING, a sync's current state). */
export async function putTemplate(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  t: Template,
): Promise<void> {
  await ddb.send(new PutCommand({ TableName: tableName, Item: itemOf(templateSchema.parse(t)) }));
}

/**
 * A sync of one WABA: every template Meta listed is written as listed; the ones this
 * account kept for that WABA and Meta no longer lists (deleted there) are removed.
 * Returns how many were written and removed.
 */
export async function replaceWabaTemplates(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wabaId: string,
  templates: Template[],
): Promise<{ written: number; removed: number }> {
  const before = await listTemplates(ddb, tableName, accountId, { wabaId });
  const listed = new Set(templates.map((t) => t.id));
  const gone = before.filter((t) => !listed.has(t.id));
  const requests = [
    ...templates.map((t) => ({
      PutRequest: { Item: itemOf(templateSchema.parse({ ...t, accountId, wabaId })) },
    })),
    ...gone.map((t) => ({ DeleteRequest: { Key: keys.template(accountId, wabaId, t.id) } })),
  ];
  for (let i = 0; i < requests.length; i += 25) {
    let chunk: typeof requests | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; chunk?.length && attempt < 5; attempt++) {
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: chunk } }));
      chunk = res.UnprocessedItems?.[tableName] as typeof requests | undefined;
      if (chunk?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (chunk?.length) throw new Error(`templates sync: ${chunk.length} writes left unprocessed`);
  }
  return { written: templates.length, removed: gone.length };
}

/** The account's templates, optionally of one WABA and/or status, by name then language. */
export async function listTemplates(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  filter: { wabaId?: string; status?: Template['status'] } = {},
): Promise<Template[]> {
  const items = await queryPrefix(
    ddb,
    tableName,
    keys.templatesPartition(accountId),
    filter.wabaId ? `TPL#${filter.wabaId}#` : 'TPL#',
  );
  return items
    .map(parse)
    .filter((t) => !filter.status || t.status === filter.status)
    .sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
}

export async function getTemplate(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  wabaId: string,
  templateId: string,
): Promise<Template | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: tableName, Key: keys.template(accountId, wabaId, templateId) }),
  );
  return res.Item ? parse(res.Item) : undefined;
}

/**
 * A template webhook's change, applied to the items of that WABA's template id — of
 * `onlyAccountId` alone when given (the entry was vouched for by that account's number:
 * shared/webhook/entry-rule.ts), else of every account that synced it. A template no
 * account has (not synced yet) changes nothing. Returns the templates after the change.
 */
export async function applyTemplateChange(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  wabaId: string,
  change: TemplateEventChange,
  opts: { now: number; onlyAccountId?: string },
): Promise<Template[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexes.lookup,
      KeyConditionExpression: opts.onlyAccountId ? 'gsi1pk = :pk AND gsi1sk = :sk' : 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.templateByWaba(wabaId, change.templateId, '').gsi1pk,
        ...(opts.onlyAccountId
          ? { ':sk': keys.templateByWaba(wabaId, change.templateId, opts.onlyAccountId).gsi1sk }
          : {}),
      },
      Limit: 25,
    }),
  );
  const out: Template[] = [];
  for (const item of res.Items ?? []) {
    const accountId = String(item.accountId);
    const fields: Record<string, unknown> =
      change.kind === 'status'
        ? { status: change.status, reason: change.reason, reasonDetail: change.reasonDetail }
        : change.kind === 'quality'
          ? { quality: change.quality }
          : { category: change.category };
    const set = Object.entries(fields).filter(([, v]) => v !== undefined);
    const remove = Object.entries(fields).filter(([, v]) => v === undefined);
    const updated = await updateIfAllowed(ddb, {
      TableName: tableName,
      Key: keys.template(accountId, wabaId, change.templateId),
      UpdateExpression:
        `SET ${[...set.map(([k]) => `#${k} = :${k}`), 'updatedAt = :now'].join(', ')}` +
        (remove.length ? ` REMOVE ${remove.map(([k]) => `#${k}`).join(', ')}` : ''),
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(Object.keys(fields).map((k) => [`#${k}`, k])),
      ExpressionAttributeValues: {
        ...Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])),
        ':now': opts.now,
      },
      ReturnValues: 'ALL_NEW',
    });
    if (updated) out.push(parse(updated));
  }
  return out;
}
