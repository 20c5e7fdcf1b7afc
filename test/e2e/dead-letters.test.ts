/**
 * Browser: the failures page (/admin/falhas) as an admin lives it. A customer's message fn
 * inbound gave up on (its retries exhausted during an outage) is listed with what, when
 * and why; "Reprocessar" sends it back and it reaches the inbox. A failed send is
 * "Descartar"-ed after a confirmation. A record moved by SQS itself says "excedeu o número
 * de tentativas"; one no account can be attributed to is not shown.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { envNames, type FunctionName, type QueueName } from '#infra/topology.ts';
import { type E2E, apiAs, eventually, login, startE2E } from './browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E('dead-letters');
});
afterAll(async () => {
  await e2e?.close();
});

/** Sends to a DLQ as the function that consumes the queue would (its own environment and key). */
async function deadLetter(
  queue: QueueName,
  fn: FunctionName,
  body: unknown,
  group: string,
  attrs: Record<string, string>,
) {
  const { stack } = e2e;
  const env =
    (stack as { functionEnv?: Record<string, Record<string, string>> }).functionEnv?.[fn] ?? stack.env;
  const sqs = new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env[envNames.dlqUrl(queue)],
        MessageBody: JSON.stringify(body),
        MessageAttributes: Object.fromEntries(
          Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
        MessageGroupId: group,
        MessageDeduplicationId: `${group}-${Date.now()}-${Math.random()}`.slice(-128),
      }),
    );
  } finally {
    sqs.destroy();
  }
}

test('an admin sees what failed, when and why, reprocesses a customer’s message into the inbox and discards a failed send', async () => {
  const { stack, browser } = e2e;
  const customer = '5521977776666';
  const pnid = stack.demo.phoneNumberId;
  const now = Date.now();
  await deadLetter(
    'inbound',
    'inbound',
    {
      kind: 'message',
      phoneNumberId: pnid,
      contact: { waId: customer, name: 'Cliente da Falha' },
      message: {
        from: customer,
        id: `wamid.dead-letter-${now}`,
        timestamp: String(Math.floor(now / 1000)),
        type: 'text',
        text: { body: 'Mensagem que ficou para trás' },
      },
      receivedAt: now,
    },
    `${pnid}:${customer}`,
    {
      reason: 'RETRIES_EXHAUSTED: 52 attempts over 6 h; last error: ProvisionedThroughputExceededException',
      failedAt: new Date(now).toISOString(),
      source: 'inbound',
    },
  );
  await deadLetter(
    'outbound',
    'outbound',
    { kind: 'send', accountId: stack.demo.accountId, conversationId: 'conv-gone', messageId: 'm-gone' },
    'conv-gone',
    {
      reason: 'PERMANENT: Graph API error 131026 (HTTP 400)',
      failedAt: new Date(now).toISOString(),
      source: 'outbound',
    },
  );
  // Moved by SQS's own redrive: no attributes.
  await deadLetter(
    'inbound',
    'inbound',
    {
      kind: 'status',
      phoneNumberId: pnid,
      status: { id: 'wamid.s', status: 'read', recipient_id: customer },
    },
    `${pnid}:status`,
    {},
  );
  // Names no account: nobody's page.
  await deadLetter('inbound', 'inbound', { kind: 'unparsed', raw: '{' }, 'nobody', {
    reason: 'INVALID_PAYLOAD: nobody',
  });

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  await login(page, stack);
  await page.getByTestId('nav-failures').click();
  await page.getByTestId('dead-letters').waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/falhas');
  // The address opens the page by itself.
  await page.reload();
  await page.getByTestId('dead-letters').waitFor();
  const rows = page.getByTestId('dead-letter');
  await eventually(async () => ((await rows.count()) === 3 ? true : undefined), 'three failures listed');

  const message = rows.filter({ hasText: 'Mensagem do cliente (text)' });
  assert.match((await message.textContent()) ?? '', /•••• 6666/);
  assert.ok(
    !((await page.getByTestId('dead-letters').textContent()) ?? '').includes(customer),
    'phone masked',
  );
  assert.match(
    (await message.getByTestId('dead-letter-reason').textContent()) ?? '',
    /^RETRIES_EXHAUSTED: 52 attempts over 6 h/,
  );
  assert.equal(
    await rows
      .filter({ hasText: 'Status de entrega (read)' })
      .getByTestId('dead-letter-reason')
      .textContent(),
    'excedeu o número de tentativas',
  );
  assert.equal(await page.getByText('INVALID_PAYLOAD: nobody').count(), 0);

  // Reprocessar: the customer's message reaches the inbox.
  await message.getByTestId('dead-letter-redrive').click();
  await message.waitFor({ state: 'detached' });
  const get = await apiAs(stack);
  await eventually(async () => {
    const list = await get<{ items: { contactPhone: string; lastMessage?: { text?: string } }[] }>(
      '/api/conversations?view=all',
    );
    return list.items.find(
      (c) => c.contactPhone === customer && c.lastMessage?.text === 'Mensagem que ficou para trás',
    );
  }, 'the reprocessed message in the inbox');

  // Descartar, confirmed: gone, and gone after a refresh too.
  const send = rows.filter({ hasText: 'Mensagem enviada' });
  await send.getByTestId('dead-letter-discard').click();
  await send.waitFor({ state: 'detached' });
  assert.deepEqual(dialogs, ['Descartar este item? Ele será apagado e não poderá ser reprocessado.']);
  await page.getByTestId('dead-letters-refresh').click();
  await eventually(async () => ((await rows.count()) === 1 ? true : undefined), 'one failure left');
  assert.deepEqual(errors, []);
  await context.close();
});
