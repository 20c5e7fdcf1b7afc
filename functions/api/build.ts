/**
 * fn api: `ANY /api/{proxy+}` (API Gateway HTTP API, payload 2.0). Wiring only: CORS, the
 * error mapping, authentication (public routes excepted), JSON body, then the router over
 * shared/api/routes.ts. `buildApiHandler` takes a function giving its dependencies
 * (called on the first request); tests build it with their own, ./handler.ts with the
 * environment's, read at cold start.
 */
import middy from '@middy/core';
import { monotonicFactory } from 'ulid';
import { dynamo, s3, secretsManager, sqs, wsManagement } from '#shared/aws/clients.ts';
import { schedulerTargetFromConfig } from '#shared/engine/engine-deps.ts';
import { vapidFromSecret } from '#shared/push/web-push.ts';
import { defaultLlmFromSecret } from '#shared/assistant/llm-config.ts';
import { loadConfig, type Config } from '#shared/config.ts';
import { authenticate } from '#shared/http/auth.ts';
import { cors } from '#shared/http/cors.ts';
import { httpErrorHandler } from '#shared/http/error-handler.ts';
import { jsonBody } from '#shared/http/json-body.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';
import type { ApiDeps } from '#shared/api/api-deps.ts';
import { createRouter } from '#shared/api/router.ts';
import { routes } from '#shared/api/routes.ts';
import { checkAccessClaims } from '#shared/api/auth-service.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { accountSecrets } from '#shared/secrets/account-secrets.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import { outboundPolicy } from '#shared/net/outbound-url.ts';
import { queueNames } from '#infra/topology.ts';
import { withLogContext } from '#shared/log.ts';

export function defaultApiDeps(config: Config): ApiDeps {
  const secretId = config.secretIds.auth;
  return {
    ddb: dynamo(),
    tableName: config.tableName,
    s3: s3(),
    mediaBucket: config.mediaBucket,
    sqs: sqs(),
    outboundQueueUrl: config.queueUrls.outbound,
    assistantQueueUrl: config.queueUrls.assistant,
    deadLetters: Object.fromEntries(
      queueNames.flatMap((q) => {
        const dlqUrl = config.dlqUrls[q];
        return dlqUrl ? [[q, { dlqUrl, queueUrl: config.queueUrls[q] }]] : [];
      }),
    ),
    ws: config.wsEndpoint ? wsManagement(config.wsEndpoint) : undefined,
    scheduler: schedulerTargetFromConfig(config),
    vapid: vapidFromSecret(secretsManager(), config.secretIds.push),
    defaultLlm: defaultLlmFromSecret(secretsManager(), config.secretIds.openai, config.openaiBaseUrl),
    outbound: outboundPolicy(config.outboundAllowedOrigins),
    accountSecrets: config.accountSecretsPrefix
      ? accountSecrets(secretsManager(), config.accountSecretsPrefix)
      : undefined,
    whatsapp: {
      graph: createGraphClient({ baseUrl: config.graphUrl, version: config.graphVersion }),
      defaultToken: async () => {
        if (!config.secretIds.whatsapp) return undefined;
        const s = await readSecret(secretsManager(), config.secretIds.whatsapp);
        return typeof s.accessToken === 'string' && s.accessToken ? s.accessToken : undefined;
      },
    },
    getJwtKey: async () => {
      if (!secretId) throw new Error('AUTH_SECRET_ID is not configured');
      // Loaded on first use: tests build the handler with their own key.
      const { loadJwtKey } = await import('#shared/auth/jwt-key.ts');
      return loadJwtKey(secretsManager(), secretId);
    },
    now: Date.now,
    newId: monotonicFactory(),
  };
}

export function buildApiHandler(getDeps: () => ApiDeps) {
  let deps: ApiDeps | undefined;
  const d = () => (deps ??= getDeps());
  const router = createRouter(routes);
  return (
    middy<HttpEvent, HttpResult>()
      .use(cors())
      .use(httpErrorHandler())
      // Authenticate before parsing: an anonymous caller's body is never looked at.
      .use(
        authenticate({
          getKey: () => d().getJwtKey(),
          now: () => d().now(),
          isPublic: router.isPublic,
          checkClaims: (claims) => checkAccessClaims(d(), claims),
        }),
      )
      .use(jsonBody())
      .handler((event) =>
        withLogContext({ correlationId: event.requestContext?.requestId }, () => router.dispatch(event, d())),
      )
  );
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiDeps {
  return defaultApiDeps(loadConfig(env, 'api'));
}
