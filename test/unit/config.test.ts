import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadConfig } from '#shared/config.ts';

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
