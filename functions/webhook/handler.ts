/**
 * fn webhook: Meta's webhook (GET handshake, POST events). Wiring only: configuration and
 * clients at cold start, the service in shared/webhook.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretsManager, sqs } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { log } from '#shared/log.ts';

const config = loadConfig();

const deps: WebhookDeps = {
  secrets: async () => {
    const s = await readSecret(secretsManager(), config.secretIds.whatsapp!);
    return { appSecret: String(s.appSecret ?? ''), verifyToken: String(s.verifyToken ?? '') };
  },
  sqs: sqs(),
  queueUrl: config.queueUrls.inbound!,
  now: Date.now,
  log: (level, msg, data) => log(level, msg, { fn: 'webhook', ...data }),
};

export const handler = middy<APIGatewayProxyEventV2>().handler((event) => handleWebhook(event, deps));
