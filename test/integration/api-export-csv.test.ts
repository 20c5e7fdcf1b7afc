/**
 * The assistant conversations export opened in a spreadsheet: a contact who named
 * themselves `=HYPERLINK(...)` is exported as text, not a live formula; the default file
 * opens right in Excel pt-BR (";" separator, UTF-8 BOM, CRLF, decimal comma); `sep=comma`
 * is RFC 4180 for programs; another account's rows never appear.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Context } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/store/keys.ts';
import type { HttpEvent } from '#shared/http/types.ts';
import { createApiKit, loginAs, seedTenant, T0, type ApiKit, type SeededTenant } from './api-test-kit.ts';

const EVIL = '=HYPERLINK("http://x","y")';

describe('CSV export of the assistant conversations', () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let other: SeededTenant;
  let token: string;

  async function row(accountId: string, contactName: string, costUsd: number) {
    const conversationId = kit.ids();
    await kit.deps.ddb.send(
      new PutCommand({
        TableName: kit.deps.tableName,
        Item: {
          ...keys.aiConversation(accountId, T0, conversationId, 'att-1'),
          accountId,
          conversationId,
          attendanceId: 'att-1',
          assistantId: 'as-1',
          type: 'test',
          contactName,
          contactPhone: '5511987654321',
          startedAt: T0,
          lastAt: T0 + 60_000,
          replies: 2,
          costUsd,
          outcome: 'answering',
        },
      }),
    );
    return conversationId;
  }

  async function exportCsv(query: Record<string, string>) {
    const qs = new URLSearchParams({ format: 'csv', from: String(T0 - 1), ...query });
    const res = await kit.handler(
      {
        version: '2.0',
        rawPath: '/api/ai/conversations',
        rawQueryString: qs.toString(),
        queryStringParameters: Object.fromEntries(qs),
        headers: { authorization: `Bearer ${token}` },
        requestContext: { http: { method: 'GET', path: '/api/ai/conversations' }, stage: '$default' },
        isBase64Encoded: false,
      } as unknown as HttpEvent,
      {} as Context,
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers?.['content-type']), /^text\/csv/);
    return String(res.body);
  }

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit);
    other = await seedTenant(kit, { name: 'Outra' });
    token = (await loginAs(kit, tenant)).accessToken;
    await row(tenant.accountId, EVIL, 0.0125);
    await row(tenant.accountId, '@SUM(1+1)', 0);
    await row(other.accountId, 'Cliente da outra conta', 1);
  });

  test('default: Excel pt-BR, the formula name exported as text', async () => {
    const csv = await exportCsv({});
    assert.ok(csv.startsWith('\ufeffconversationId;attendanceId;assistantId;'), 'BOM and ";" header');
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines.at(-1), '', 'CRLF after every line');
    assert.equal(lines.length, 4, 'the header and this account’s two rows');
    assert.ok(!csv.includes('Cliente da outra conta'));
    // The formula is neither at the start of a cell nor unquoted: `'` makes it text.
    assert.ok(csv.includes(`;"'=HYPERLINK(""http://x"",""y"")";`), csv);
    assert.ok(csv.includes(`;'@SUM(1+1);`), csv);
    for (const line of lines) for (const cell of line.split(';')) assert.doesNotMatch(cell, /^"?[=+\-@]/);
    assert.ok(csv.includes(';0,0125;'), 'decimal comma');
    assert.ok(csv.includes(`;${new Date(T0).toISOString()};`));
  });

  test('sep=comma: RFC 4180 for programs, still neutralised', async () => {
    const csv = await exportCsv({ sep: 'comma' });
    assert.ok(csv.startsWith('conversationId,attendanceId,assistantId,'), 'no BOM, "," header');
    assert.ok(csv.includes(`,"'=HYPERLINK(""http://x"",""y"")",`), csv);
    assert.ok(csv.includes(',0.0125,'));
    assert.ok(!csv.includes('Cliente da outra conta'));
  });
});
