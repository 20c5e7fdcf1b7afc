import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { functionNames, type FunctionName } from '#infra/topology.ts';
import { grantedEnvNames, loadConfig } from '#shared/config.ts';

test('a missing TABLE_NAME fails at cold start with the variable name', () => {
  assert.throws(() => loadConfig({}), /TABLE_NAME/);
});

test('the Graph API URL defaults to Meta and can be pointed at the simulator', () => {
  assert.equal(loadConfig({ TABLE_NAME: 't' }).graphUrl, 'https://graph.facebook.com');
  assert.equal(
    loadConfig({ TABLE_NAME: 't', WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9' }).graphUrl,
    'http://127.0.0.1:9',
  );
});

describe("each function's configuration, from its grants", () => {
  /** A complete environment for `fn`: every variable its grants give, with a plausible value. */
  const fullEnv = (fn: FunctionName) =>
    Object.fromEntries(grantedEnvNames(fn).map((name) => [name, `value-of-${name}`]));

  test.each(functionNames)('%s: complete, it loads; each missing variable fails naming it', (fn) => {
    const env = fullEnv(fn);
    assert.ok(Object.keys(env).includes('TABLE_NAME'));
    assert.equal(loadConfig(env, fn).tableName, 'value-of-TABLE_NAME');
    for (const name of Object.keys(env)) {
      const { [name]: _missing, ...rest } = env;
      assert.throws(
        () => loadConfig(rest, fn),
        (err: Error) => err.message.includes(`${name}: missing`) && err.message.includes(`function ${fn}`),
        `${fn} without ${name}`,
      );
    }
  });

  test("the grants' variables, as the topology declares them", () => {
    assert.deepEqual(grantedEnvNames('webhook'), [
      'ACCOUNT_SECRETS_PREFIX',
      'INBOUND_DLQ_URL',
      'INBOUND_QUEUE_URL',
      'TABLE_NAME',
      'WHATSAPP_WEBHOOK_SECRET_ID',
    ]);
    assert.deepEqual(grantedEnvNames('ws'), ['AUTH_SECRET_ID', 'TABLE_NAME', 'WS_MANAGEMENT_ENDPOINT']);
  });

  test('a malformed variable fails naming it; what a function was not granted is not read', () => {
    const env = { ...fullEnv('webhook'), OUTBOUND_ALLOWED_ORIGINS: 'ftp://nope' };
    assert.throws(() => loadConfig(env, 'webhook'), /OUTBOUND_ALLOWED_ORIGINS: a comma-separated list/);
    const webhook = loadConfig({ ...fullEnv('webhook'), OUTBOUND_QUEUE_URL: 'https://q' }, 'webhook');
    assert.equal(webhook.queueUrls.outbound, undefined);
    assert.equal(webhook.queueUrls.inbound, 'value-of-INBOUND_QUEUE_URL');
  });
});
