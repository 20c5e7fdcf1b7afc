/**
 * fn webhook: Meta's webhook (GET handshake, POST events). Wiring only: configuration and
 * clients at cold start, the service in shared/webhook.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamo, secretsManager, sqs } from '#shared/aws/clients.ts';
import { findNumberByPhoneNumberId } from '#shared/store/numbers.ts';
import { loadConfig } from '#shared/config.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { handleWebhook, type WebhookDeps } from '#shared/webhook/handle-webhook.ts';
import { log } from '#shared/log.ts';

const config = loadConfig();
const numberSecretCache = new Map<
  string,
  { at: number; value: { appSecret?: string; verifyToken?: string } | undefined }
>();

const deps: WebhookDeps = {
  secrets: async () => {
    const s = await readSecret(secretsManager(), config.secretIds.whatsapp!);
    return { appSecret: String(s.appSecret ?? ''), verifyToken: String(s.verifyToken ?? '') };
  },
  numberSecrets: async (phoneNumberId) => {
    // Cached per process for a minute: the webhook is hot and secrets change rarely.
    const hit = numberSecretCache.get(phoneNumberId);
    if (hit && Date.now() - hit.at < 60_000) return hit.value;
    const n = await findNumberByPhoneNumberId(dynamo(), config.tableName, phoneNumberId);
    const value = n ? { appSecret: n.appSecret, verifyToken: n.verifyToken } : undefined;
    numberSecretCache.set(phoneNumberId, { at: Date.now(), value });
    return value;
  },
  sqs: sqs(),
  queueUrl: config.queueUrls.inbound!,
  now: Date.now,
  log: (level, msg, data) => log(level, msg, { fn: 'webhook', ...data }),
};

export const handler = middy<APIGatewayProxyEventV2>().handler((event) => handleWebhook(event, deps));
