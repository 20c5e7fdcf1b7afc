/**
 * The inbox at scale (INB, issue [4/5]): seeds N conversations into one account of a
 * running local stack (straight into its DynamoDB Local, with the keys the engine writes)
 * and times the API's first page of every view, sort, filter and search, over HTTP on
 * the same machine (so the figure is server time plus a local round trip).
 *
 * Mix of the seeded conversations (a busy account's history): 70 % closed, 5 % in the
 * triage menu, 5 % open to no one, 8 % with a department, 12 % with one of 10 agents
 * (half of those also with a department). Every conversation gets its search terms;
 * one in ten gets the protocol lookup of its attendance.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { bucketOf } from '#shared/domain/inbox.ts';
import { chatStateOf, inboxKeys, searchTermsOf } from '#shared/store/inbox.ts';
import { keys } from '#shared/store/keys.ts';
import type { Conversation } from '#shared/store/types.ts';

const FIRST = [
  'Maria',
  'José',
  'Ana',
  'João',
  'Francisca',
  'Antônio',
  'Adriana',
  'Carlos',
  'Juliana',
  'Paulo',
  'Márcia',
  'Pedro',
  'Fernanda',
  'Lucas',
  'Patrícia',
  'Gabriel',
  'Aline',
  'Rafael',
  'Camila',
  'Bruno',
];
const LAST = [
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Rodrigues',
  'Ferreira',
  'Alves',
  'Pereira',
  'Lima',
  'Gomes',
  'Costa',
  'Ribeiro',
  'Martins',
  'Carvalho',
  'Almeida',
  'Lopes',
  'Soares',
  'Fernandes',
  'Vieira',
  'Barbosa',
];

interface Api {
  url: string;
  token: string;
}

async function call(api: Api, method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function login(url: string, email: string, password: string): Promise<Api> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { url, token: accessToken };
}

async function writeAll(ddb: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]) {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending: Record<string, unknown>[] | undefined = chunks[next++]!.map((Item) => ({
        PutRequest: { Item },
      }));
      for (let attempt = 0; pending?.length; attempt++) {
        const res: BatchWriteCommandOutput = await ddb.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = res.UnprocessedItems?.[tableName];
        if (pending?.length) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface InboxBenchInput {
  apiUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  adminEmail: string;
  password: string;
  conversations: number;
  repeat?: number;
}

export async function benchInbox(input: InboxBenchInput): Promise<Record<string, unknown>> {
  const admin = await login(input.apiUrl, input.adminEmail, input.password);
  const me = (await call(admin, 'GET', '/api/me')) as { accountId: string };
  const accountId = me.accountId;
  const numbers = (await call(admin, 'GET', '/api/numbers')) as {
    items: { id: string; name: string; color: string }[];
  };
  const number = numbers.items[0]!;

  // People: 4 departments, 10 agents (the last one, Agente 9, sees only Suporte-like dept 0).
  const depts = ((await call(admin, 'GET', '/api/departments')) as { items: { id: string }[] }).items.map(
    (d) => d.id,
  );
  while (depts.length < 4)
    depts.push(
      (
        (await call(admin, 'POST', '/api/departments', { name: `Setor ${depts.length + 1}` })) as {
          id: string;
        }
      ).id,
    );
  const agents: { id: string; email: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const email = `bench-agent-${i}-${Date.now()}@atende.local`;
    const u = (await call(admin, 'POST', '/api/users', {
      name: `Agente ${i}`,
      email,
      password: 'bench-password',
      role: 'agent',
      departmentIds: [depts[i % depts.length]],
    })) as { id: string };
    agents.push({ id: u.id, email });
  }

  // Conversations.
  const raw = new DynamoDBClient({ endpoint: input.dynamoEndpoint });
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const now = Date.now();
  const items: Record<string, unknown>[] = [];
  const sample = { name: '', phone: '', protocol: '' };
  const t0 = performance.now();
  let written = 0;
  for (let i = 0; i < input.conversations; i++) {
    const r = i % 100;
    const id = `01BENCH${String(i).padStart(19, '0')}`;
    const lastMessageAt = now - ((i * 7919) % (90 * 24 * 3600_000));
    const openedAt = lastMessageAt - ((i * 104729) % (6 * 3600_000));
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${LAST[(i * 7) % LAST.length]}`;
    const phone = `55${11 + (i % 80)}9${String(10000000 + i).slice(-8)}`;
    const protocol = `2026${String(1101 + (i % 28)).padStart(4, '0')}-${String(i).padStart(6, '0')}`;
    const conv: Conversation = {
      id,
      accountId,
      numberId: number.id,
      contactId: `C${id}`,
      contactName: name,
      contactPhone: phone,
      numberName: number.name,
      numberColor: number.color,
      status: r < 70 ? 'closed' : 'open',
      protocol,
      attendanceId: `A${id}`,
      lastMessageAt,
      lastCustomerMessageAt: lastMessageAt,
      windowExpiresAt: lastMessageAt + 24 * 3600_000,
      lastMessage: { text: 'Olá, tudo bem?', type: 'text', direction: 'in', at: lastMessageAt },
      unread: r % 3 === 0 ? 1 : 0,
      ...(r >= 70 && r < 75 ? { routingStage: 'menu' as const } : { routingStage: 'people' as const }),
      ...(r >= 80 && r < 88 ? { departmentId: depts[i % depts.length] } : {}),
      ...(r >= 88 ? { agentId: agents[i % agents.length]!.id } : {}),
      ...(r >= 94 ? { departmentId: depts[i % depts.length] } : {}),
      openedAt,
      createdAt: openedAt,
    };
    if (i === Math.floor(input.conversations / 2)) Object.assign(sample, { name, phone, protocol });
    const bucket = bucketOf(chatStateOf(conv), now);
    items.push({ ...keys.conversation(accountId, id), ...conv, ...inboxKeys(conv, bucket, openedAt) });
    for (const term of searchTermsOf(conv))
      items.push({ ...keys.searchTerm(accountId, term, id), conversationId: id });
    if (i % 10 === 0)
      items.push({
        ...keys.attendance(accountId, id, conv.attendanceId!),
        ...keys.conversationByProtocol(accountId, protocol),
        conversationId: id,
        protocol,
        openedAt,
      });
    if (items.length >= 5000) {
      written += items.length;
      await writeAll(ddb, input.tableName, items.splice(0));
    }
  }
  written += items.length;
  await writeAll(ddb, input.tableName, items.splice(0));
  const seedSeconds = (performance.now() - t0) / 1000;
  raw.destroy();

  // Timings: each request `repeat` times; the median and the worst, in ms.
  const repeat = input.repeat ?? 7;
  const time = async (api: Api, path: string) => {
    const ms: number[] = [];
    let count = 0;
    for (let k = 0; k < repeat; k++) {
      const t = performance.now();
      const body = await call(api, 'GET', path);
      ms.push(performance.now() - t);
      count = Array.isArray(body.items) ? body.items.length : Object.keys(body).length;
    }
    return { p50: Number(median(ms).toFixed(1)), max: Number(Math.max(...ms).toFixed(1)), items: count };
  };
  const agent = await login(input.apiUrl, agents[0]!.email, 'bench-password');
  const firstPages: Record<string, unknown> = {};
  for (const [who, api] of [
    ['admin', admin],
    ['agent', agent],
  ] as const)
    for (const view of ['all', 'open', 'mine', 'service'])
      for (const sort of ['latest', 'oldestOpening'])
        firstPages[`${who}.${view}.${sort}`] = await time(
          api,
          `/api/conversations?view=${view}&sort=${sort}&limit=30`,
        );
  const filtered = {
    'admin.all.unread': await time(admin, '/api/conversations?view=all&unread=true&limit=30'),
    'admin.all.department': await time(
      admin,
      `/api/conversations?view=all&departmentId=${depts[1]}&limit=30`,
    ),
    'admin.open.expired': await time(admin, '/api/conversations?view=open&tag=expired&limit=30'),
    'admin.all.agent': await time(admin, `/api/conversations?view=all&agentId=${agents[3]!.id}&limit=30`),
  };
  const firstWord = sample.name.split(' ')[0]!;
  const search = {
    [`name "${firstWord}"`]: await time(
      admin,
      `/api/conversations?q=${encodeURIComponent(firstWord)}&limit=30`,
    ),
    [`name "${sample.name}"`]: await time(
      admin,
      `/api/conversations?q=${encodeURIComponent(sample.name)}&limit=30`,
    ),
    'phone (full)': await time(admin, `/api/conversations?q=${sample.phone}&limit=30`),
    'phone (without 55)': await time(admin, `/api/conversations?q=${sample.phone.slice(2)}&limit=30`),
    protocol: await time(admin, `/api/conversations?q=${sample.protocol}&limit=30`),
    'protocol (no dash)': await time(
      admin,
      `/api/conversations?q=${sample.protocol.replace('-', '')}&limit=30`,
    ),
  };
  const counts = {
    admin: await time(admin, '/api/conversations/counts'),
    agent: await time(agent, '/api/conversations/counts'),
  };
  const all = [...Object.values(firstPages), ...Object.values(filtered), ...Object.values(search)] as {
    p50: number;
  }[];
  return {
    conversations: input.conversations,
    itemsWritten: written,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    firstPageMs: firstPages,
    filteredFirstPageMs: filtered,
    searchMs: search,
    countsMs: counts,
    worstP50Ms: Math.max(...all.map((x) => x.p50)),
  };
}
