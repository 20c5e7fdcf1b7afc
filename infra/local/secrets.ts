/**
 * Local stand-in for Secrets Manager's GetSecretValue (JSON 1.1 protocol), serving the
 * topology's secrets from a JSON file generated with random values on first start.
 * Handlers read secrets through the real SecretsManagerClient, as on AWS.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import webpush from 'web-push';
import { secrets as secretDefs, type SecretName } from '#infra/topology.ts';
import { LocalStartError } from './errors.ts';
import { listen } from './scheduler.ts';

export type SecretValues = Record<SecretName, Record<string, string>>;

/** Local secret ids: the logical name with a prefix, as the CDK app names them per stack. */
export const localSecretId = (name: SecretName) => `atende/${name}`;

function generate(): SecretValues {
  const rnd = (n = 24) => randomBytes(n).toString('hex');
  return {
    whatsapp: { accessToken: `local-token-${rnd(12)}`, appSecret: rnd(16), verifyToken: `verify-${rnd(8)}` },
    openai: { apiKey: process.env.OPENAI_API_KEY ?? '', baseUrl: process.env.OPENAI_BASE_URL ?? '' },
    auth: { jwtSecret: rnd(32) },
    push: { ...webpush.generateVAPIDKeys(), subject: 'mailto:suporte@atende.local' },
  };
}

/** Reads the secrets file, creating it on first start; a corrupt file is a clear error. */
export function loadOrCreateSecrets(file: string): SecretValues {
  if (!existsSync(file)) {
    const values = generate();
    writeFileSync(file, JSON.stringify(values, null, 2), { mode: 0o600 });
    return values;
  }
  try {
    const values = JSON.parse(readFileSync(file, 'utf8')) as SecretValues;
    // A secret added since this file was made (e.g. push) is generated now and kept.
    const fresh = generate();
    let added = false;
    for (const name of Object.keys(secretDefs) as SecretName[]) {
      if (values[name] === undefined) {
        values[name] = fresh[name];
        added = true;
      }
      if (typeof values[name] !== 'object') throw new Error(name);
    }
    if (added) writeFileSync(file, JSON.stringify(values, null, 2), { mode: 0o600 });
    return values;
  } catch {
    throw new LocalStartError(
      `The secrets file ${file} is corrupt. Run \`npm start -- --reset\` to start from a clean state.`,
    );
  }
}

export interface LocalSecrets {
  url: string;
  stop(): Promise<void>;
}

export async function startLocalSecrets(opts: {
  port: number;
  host?: string;
  values: SecretValues;
}): Promise<LocalSecrets> {
  const byId = new Map<string, { name: SecretName; value: Record<string, string> }>();
  for (const name of Object.keys(opts.values) as SecretName[]) {
    byId.set(localSecretId(name), { name, value: opts.values[name] });
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        });
        res.end(
          JSON.stringify(type ? { __type: type, message: (body as { message: string }).message } : body),
        );
      };
      if (target !== 'secretsmanager.GetSecretValue') {
        return reply(400, { message: `Unsupported operation ${target}` }, 'InvalidRequestException');
      }
      let id: string;
      try {
        id = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string }).SecretId);
      } catch {
        return reply(400, { message: 'Invalid JSON' }, 'InvalidRequestException');
      }
      const secret = byId.get(id);
      if (!secret) return reply(400, { message: `Secret ${id} not found` }, 'ResourceNotFoundException');
      return reply(200, {
        ARN: `arn:aws:secretsmanager:local:000000000000:secret:${id}`,
        Name: id,
        SecretString: JSON.stringify(secret.value),
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Math.floor(Date.now() / 1000),
      });
    });
  });
  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
