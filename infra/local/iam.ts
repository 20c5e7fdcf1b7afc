/**
 * The local realisation of the topology's grants: what IAM is on AWS. One table
 * (`grantRows`) says, for each kind of grant, the environment variables it gives a
 * function and the actions it allows on which resources, mirroring the CDK stack's grantFor
 * (infra/cdk/functions.ts) row by row; a new grant is one row here and one case there.
 *
 * The stand-ins ask `LocalIam.check(accessKeyId, action, resource)` before serving a
 * request (infra/local/aws-proxy.ts in front of DynamoDB Local and fauxqs's SQS, the S3
 * proxy, the scheduler, the WebSocket management API, the Secrets Manager stand-in) and
 * refuse what IAM would refuse, with the message IAM gives.
 */
import {
  envNames,
  functionNames,
  functions as functionDefs,
  queueNames,
  scheduler as schedulerDef,
  type FunctionName,
  type Grant,
  type QueueName,
  secretNames,
  type SecretName,
} from '#infra/topology.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** Where each resource is locally (names, URLs, ARNs): what the CDK stack's tokens resolve to on AWS. */
export interface LocalResources {
  tableName: string;
  /** Local queue names (atende-inbound.fifo …) and their URLs. */
  queueNames: Record<QueueName, { queue: string; dlq: string }>;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  mediaBucket: string;
  secretIds: Record<SecretName, string>;
  accountSecretsPrefix: string;
  schedulerGroup: string;
  schedulerRoleArn: string;
  schedulerTargetArn: string;
  wsEndpoint: string;
}

export interface Statement {
  /** `service:Action`; a trailing `*` matches any suffix (`s3:GetObject*`). */
  actions: readonly string[];
  /** ARNs; `*` matches any run of characters. */
  resources: readonly string[];
}

interface Row {
  env: Record<string, string>;
  allow: Statement[];
}

const arn = {
  table: (r: LocalResources) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${r.tableName}`,
  queue: (name: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`,
  bucket: (r: LocalResources) => `arn:aws:s3:::${r.mediaBucket}`,
  schedules: (r: LocalResources) =>
    `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${r.schedulerGroup}/*`,
  connections: () => `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:local/live/*/@connections/*`,
  secret: (id: string) => `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${id}`,
};
export const localArn = arn;

// The actions CDK's grant helpers give (aws-cdk-lib perms.ts of each service).
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
];
const QUEUE_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const QUEUE_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];
const BUCKET_READ = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const BUCKET_PUT = [
  's3:PutObject',
  's3:PutObjectLegalHold',
  's3:PutObjectRetention',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:Abort*',
];

/**
 * Grant → environment + permissions. Keys are a grant without its last segment when that
 * segment names a queue or a secret (`queue:send` for `queue:send:inbound`).
 */
const grantRows: Record<string, (r: LocalResources, target: string) => Row> = {
  'table:read': (r) => ({
    env: { [envNames.table]: r.tableName },
    allow: [{ actions: TABLE_READ, resources: [arn.table(r), `${arn.table(r)}/index/*`] }],
  }),
  'table:write': (r) => ({
    env: { [envNames.table]: r.tableName },
    allow: [{ actions: TABLE_WRITE, resources: [arn.table(r), `${arn.table(r)}/index/*`] }],
  }),
  'queue:send': (r, q) => ({
    env: { [envNames.queueUrl(q as QueueName)]: r.queueUrls[q as QueueName] },
    allow: [{ actions: QUEUE_SEND, resources: [arn.queue(r.queueNames[q as QueueName].queue)] }],
  }),
  'queue:dead-letter': (r, q) => ({
    env: { [envNames.dlqUrl(q as QueueName)]: r.dlqUrls[q as QueueName] },
    allow: [{ actions: QUEUE_SEND, resources: [arn.queue(r.queueNames[q as QueueName].dlq)] }],
  }),
  'queue:redrive': (r, q) => ({
    env: {
      [envNames.dlqUrl(q as QueueName)]: r.dlqUrls[q as QueueName],
      [envNames.queueUrl(q as QueueName)]: r.queueUrls[q as QueueName],
    },
    allow: [
      { actions: QUEUE_CONSUME, resources: [arn.queue(r.queueNames[q as QueueName].dlq)] },
      { actions: QUEUE_SEND, resources: [arn.queue(r.queueNames[q as QueueName].queue)] },
    ],
  }),
  'bucket:media:read': (r) => ({
    env: { [envNames.mediaBucket]: r.mediaBucket },
    allow: [{ actions: BUCKET_READ, resources: [arn.bucket(r), `${arn.bucket(r)}/*`] }],
  }),
  'bucket:media:write': (r) => ({
    env: { [envNames.mediaBucket]: r.mediaBucket },
    allow: [{ actions: [...BUCKET_PUT, 's3:DeleteObject*'], resources: [`${arn.bucket(r)}/*`] }],
  }),
  'secret:read': (r, s) => ({
    env: { [envNames.secretId(s as SecretName)]: r.secretIds[s as SecretName] },
    allow: [
      {
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [arn.secret(r.secretIds[s as SecretName])],
      },
    ],
  }),
  'account-secret:read': (r, kind) => ({
    env: { [envNames.accountSecretsPrefix]: r.accountSecretsPrefix },
    allow: [
      {
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [arn.secret(`${r.accountSecretsPrefix}/acc/*/${kind}`)],
      },
    ],
  }),
  'account-secret:write': (r, kind) => ({
    env: { [envNames.accountSecretsPrefix]: r.accountSecretsPrefix },
    allow: [
      {
        actions: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
        ],
        resources: [arn.secret(`${r.accountSecretsPrefix}/acc/*/${kind}`)],
      },
    ],
  }),
  'scheduler:manage': (r) => ({
    env: {
      [envNames.schedulerGroup]: r.schedulerGroup,
      [envNames.schedulerRoleArn]: r.schedulerRoleArn,
      [envNames.schedulerTargetArn]: r.schedulerTargetArn,
    },
    allow: [
      {
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [arn.schedules(r)],
      },
      { actions: ['iam:PassRole'], resources: [r.schedulerRoleArn] },
    ],
  }),
  'ws:manage': (r) => ({
    env: { [envNames.wsEndpoint]: r.wsEndpoint },
    allow: [{ actions: ['execute-api:ManageConnections'], resources: [arn.connections()] }],
  }),
};

function rowOf(grant: Grant, r: LocalResources): Row {
  const exact = grantRows[grant];
  if (exact) return exact(r, '');
  const cut = grant.lastIndexOf(':');
  const row = grantRows[grant.slice(0, cut)];
  if (!row) throw new Error(`grant ${grant} has no row in infra/local/iam.ts`);
  return row(r, grant.slice(cut + 1));
}

/** The environment a function's grants give it (the CDK grantFor's addEnvironment calls). */
export function envForGrants(grants: readonly Grant[], r: LocalResources): Record<string, string> {
  return Object.assign({}, ...grants.map((g) => rowOf(g, r).env)) as Record<string, string>;
}

/** The permissions a function's grants give it (the CDK grantFor's IAM statements). */
export function statementsForGrants(grants: readonly Grant[], r: LocalResources): Statement[] {
  return grants.flatMap((g) => rowOf(g, r).allow);
}

/** Variables every function gets whatever its grants (CDK's `common.environment`). */
export const everyFunctionEnvNames = [envNames.whatsappMediaHosts, envNames.outboundAllowedOrigins] as const;

/** Local access key ids: letters and digits only (DynamoDB Local refuses others). */
export const functionKey = (fn: FunctionName) => `local${fn}`;
/** Lambda's event source mapping (the queue pollers): it reads the queues, not the functions. */
export const POLLER_KEY = 'localpoller';
/** The stack's own set-up and the developer's tools (tables, queues, bucket, seed): anything. */
export const ADMIN_KEY = 'local';

/** The event source mapping's permissions: consume the queues of the functions' triggers. */
export function pollerStatements(
  r: LocalResources,
  defs: Record<FunctionName, { triggers: (typeof functionDefs)[FunctionName]['triggers'] }> = functionDefs,
): Statement[] {
  const queues = new Set<QueueName>(
    functionNames.flatMap((fn) => defs[fn].triggers.flatMap((t) => (t.kind === 'sqs' ? [t.queue] : []))),
  );
  return [...queues].map((q) => ({
    actions: QUEUE_CONSUME,
    resources: [arn.queue(r.queueNames[q].queue)],
  }));
}

/**
 * What a queue-fed function's role may do on its trigger queue: on AWS the event source
 * mapping polls with the function's role, so CDK's SqsEventSource grants it consuming.
 */
export function triggerStatements(fn: FunctionName, r: LocalResources): Statement[] {
  return functionDefs[fn].triggers.flatMap((t) =>
    t.kind === 'sqs' ? [{ actions: QUEUE_CONSUME, resources: [arn.queue(r.queueNames[t.queue].queue)] }] : [],
  );
}

const globRe = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

function compile(statements: readonly Statement[]) {
  return statements.map((s) => ({
    actions: s.actions.map(globRe),
    resources: s.resources.map(globRe),
  }));
}

export type Decision = { ok: true } | { ok: false; unknownKey: boolean; message: string };

/** Who signed a request: the access key id of its SigV4 Authorization header or presigned URL. */
export function accessKeyIdOf(authorization: string | undefined, url?: string): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  if (fromHeader || !url?.includes('X-Amz-Credential=')) return fromHeader;
  const q = new URL(url, 'http://local').searchParams.get('X-Amz-Credential');
  return q?.split('/')[0];
}

/** Identities (access key id → statements) and the one check every stand-in makes. */
export class LocalIam {
  private readonly ids = new Map<string, { name: string; rules: ReturnType<typeof compile> | 'admin' }>();

  constructor(identities: Record<string, { name: string; statements: readonly Statement[] | 'admin' }>) {
    for (const [key, { name, statements }] of Object.entries(identities))
      this.ids.set(key, { name, rules: statements === 'admin' ? 'admin' : compile(statements) });
  }

  /**
   * Whether the caller may perform `action` on every one of `resources`; the refusal
   * carries IAM's own sentence.
   */
  check(accessKeyId: string | undefined, action: string, resources: readonly string[]): Decision {
    const id = accessKeyId ? this.ids.get(accessKeyId) : undefined;
    if (!id)
      return {
        ok: false,
        unknownKey: true,
        message: 'The security token included in the request is invalid.',
      };
    if (id.rules === 'admin') return { ok: true };
    for (const resource of resources) {
      const rules = id.rules;
      const allowed = rules.some(
        (s) => s.actions.some((a) => a.test(action)) && s.resources.some((p) => p.test(resource)),
      );
      if (!allowed)
        return {
          ok: false,
          unknownKey: false,
          message:
            `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${id.name}/${id.name} is not authorized to perform: ` +
            `${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
        };
    }
    return { ok: true };
  }
}

/**
 * The local stack's identities: each function its own key and exactly its grants (from
 * `grants`, the topology's unless a test passes an altered map), the pollers theirs, and
 * the admin.
 */
export function localIam(
  r: LocalResources,
  grants: Record<FunctionName, readonly Grant[]> = Object.fromEntries(
    functionNames.map((fn) => [fn, functionDefs[fn].grants]),
  ) as Record<FunctionName, Grant[]>,
): LocalIam {
  const ids: Record<string, { name: string; statements: readonly Statement[] | 'admin' }> = {};
  for (const fn of functionNames)
    ids[functionKey(fn)] = {
      name: `atende-${fn}`,
      statements: [...statementsForGrants(grants[fn], r), ...triggerStatements(fn, r)],
    };
  ids[POLLER_KEY] = { name: 'atende-event-source-mapping', statements: pollerStatements(r) };
  ids[ADMIN_KEY] = { name: 'atende-admin', statements: 'admin' };
  return new LocalIam(ids);
}

/** The scheduler's target: the timers function by its explicit name (`${stackName}-timers` on AWS). */
export const localSchedulerTarget = {
  functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:atende-${schedulerDef.target}`,
  roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/atende-scheduler`,
};

// --- Requests → (action, resources) for each service -----------------------------------

export interface RequestAuth {
  action: string;
  resources: string[];
}

/** DynamoDB (JSON 1.0): the action of X-Amz-Target on each table the request names. */
export function dynamoRequest(target: string, body: Record<string, unknown>): RequestAuth[] {
  const op = target.replace(/^DynamoDB_\d+\./, '');
  const tableArn = (t: unknown) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${String(t)}`;
  const indexed = (t: unknown, ix: unknown) => (ix ? `${tableArn(t)}/index/${String(ix)}` : tableArn(t));
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems as object) ?? {}).map((t) => ({
        action: `dynamodb:${op}`,
        resources: [tableArn(t)],
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      // IAM checks each item's own action (Put → PutItem …) on its table.
      const items = (body.TransactItems as Record<string, { TableName?: string }>[]) ?? [];
      const actionOf: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      return items.flatMap((item) =>
        Object.entries(item).map(([kind, v]) => ({
          action: `dynamodb:${actionOf[kind] ?? kind}`,
          resources: [tableArn(v?.TableName)],
        })),
      );
    }
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resources: ['*'] }];
    case 'Query':
    case 'Scan':
      return [{ action: `dynamodb:${op}`, resources: [indexed(body.TableName, body.IndexName)] }];
    default:
      return [{ action: `dynamodb:${op}`, resources: [tableArn(body.TableName)] }];
  }
}

/** SQS (JSON protocol): batch actions are authorised as their single action, as IAM does. */
export function sqsRequest(target: string, body: Record<string, unknown>): RequestAuth[] {
  const op = target
    .replace(/^AmazonSQS\./, '')
    .replace(/^(SendMessage|DeleteMessage|ChangeMessageVisibility)Batch$/, '$1');
  const url = typeof body.QueueUrl === 'string' ? body.QueueUrl : undefined;
  const name = url
    ? url.slice(url.lastIndexOf('/') + 1)
    : typeof body.QueueName === 'string'
      ? body.QueueName
      : '*';
  return [{ action: `sqs:${op}`, resources: [arn.queue(name)] }];
}

/** S3 (path style): the method, the bucket, the key and a few sub-resources. */
export function s3Request(method: string, url: string, headers: Record<string, unknown>): RequestAuth[] {
  const u = new URL(url, 'http://local');
  const [, bucket = '', ...rest] = u.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = u.searchParams;
  const object = `arn:aws:s3:::${bucket}/${key}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    const action =
      method === 'PUT'
        ? 's3:CreateBucket'
        : method === 'DELETE'
          ? 's3:DeleteBucket'
          : method === 'POST' && q.has('delete')
            ? 's3:DeleteObject'
            : method === 'HEAD'
              ? 's3:ListBucket'
              : 's3:ListBucket';
    return [{ action, resources: [action === 's3:DeleteObject' ? `${bucketArn}/*` : bucketArn] }];
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      return [{ action: 's3:GetObject', resources: [object] }];
    case 'PUT': {
      const copy = headers['x-amz-copy-source'];
      const put = { action: 's3:PutObject', resources: [object] };
      if (typeof copy !== 'string') return [put];
      return [
        put,
        {
          action: 's3:GetObject',
          resources: [`arn:aws:s3:::${decodeURIComponent(copy.replace(/^\//, ''))}`],
        },
      ];
    }
    case 'POST':
      return [{ action: 's3:PutObject', resources: [object] }];
    case 'DELETE':
      return [
        { action: q.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resources: [object] },
      ];
    default:
      return [{ action: `s3:${method}`, resources: [object] }];
  }
}

/** The scheduler's REST routes: `/schedules/{name}` by method. */
export function schedulerRequest(method: string, group: string, name: string): RequestAuth {
  const action =
    method === 'POST'
      ? 'scheduler:CreateSchedule'
      : method === 'PUT'
        ? 'scheduler:UpdateSchedule'
        : method === 'DELETE'
          ? 'scheduler:DeleteSchedule'
          : 'scheduler:GetSchedule';
  return {
    action,
    resources: [`arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`],
  };
}

/** The WebSocket management API: `POST|GET|DELETE /@connections/{id}`. */
export function connectionsRequest(method: string, connectionId: string): RequestAuth {
  return {
    action: 'execute-api:ManageConnections',
    resources: [
      `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:local/live/${method}/@connections/${connectionId}`,
    ],
  };
}

/** Every variable name the topology may give a function (envNames, expanded). */
export function topologyEnvNames(): string[] {
  return [
    envNames.table,
    ...queueNames.flatMap((q) => [envNames.queueUrl(q), envNames.dlqUrl(q)]),
    envNames.mediaBucket,
    ...secretNames.map(envNames.secretId),
    envNames.accountSecretsPrefix,
    envNames.schedulerGroup,
    envNames.schedulerTargetArn,
    envNames.schedulerRoleArn,
    envNames.wsEndpoint,
    ...everyFunctionEnvNames,
  ];
}

/**
 * Makes `process.env` of a function's thread exactly its own: drops every topology
 * variable and AWS credential it inherited from the stack's process, then sets `env`.
 */
export function applyFunctionEnv(env: Record<string, string> | undefined): void {
  if (!env) return;
  for (const name of [
    ...topologyEnvNames(),
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ])
    delete process.env[name];
  Object.assign(process.env, env);
}
