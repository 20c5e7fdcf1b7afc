/**
 * Local stand-in for Secrets Manager (JSON 1.1 protocol): the topology's secrets from a
 * JSON file generated with random values on first start, and the accounts' own secrets.
 * Handlers read secrets through the real SecretsManagerClient, as on AWS.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import webpush from 'web-push';
import { secretNames, secrets as secretDefs, type Grant, type SecretName } from '#infra/topology.ts';
import { LocalStartError } from './errors.ts';
import { listen } from './server-lifecycle.ts';
import { accessKeyIdOf, localArn, LocalIam, statementsForGrants, type LocalResources } from './iam.ts';

export type SecretValues = Record<SecretName, Record<string, string>>;

/** The local stack's secret prefix (on AWS, the stack's name). */
export const LOCAL_SECRET_PREFIX = 'atende';
/** Local secret ids: the logical name with a prefix, as the CDK app names them per stack. */
export const localSecretId = (name: SecretName) => `${LOCAL_SECRET_PREFIX}/${name}`;

function generate(): SecretValues {
  const rnd = (n = 24) => randomBytes(n).toString('hex');
  return {
    whatsapp: { accessToken: `local-token-${rnd(12)}` },
    'whatsapp-webhook': { appSecret: rnd(16), verifyToken: `verify-${rnd(8)}` },
    openai: { apiKey: process.env.OPENAI_API_KEY ?? '', baseUrl: process.env.OPENAI_BASE_URL ?? '' },
    auth: { jwtSecret: rnd(32) },
    push: { ...webpush.generateVAPIDKeys(), subject: 'mailto:suporte@atende.local' },
  };
}

/**
 * A file from before the `whatsapp` secret was split: its app secret and verify token move
 * to `whatsapp-webhook` (the simulator and Meta's webhook settings keep working), and
 * `whatsapp` keeps only the access token. True when the file changed.
 */
function splitWhatsapp(values: Partial<Record<SecretName, Record<string, string>>>): boolean {
  const old = values.whatsapp;
  if (!old || typeof old !== 'object' || (old.appSecret === undefined && old.verifyToken === undefined))
    return false;
  const { appSecret, verifyToken, ...rest } = old;
  values['whatsapp-webhook'] ??= {
    ...(appSecret !== undefined ? { appSecret } : {}),
    ...(verifyToken !== undefined ? { verifyToken } : {}),
  };
  values.whatsapp = rest;
  return true;
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
    let added = splitWhatsapp(values);
    // A secret added since this file was made (e.g. push) is generated now and kept.
    const fresh = generate();
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
  /** Lets the process exit while the stand-in listens (tests). */
  unref(): void;
  stop(): Promise<void>;
}

export type SecretAction = 'read' | 'write';

/** The access key id of a SigV4-signed request (`Credential=<id>/<date>/…`), or undefined. */
export { accessKeyIdOf };

/**
 * A LocalIam for this stand-in alone, from identities' grants: only the secret grants'
 * rows of infra/local/iam.ts matter here (`secret:read:<name>` reads `<prefix>/<name>`;
 * `account-secret:read|write:<kind>` covers `<prefix>/acc/<any account>/<kind>`).
 */
function iamOfIdentities(identities: Record<string, readonly Grant[]>): LocalIam {
  const r = {
    secretIds: Object.fromEntries(secretNames.map((n) => [n, localSecretId(n)])),
    accountSecretsPrefix: LOCAL_SECRET_PREFIX,
  } as unknown as LocalResources;
  return new LocalIam(
    Object.fromEntries(
      Object.entries(identities).map(([key, grants]) => [
        key,
        {
          name: key,
          statements: statementsForGrants(
            grants.filter((g) => g.startsWith('secret:') || g.startsWith('account-secret:')),
            r,
          ),
        },
      ]),
    ),
  );
}

/**
 * Local stand-in for Secrets Manager (JSON 1.1 protocol): GetSecretValue of the topology's
 * secrets, and CreateSecret / PutSecretValue / GetSecretValue of the accounts' own secrets
 * (persisted in `accountFile`). With `identities`, each request is refused with
 * AccessDeniedException, as IAM would, unless the grants of the function whose access key
 * id signed it cover the secret; locally each function runs with its own access key id
 * (infra/local/stack/function-env.ts). The signature itself is not verified.
 */
export async function startLocalSecrets(opts: {
  port: number;
  host?: string;
  values: SecretValues;
  /** Where the accounts' secrets are kept (JSON: name → SecretString); in memory without. */
  accountFile?: string;
  /** Access key id → that function's grants. Without it every caller may do everything. */
  identities?: Record<string, readonly Grant[]>;
  /** The local stack's IAM (infra/local/iam.ts); takes precedence over `identities`. */
  iam?: LocalIam;
}): Promise<LocalSecrets> {
  const iam = opts.iam ?? (opts.identities ? iamOfIdentities(opts.identities) : undefined);
  const fixed = new Map<string, Record<string, string>>();
  for (const name of Object.keys(opts.values) as SecretName[])
    fixed.set(localSecretId(name), opts.values[name]);
  const created = new Map<string, { value: string; version: number; at: number }>();
  if (opts.accountFile && existsSync(opts.accountFile)) {
    const saved = JSON.parse(readFileSync(opts.accountFile, 'utf8')) as Record<string, string>;
    for (const [name, value] of Object.entries(saved))
      created.set(name, { value, version: 1, at: Date.now() });
  }
  const persist = () => {
    if (!opts.accountFile) return;
    const out = Object.fromEntries([...created].map(([k, v]) => [k, v.value]));
    writeFileSync(opts.accountFile, JSON.stringify(out, null, 2), { mode: 0o600 });
  };

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
      const op = target.replace(/^secretsmanager\./, '');
      const action: SecretAction | undefined =
        op === 'GetSecretValue'
          ? 'read'
          : op === 'CreateSecret' || op === 'PutSecretValue'
            ? 'write'
            : undefined;
      if (!action)
        return reply(400, { message: `Unsupported operation ${target}` }, 'InvalidRequestException');
      let input: { SecretId?: string; Name?: string; SecretString?: string };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof input;
      } catch {
        return reply(400, { message: 'Invalid JSON' }, 'InvalidRequestException');
      }
      const id = String((op === 'CreateSecret' ? input.Name : input.SecretId) ?? '');
      const arn = `arn:aws:secretsmanager:local:000000000000:secret:${id}`;
      if (iam) {
        const d = iam.check(accessKeyIdOf(req.headers.authorization), `secretsmanager:${op}`, [
          localArn.secret(id),
        ]);
        if (!d.ok)
          return reply(
            400,
            { message: d.message },
            d.unknownKey ? 'UnrecognizedClientException' : 'AccessDeniedException',
          );
      }
      if (op === 'GetSecretValue') {
        const value = fixed.has(id) ? JSON.stringify(fixed.get(id)) : created.get(id)?.value;
        if (value === undefined)
          return reply(
            400,
            { message: "Secrets Manager can't find the specified secret." },
            'ResourceNotFoundException',
          );
        return reply(200, {
          ARN: arn,
          Name: id,
          SecretString: value,
          VersionId: `v${created.get(id)?.version ?? 1}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Math.floor(Date.now() / 1000),
        });
      }
      if (typeof input.SecretString !== 'string')
        return reply(400, { message: 'SecretString is required' }, 'InvalidParameterException');
      if (fixed.has(id))
        return reply(400, { message: `${id} is managed by the stack` }, 'InvalidRequestException');
      const existing = created.get(id);
      if (op === 'CreateSecret' && existing)
        return reply(
          400,
          { message: `The operation failed because the secret ${id} already exists.` },
          'ResourceExistsException',
        );
      if (op === 'PutSecretValue' && !existing)
        return reply(
          400,
          { message: "Secrets Manager can't find the specified secret." },
          'ResourceNotFoundException',
        );
      const version = (existing?.version ?? 0) + 1;
      created.set(id, { value: input.SecretString, version, at: Date.now() });
      persist();
      return reply(200, {
        ARN: arn,
        Name: id,
        VersionId: `v${version}`,
        ...(op === 'PutSecretValue' ? { VersionStages: ['AWSCURRENT'] } : {}),
      });
    });
  });
  await listen(server, opts.port, opts.host ?? '127.0.0.1');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    unref: () => void server.unref(),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
