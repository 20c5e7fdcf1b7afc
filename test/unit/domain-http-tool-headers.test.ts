/**
 * Write-only endpoint headers: which stored value a header without a value keeps, and that
 * an endpoint echoing its request never puts a header value into the call record agents read.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  publicHeaders,
  redactHeaderValues,
  resolveToolHeaders,
  type StoredToolHeaders,
  type ToolHeadersInput,
} from '#shared/domain/http-tool-headers.ts';
import { runTool, type ToolContext } from '#shared/assistant/tools.ts';
import { assistantSchema, type Conversation } from '#shared/store/types.ts';

const stored: StoredToolHeaders[] = [
  { name: 'pedido', url: 'https://api.loja.example/p/{id}', headers: { Authorization: 'Bearer abc123' } },
  { name: 'estoque', url: 'https://estoque.example/', headers: { 'X-Key': 'k-999999' } },
];

const cases: {
  name: string;
  incoming: ToolHeadersInput[];
  expect: Record<string, string>[] | { reason: string; header: string };
}[] = [
  {
    name: 'a value sets the header',
    incoming: [{ name: 'novo', url: 'https://x.example', headers: [{ name: 'A', value: '1' }] }],
    expect: [{ A: '1' }],
  },
  {
    name: 'no value keeps the stored one (same name, same origin; name case-insensitive)',
    incoming: [
      { name: 'pedido', url: 'https://api.loja.example/v2/{id}', headers: [{ name: 'authorization' }] },
    ],
    expect: [{ authorization: 'Bearer abc123' }],
  },
  {
    name: 'a renamed endpoint keeps the value of the one at its position',
    incoming: [
      { name: 'pedido', url: 'https://api.loja.example/p', headers: [] },
      { name: 'estoque_v2', url: 'https://estoque.example/v2', headers: [{ name: 'X-Key' }] },
    ],
    expect: [{}, { 'X-Key': 'k-999999' }],
  },
  {
    name: 'a header left out is removed',
    incoming: [{ name: 'pedido', url: 'https://api.loja.example/p', headers: [] }],
    expect: [{}],
  },
  {
    name: 'another origin must get the value again',
    incoming: [{ name: 'pedido', url: 'https://coletor.example/p', headers: [{ name: 'Authorization' }] }],
    expect: { reason: 'moved', header: 'Authorization' },
  },
  {
    name: 'http instead of https is another origin',
    incoming: [{ name: 'pedido', url: 'http://api.loja.example/p', headers: [{ name: 'Authorization' }] }],
    expect: { reason: 'moved', header: 'Authorization' },
  },
  {
    name: 'a header never stored needs a value',
    incoming: [{ name: 'pedido', url: 'https://api.loja.example/p', headers: [{ name: 'X-Outro' }] }],
    expect: { reason: 'missing', header: 'X-Outro' },
  },
  {
    name: 'a new endpoint has nothing to keep',
    incoming: [
      { name: 'a', url: 'https://api.loja.example/p', headers: [] },
      { name: 'b', url: 'https://estoque.example/', headers: [] },
      { name: 'c', url: 'https://c.example/', headers: [{ name: 'X-Key' }] },
    ],
    expect: { reason: 'missing', header: 'X-Key' },
  },
  {
    name: 'the same header twice is refused',
    incoming: [
      {
        name: 'novo',
        url: 'https://x.example',
        headers: [
          { name: 'A', value: '1' },
          { name: 'a', value: '2' },
        ],
      },
    ],
    expect: { reason: 'duplicate', header: 'a' },
  },
];

for (const c of cases)
  test(`resolveToolHeaders: ${c.name}`, () => {
    const r = resolveToolHeaders(c.incoming, stored);
    if (Array.isArray(c.expect)) assert.deepEqual(r, { ok: true, headers: c.expect });
    else assert.deepEqual(r.ok ? r : { reason: r.reason, header: r.header }, c.expect);
  });

test('publicHeaders: names and whether each is set, no value', () => {
  assert.deepEqual(publicHeaders({ Authorization: 'Bearer x', 'X-Vazio': '' }), [
    { name: 'Authorization', set: true },
    { name: 'X-Vazio', set: false },
  ]);
});

test('redactHeaderValues: the whole value and the token after its scheme', () => {
  const h = { Authorization: 'Bearer sk-live-123456', 'X-Key': 'abc' };
  assert.equal(
    redactHeaderValues('{"auth":"Bearer sk-live-123456","t":"sk-live-123456","k":"abc"}', h),
    '{"auth":"***","t":"***","k":"abc"}',
  );
});

test('an endpoint that echoes the request: the call record has no header value', async () => {
  const assistant = assistantSchema.parse({
    id: 'a1',
    accountId: 'acc',
    name: 'Lia',
    tools: ['http_request'],
    httpTools: [
      {
        name: 'eco',
        description: 'Eco',
        method: 'POST',
        url: 'https://api.loja.example/eco',
        headers: { Authorization: 'Bearer sk-live-abcdef', 'X-Api-Key': 'chave-secreta-42' },
      },
    ],
  });
  let sent: Record<string, string> = {};
  const echo = (async (_url: string, init: RequestInit) => {
    sent = init.headers as Record<string, string>;
    return new Response(JSON.stringify({ headers: sent, body: init.body }), { status: 200 });
  }) as unknown as typeof fetch;
  const outcome = await runTool('eco', JSON.stringify({ pedido: '42' }), {
    assistant,
    conversation: {} as Conversation,
    departments: [],
    timeZone: 'America/Sao_Paulo',
    now: 0,
    callKey: 'k',
    searchKnowledge: async () => [],
    setVariable: async () => {},
    bookAppointment: async () => {},
    fetch: echo,
  } satisfies ToolContext);
  assert.equal(sent.Authorization, 'Bearer sk-live-abcdef', 'the endpoint got the key');
  assert.ok(!outcome.result.includes('sk-live-abcdef'), outcome.result);
  assert.ok(!outcome.result.includes('chave-secreta-42'), outcome.result);
  assert.match(outcome.result, /pedido/, JSON.stringify(outcome));
});
