/**
 * Tenants' secrets live in Secrets Manager, split by who may read them (issue 12, finding
 * 8): the local stand-in refuses, as IAM would, a function reading a secret its grants in
 * infra/topology.ts do not cover — fn webhook cannot read access tokens — and a number's
 * token, app secret and verify token never appear in the table nor in API answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort } from '#infra/local/ports.ts';
import {
  LOCAL_SECRET_PREFIX,
  startLocalSecrets,
  type LocalSecrets,
  type SecretValues,
} from '#infra/local/secrets.ts';
import { localIdentities } from '#infra/local/stack.ts';
import { accountSecrets, accountSecretName } from '#shared/secrets/account-secrets.ts';
import { createApiKit, loginAs, seedTenant, type ApiKit, type SeededTenant } from './api-test-kit.ts';

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

  before(async () => {
    server = await startLocalSecrets({
      port: await freePort(),
      values: {
        whatsapp: { accessToken: 'deployment-token', appSecret: 'a', verifyToken: 'v' },
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
  after(() => server.stop());

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

  before(async () => {
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
