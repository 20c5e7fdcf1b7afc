/** The engine's dependencies from the environment (built once per cold start). */
import { monotonicFactory } from 'ulid';
import { dynamo, s3, secretsManager, wsManagement } from '#shared/aws/clients.ts';
import type { Config } from '#shared/config.ts';
import { log } from '#shared/log.ts';
import { readSecret } from '#shared/secrets/read-secret.ts';
import { createGraphClient } from '#shared/whatsapp/graph-client.ts';
import type { EngineDeps } from './process-inbound.ts';

export function engineDepsFromConfig(config: Config, fn: string): EngineDeps {
  const newId = monotonicFactory();
  return {
    ddb: dynamo(),
    tableName: config.tableName,
    s3: s3(),
    mediaBucket: config.mediaBucket,
    graph: createGraphClient({ baseUrl: config.graphUrl, version: config.graphVersion }),
    defaultToken: async () => {
      if (!config.secretIds.whatsapp) return undefined;
      const s = await readSecret(secretsManager(), config.secretIds.whatsapp);
      return typeof s.accessToken === 'string' && s.accessToken ? s.accessToken : undefined;
    },
    ws: config.wsEndpoint ? wsManagement(config.wsEndpoint) : undefined,
    newId: () => newId(),
    now: Date.now,
    log: (level, msg, data) => log(level, msg, { fn, ...data }),
  };
}
