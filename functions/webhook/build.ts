/**
 * fn webhook: Meta's webhook (GET handshake, POST events). Wiring only: configuration and
 * clients at cold start, the service in shared/webhook. `buildWebhookHandler` takes its
 * dependencies (tests give their own); `handler` is built from the environment.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamo, secretsManager, sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import {
  cachedNumberSecrets,
  cachedWabaSecrets,
  numberSecretsFrom,
  wabaSecretsFrom,
} from '#shared/webhook/number-secrets-cache.ts';
import { accountSecrets } from '#shared/secrets/account-secrets.ts';
import { log, withLogContext } from '#shared/log.ts';

export function buildWebhookHandler(deps: WebhookDeps) {
  return middy<APIGatewayProxyEventV2>().handler((event) =>
    withLogContext({ correlationId: event.requestContext?.requestId }, () => handleWebhook(event, deps)),
  );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeps {
  const config = loadConfig(env, 'webhook');
  const whatsappWebhookSecret = config.secretIds.whatsappWebhook!;
  const tenants = {
    ddb: dynamo(),
    tableName: config.tableName,
    secrets: config.accountSecretsPrefix
      ? accountSecrets(secretsManager(), config.accountSecretsPrefix)
      : undefined,
  };
  return {
    // The `whatsapp-webhook` secret: app secret and verify token, never the access token.
    secrets: async () => {
      const s = await readSecret(secretsManager(), whatsappWebhookSecret);
      return { appSecret: String(s.appSecret ?? ''), verifyToken: String(s.verifyToken ?? '') };
    },
    // A minute per number, at most 500 numbers (shared/webhook/number-secrets-cache.ts).
    numberSecrets: cachedNumberSecrets(numberSecretsFrom(tenants)),
    // WABA-level events (template status…): the own app secrets of that WABA's numbers.
    wabaSecrets: cachedWabaSecrets(wabaSecretsFrom(tenants)),
    sqs: sqs(),
    queueUrl: config.queueUrls.inbound!,
    // Grant queue:dead-letter:inbound: malformed items go there with their reason.
    deadLetterQueueUrl: config.dlqUrls.inbound,
    now: Date.now,
    log,
  };
}
