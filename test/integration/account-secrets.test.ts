/**
 * Tenants' secrets live in Secrets Manager, split by who may read them (issue 12, finding
 * 8): the local stand-in refuses, as IAM would, a function reading a secret its grants in
 * infra/topology.ts do not cover — fn webhook cannot read access tokens — and a number's
 * token, app secret and verify token, and the account's LLM key, never appear in the table
 * nor in API answers.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort } from '#infra/local/ports.ts';
import {
  LOCAL_SECRET_PREFIX,
  loadOrCreateSecrets,
  startLocalSecrets,
  type LocalSecrets,
  type SecretValues,
} from '#infra/local/secrets.ts';
import { localIdentities } from '#infra/local/stack.ts';
import { accountSecrets, accountSecretName } from '#shared/secrets/account-secrets.ts';
import { createAiPort } from '#shared/assistant/ai-port.ts';
import { assistantJobSchema, processAssistantJob } from '#shared/assistant/process-job.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';
import { startScriptedLlm, type ScriptedLlm } from './llm-server.ts';

describe("each function reads only the tenants' secrets its grants cover (local stand-in)", () => {
  let server: LocalSecrets;
  const accountId = `01ACC${randomBytes(6).toString('hex').toUpperCase()}`;
  const clientAs = (fn: string) =>
    new SecretsManagerClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: `local${fn}`, secretAccessKey: 'local' },
    });
  const as = (fn: string) => accountSecrets(clientAs(fn), LOCAL_SECRET_PREFIX);

  beforeAll(async () => {
    server = await startLocalSecrets({
      port: await freePort(),
      values: {
        whatsapp: { accessToken: 'deployment-token' },
        'whatsapp-webhook': { appSecret: 'deployment-app-secret', verifyToken: 'v' },
      } as unknown as SecretValues,
      identities: localIdentities(),
    });
    // fn api saves a number's token and app secret (it is granted writing both).
    await as('api').update(accountId, 'credentials', (d) => {
      d.numbers.N1 = { accessToken: 'EAAG-token-of-n1' };
    });
    await as('api').update(accountId, 'webhook', (d) => {
      d.numbers.N1 = { appSecret: 'app-secret-of-n1', verifyToken: 'verify-of-n1' };
    });
  });
  afterAll(() => server.stop());

  test('fn webhook reads app secrets and verify tokens, and is refused the access tokens', async () => {
    assert.equal((await as('webhook').read(accountId, 'webhook')).numbers.N1?.appSecret, 'app-secret-of-n1');
    await assert.rejects(as('webhook').read(accountId, 'credentials'), { name: 'AccessDeniedException' });
    await assert.rejects(
      clientAs('webhook').send(
        new GetSecretValueCommand({
          SecretId: accountSecretName(LOCAL_SECRET_PREFIX, accountId, 'credentials'),
        }),
      ),
      { name: 'AccessDeniedException' },
    );
    // Nor may it write a tenant's secrets.
    await assert.rejects(
      as('webhook').update(accountId, 'webhook', (d) => {
        d.numbers.N1 = { appSecret: 'forged' };
      }),
      { name: 'AccessDeniedException' },
    );
  });

  test("fn webhook reads the deployment's app secret and verify token, and is refused its access token", async () => {
    const get = (fn: string, name: string) =>
      clientAs(fn).send(new GetSecretValueCommand({ SecretId: `${LOCAL_SECRET_PREFIX}/${name}` }));
    const webhook = JSON.parse((await get('webhook', 'whatsapp-webhook')).SecretString!);
    assert.deepEqual(webhook, { appSecret: 'deployment-app-secret', verifyToken: 'v' });
    await assert.rejects(get('webhook', 'whatsapp'), { name: 'AccessDeniedException' });
    // The functions that call Graph read the token, and have no use for the webhook's secret.
    for (const fn of ['inbound', 'outbound']) {
      assert.equal(JSON.parse((await get(fn, 'whatsapp')).SecretString!).accessToken, 'deployment-token');
      await assert.rejects(get(fn, 'whatsapp-webhook'), { name: 'AccessDeniedException' });
    }
  });

  test('fn outbound reads the access tokens and not the webhook secrets; fn ws neither', async () => {
    assert.equal(
      (await as('outbound').read(accountId, 'credentials')).numbers.N1?.accessToken,
      'EAAG-token-of-n1',
    );
    await assert.rejects(as('outbound').read(accountId, 'webhook'), { name: 'AccessDeniedException' });
    await assert.rejects(as('ws').read(accountId, 'credentials'), { name: 'AccessDeniedException' });
  });

  test('a request signed by no known function is refused (e.g. a server-side fetch pointed at the stand-in)', async () => {
    await assert.rejects(as('stranger').read(accountId, 'credentials'), {
      name: 'UnrecognizedClientException',
    });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'secretsmanager.GetSecretValue',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ SecretId: `${LOCAL_SECRET_PREFIX}/whatsapp` }),
    });
    assert.equal(res.status, 400);
    assert.ok(!(await res.text()).includes('deployment-token'));
  });
});

describe("numbers' secrets are in Secrets Manager only", () => {
  let kit: ApiKit;
  let tenant: SeededTenant;
  let token: string;
  const values = {
    accessToken: `EAAG-${randomBytes(8).toString('hex')}`,
    appSecret: `app-${randomBytes(8).toString('hex')}`,
    verifyToken: `verify-${randomBytes(8).toString('hex')}`,
  };

  beforeAll(async () => {
    kit = await createApiKit();
    tenant = await seedTenant(kit, { role: 'admin' });
    token = (await loginAs(kit, tenant)).accessToken;
  });

  test('after saving them, no table item and no API answer holds them; the account secret does', async () => {
    const saved = await kit.call('PATCH', `/api/numbers/${tenant.number.id}`, { token, body: values });
    assert.equal(saved.status, 200);
    const answers = [
      saved.body,
      (await kit.call('GET', '/api/numbers', { token })).body,
      (await kit.call('GET', `/api/numbers/${tenant.number.id}`, { token })).body,
    ];
    const items = (await kit.deps.ddb.send(new ScanCommand({ TableName: kit.deps.tableName }))).Items ?? [];
    const everything = JSON.stringify([answers, items]);
    for (const v of Object.values(values)) assert.ok(!everything.includes(v), 'a secret leaked');
    assert.ok(!everything.includes('EAAG-secret-number-token'));
    assert.deepEqual(
      [answers[2].hasToken, answers[2].hasAppSecret, answers[2].hasVerifyToken],
      [true, true, true],
    );
    const secrets = kit.deps.accountSecrets!;
    assert.equal(
      (await secrets.read(tenant.accountId, 'credentials')).numbers[tenant.number.id]?.accessToken,
      values.accessToken,
    );
    assert.equal(
      (await secrets.read(tenant.accountId, 'webhook')).numbers[tenant.number.id]?.verifyToken,
      values.verifyToken,
    );
  });
});

describe("the account's LLM key is in its credentials secret only (issue 12, finding 8)", () => {
  let server: LocalSecrets;
  let kit: ApiKit;
  let llm: ScriptedLlm;
  const tenants: { t: SeededTenant; token: string; key: string }[] = [];
  const clientAs = (fn: string) =>
    new SecretsManagerClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: `local${fn}`, secretAccessKey: 'local' },
    });

  beforeAll(async () => {
    // The stand-in enforcing each function's grants: fn api saves, fn assistant reads.
    server = await startLocalSecrets({
      port: await freePort(),
      values: {} as SecretValues,
      identities: localIdentities(),
    });
    kit = await createApiKit();
    kit.deps.accountSecrets = accountSecrets(clientAs('api'), LOCAL_SECRET_PREFIX);
    llm = await startScriptedLlm();
    kit.deps.outbound = outboundPolicy(llm.baseUrl);
    for (const name of ['Loja A', 'Loja B']) {
      const t = await seedTenant(kit, { name, role: 'admin' });
      tenants.push({
        t,
        token: (await loginAs(kit, t)).accessToken,
        key: `sk-${randomBytes(12).toString('hex')}`,
      });
    }
  });
  afterAll(async () => {
    await llm.stop();
    await server.stop();
  });

  /** A "Testar" turn of a new assistant of this tenant, answered by fn assistant's code. */
  async function answerAs(tenant: (typeof tenants)[number]) {
    const a = await kit.call('POST', '/api/assistants', {
      token: tenant.token,
      body: { name: 'Ana', model: 'gpt-4o-mini', tools: [] },
    });
    const started = await kit.call('POST', `/api/assistants/${a.body.id}/test`, { token: tenant.token });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const sent = await kit.call(
      'POST',
      `/api/assistants/${a.body.id}/test/${started.body.conversation.id}/messages`,
      { token: tenant.token, body: { text: 'oi' } },
    );
    assert.equal(sent.status, 202);
    const port = createAiPort({
      ddb: kit.deps.ddb,
      tableName: kit.deps.tableName,
      now: () => kit.clock.now,
      searchKnowledge: async () => [],
      backoffMs: [1],
      outbound: outboundPolicy(llm.baseUrl),
      // As fn assistant: its own identity on the stand-in.
      accountSecrets: accountSecrets(clientAs('assistant'), LOCAL_SECRET_PREFIX),
    });
    const engine = {
      ...kit.deps,
      graph: undefined,
      defaultToken: async () => undefined,
      log: () => {},
      port,
    } as unknown as Parameters<typeof processAssistantJob>[1];
    llm.script.push({ content: `Olá da ${tenant.t.accountId}` });
    const jobs = await kit.receiveAssistant();
    assert.equal(jobs.length, 1);
    assert.equal(await processAssistantJob(assistantJobSchema.parse(jobs[0]), engine), 'answered');
    return llm.requests.at(-1)!.headers.authorization;
  }

  test("saved through the API: never in the table nor an answer; each account's assistant calls with its own key", async () => {
    const answers: unknown[] = [];
    for (const x of tenants) {
      const saved = await kit.call('PATCH', '/api/ai/settings', {
        token: x.token,
        body: { baseUrl: llm.baseUrl, apiKey: x.key },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const read = await kit.call('GET', '/api/ai/settings', { token: x.token });
      assert.deepEqual([read.body.hasApiKey, read.body.mode, read.body.source], [true, 'online', 'account']);
      answers.push(saved.body, read.body);
    }
    const items = (await kit.deps.ddb.send(new ScanCommand({ TableName: kit.deps.tableName }))).Items ?? [];
    const everything = JSON.stringify([answers, items]);
    for (const x of tenants) assert.ok(!everything.includes(x.key), 'an LLM key leaked');

    for (const x of tenants) assert.equal(await answerAs(x), `Bearer ${x.key}`);
    // fn webhook's identity cannot read it.
    await assert.rejects(
      accountSecrets(clientAs('webhook'), LOCAL_SECRET_PREFIX).read(tenants[0]!.t.accountId, 'credentials'),
      { name: 'AccessDeniedException' },
    );
  });

  test("clearing the key removes it from the secret; the numbers' tokens stay", async () => {
    const [a] = tenants;
    const cleared = await kit.call('PATCH', '/api/ai/settings', { token: a!.token, body: { apiKey: '' } });
    assert.equal(cleared.body.hasApiKey, false);
    const doc = await kit.deps.accountSecrets!.read(a!.t.accountId, 'credentials');
    assert.equal(doc.llmApiKey, undefined);
    assert.equal(doc.numbers[a!.t.number.id]?.accessToken, 'EAAG-secret-number-token');
  });
});

describe('a local secrets file from before the whatsapp split', () => {
  test('is split on load: the app secret and verify token move to whatsapp-webhook, the token stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-secrets-'));
    try {
      const file = join(dir, 'secrets.json');
      const old = {
        whatsapp: { accessToken: 'tok-old', appSecret: 'app-old', verifyToken: 'verify-old' },
        openai: { apiKey: '', baseUrl: '' },
        auth: { jwtSecret: 'jwt-old' },
      };
      writeFileSync(file, JSON.stringify(old));
      const values = loadOrCreateSecrets(file);
      assert.deepEqual(values.whatsapp, { accessToken: 'tok-old' });
      assert.deepEqual(values['whatsapp-webhook'], { appSecret: 'app-old', verifyToken: 'verify-old' });
      assert.equal(values.auth.jwtSecret, 'jwt-old');
      // Written back split, so the next start reads the same values.
      assert.deepEqual(loadOrCreateSecrets(file), values);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).whatsapp, { accessToken: 'tok-old' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
