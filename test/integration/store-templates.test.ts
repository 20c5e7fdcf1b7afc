/**
 * The template store (MSG-5): upsert from a sync (and removal of what Meta no longer
 * lists), list by WABA and status, the webhooks' changes by WABA + template id — all
 * accounts that synced it, or only the vouching account — and the numbers of a WABA id
 * (the webhook's WABA-level keys).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#shared/store/table.ts';
import { createNumber, listNumbersOfWaba, updateNumberConnection } from '#shared/store/numbers.ts';
import {
  applyTemplateChange,
  getTemplate,
  listTemplates,
  putTemplate,
  replaceWabaTemplates,
} from '#shared/store/templates.ts';
import type { Template } from '#shared/domain/templates.ts';

const tableName = `test-templates-${randomBytes(4).toString('hex')}`;
let ddb: DynamoDBDocumentClient;
const tpl = (over: Partial<Template>): Template => ({
  id: '100',
  accountId: 'A',
  wabaId: 'W1',
  name: 'boas_vindas',
  language: 'pt_BR',
  category: 'UTILITY',
  status: 'APPROVED',
  parameterFormat: 'POSITIONAL',
  components: [{ type: 'BODY', text: 'Olá {{1}}, tudo bem?' }],
  updatedAt: 1,
  ...over,
});

beforeAll(async () => {
  const raw = new DynamoDBClient({});
  await ensureTable(raw, tableName);
  ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});

describe('template store', () => {
  test('a sync writes what Meta lists and removes what it no longer lists; list filters by WABA and status', async () => {
    await putTemplate(ddb, tableName, tpl({ id: '1', name: 'antigo' }));
    const r = await replaceWabaTemplates(ddb, tableName, 'A', 'W1', [
      tpl({ id: '2', name: 'pedido' }),
      tpl({ id: '3', name: 'cobranca', status: 'PENDING' }),
    ]);
    expect(r).toEqual({ written: 2, removed: 1 });
    await putTemplate(ddb, tableName, tpl({ id: '9', wabaId: 'W2', name: 'outra_waba' }));
    expect((await listTemplates(ddb, tableName, 'A', { wabaId: 'W1' })).map((t) => t.name)).toEqual([
      'cobranca',
      'pedido',
    ]);
    expect((await listTemplates(ddb, tableName, 'A', { status: 'APPROVED' })).map((t) => t.name)).toEqual([
      'outra_waba',
      'pedido',
    ]);
    expect(await listTemplates(ddb, tableName, 'B')).toEqual([]);
  });

  test('a status change reaches every account holding that WABA template id, or only the vouching one', async () => {
    await putTemplate(ddb, tableName, tpl({ id: '50', accountId: 'A', wabaId: 'W5', status: 'PENDING' }));
    await putTemplate(ddb, tableName, tpl({ id: '50', accountId: 'B', wabaId: 'W5', status: 'PENDING' }));
    const onlyB = await applyTemplateChange(
      ddb,
      tableName,
      'W5',
      { kind: 'status', templateId: '50', status: 'REJECTED', reason: 'INVALID_FORMAT', reasonDetail: 'x' },
      { now: 5, onlyAccountId: 'B' },
    );
    expect(onlyB.map((t) => [t.accountId, t.status, t.reason])).toEqual([
      ['B', 'REJECTED', 'INVALID_FORMAT'],
    ]);
    expect((await getTemplate(ddb, tableName, 'A', 'W5', '50'))?.status).toBe('PENDING');
    const all = await applyTemplateChange(
      ddb,
      tableName,
      'W5',
      { kind: 'status', templateId: '50', status: 'APPROVED' },
      { now: 6 },
    );
    expect(all.map((t) => [t.accountId, t.status, t.reason ?? '-']).sort()).toEqual([
      ['A', 'APPROVED', '-'],
      ['B', 'APPROVED', '-'],
    ]);
    // Another WABA's event with the same template id changes nothing here.
    expect(
      await applyTemplateChange(
        ddb,
        tableName,
        'W6',
        { kind: 'quality', templateId: '50', quality: 'RED' },
        { now: 7 },
      ),
    ).toEqual([]);
    const q = await applyTemplateChange(
      ddb,
      tableName,
      'W5',
      { kind: 'category', templateId: '50', category: 'MARKETING' },
      { now: 8, onlyAccountId: 'A' },
    );
    expect(q.map((t) => [t.category, t.updatedAt])).toEqual([['MARKETING', 8]]);
  });

  test("the numbers of a WABA id, across accounts, follow a number's WABA change", async () => {
    const waba = `W${randomBytes(3).toString('hex')}`;
    const base = { name: 'n', displayPhone: '5511', color: '#000000' };
    await createNumber(ddb, tableName, {
      ...base,
      id: 'n1',
      accountId: 'A',
      phoneNumberId: `${Date.now()}1`,
      wabaId: waba,
    });
    await createNumber(ddb, tableName, {
      ...base,
      id: 'n2',
      accountId: 'B',
      phoneNumberId: `${Date.now()}2`,
      wabaId: waba,
    });
    expect((await listNumbersOfWaba(ddb, tableName, waba)).map((n) => n.accountId).sort()).toEqual([
      'A',
      'B',
    ]);
    await updateNumberConnection(ddb, tableName, 'B', 'n2', { displayPhone: '5511', wabaId: 'elsewhere' });
    expect((await listNumbersOfWaba(ddb, tableName, waba)).map((n) => n.accountId)).toEqual(['A']);
  });
});
