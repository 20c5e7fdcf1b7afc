/**
 * The local realisation of infra/topology.ts: every stand-in on one machine, the real
 * handlers invoked the way AWS would invoke them. `npm start` (start.ts), the browser
 * tests and the benchmark all start the product through `startStack`.
 */
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  buckets,
  envNames,
  functionNames,
  functions as functionDefs,
  httpRoutes,
  queueNames,
  queues as queueDefs,
  scheduler as schedulerDef,
  secrets as secretDefs,
  secretNames,
  wsRoutes,
  type FunctionName,
  type Grant,
  type QueueName,
  type SecretName,
} from '#infra/topology.ts';
import { ensureTable } from '#shared/store/table.ts';
import { parseOrigins } from '#shared/domain/outbound-address.ts';
import { startDynamoLocal } from './dynamodb.ts';
import { LocalStartError } from './errors.ts';
import { startHttpGateway, type HttpHandler } from './http-gateway.ts';
import { listen, startLocalScheduler } from './scheduler.ts';
import { LOCAL_SECRET_PREFIX, loadOrCreateSecrets, localSecretId, startLocalSecrets } from './secrets.ts';
import { startInvokeWorker } from './invoke-worker.ts';
import { startAuthorizingProxy } from './aws-proxy.ts';
import {
  ADMIN_KEY,
  dynamoRequest,
  envForGrants,
  functionKey,
  LOCAL_REGION,
  localIam,
  localSchedulerTarget,
  POLLER_KEY,
  sqsRequest,
  type LocalResources,
} from './iam.ts';
import { startS3CorsProxy } from './s3-cors-proxy.ts';
import { startWsGateway, type WsHandler } from './ws-gateway.ts';
import { freePortsFrom } from './ports.ts';
import type { FunctionWorkerData } from './function-worker.ts';
import type { FauxqsWorkerData } from './fauxqs-worker.ts';
import { startWorkerThread } from './worker-host.ts';
import { webSecurityHeaders, type WebOrigins } from '#infra/web-headers.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const DEMO_NUMBER = {
  phoneNumberId: '100000000000001',
  displayPhone: '5511900000001',
  wabaId: '200000000000001',
  name: 'Demo',
};

/** A second demo number whose customers get a triage menu (seeded with departments and an assistant). */
export const DEMO_TRIAGE_NUMBER = {
  phoneNumberId: '100000000000002',
  displayPhone: '5511900000002',
  wabaId: '200000000000001',
  name: 'Triagem',
};

export const portOffsets = {
  web: 0,
  api: 1,
  ws: 2,
  simulator: 3,
  scheduler: 4,
  dynamodb: 5,
  fauxqs: 6,
  secrets: 7,
  s3: 8,
  /** IAM in front of DynamoDB Local (infra/local/aws-proxy.ts): the functions' DynamoDB endpoint. */
  dynamodbIam: 9,
  /** IAM in front of fauxqs's SQS: the functions' SQS endpoint. */
  sqsIam: 10,
} as const;

export interface StackOptions {
  dataDir?: string;
  portBase?: number;
  reset?: boolean;
  /** Tables, queues and buckets in memory, nothing under dataDir (the benchmark's throwaway stacks). */
  ephemeral?: boolean;
  /** Serve the web app (Vite); tests that need no browser turn it off. */
  web?: boolean;
  /**
   * Origins server-side fetches may reach besides the simulator and OPENAI_BASE_URL (the
   * operator's OUTBOUND_ALLOWED_ORIGINS; a test's scripted model).
   */
  outboundAllowedOrigins?: string[];
  /**
   * The functions' grants, instead of the topology's for the functions named (a test
   * removes one to show the local stack refuses what AWS would).
   */
  grants?: Partial<Record<FunctionName, Grant[]>>;
  /**
   * Every queue's visibility timeout instead of the topology's (the chaos run: a crashed
   * batch comes back in seconds, not a minute).
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Start the WhatsApp simulator on its port (default). The chaos run passes false and runs
   * it in its own process, so that "Meta" outlives a `kill -9` of the stack.
   */
  simulator?: boolean;
  log?: (msg: string) => void;
}

export interface LocalUrls {
  web: string;
  api: string;
  webhook: string;
  ws: string;
  wsManagement: string;
  simulator: string;
  scheduler: string;
  dynamodb: string;
  /** DynamoDB Local itself, behind the IAM proxy (`dynamodb`): the benchmark's floor. */
  dynamodbDirect: string;
  sqs: string;
  s3: string;
  secrets: string;
}

export interface LocalInfo {
  portBase: number;
  urls: LocalUrls;
  demo: {
    email?: string;
    password?: string;
    accountId?: string;
    phoneNumberId: string;
    displayPhone: string;
    wabaId: string;
    appSecret: string;
    verifyToken: string;
    accessToken: string;
  };
  /**
   * Where an operator's script finds the rest (on AWS: the stack's outputs): the table, the
   * scheduler group, its target and role, and the key the stand-ins know the operator by.
   */
  resources: {
    region: string;
    tableName: string;
    schedulerGroup: string;
    schedulerTargetArn: string;
    schedulerRoleArn: string;
    accessKeyId: string;
  };
}

export interface LocalStack extends LocalInfo {
  env: Record<string, string>;
  /** The environment each function was started with (its grants' variables, its own key). */
  functionEnv: Record<FunctionName, Record<string, string>>;
  /** The environment a request-fed function's handler sees, read inside its thread (tests). */
  handlerEnv(fn: FunctionName): Promise<Record<string, string>>;
  /** Drops every WebSocket connection (resynchronisation tests). */
  dropWebSockets(): void;
  stop(): Promise<void>;
}

/** What the local runtime realises from the topology (compared with the CDK template in tests). */
export function describeLocalTopology() {
  return {
    functions: functionNames.map((fn) => ({ name: fn, handler: functionDefs[fn].handler })),
    queues: queueNames.flatMap((q) => [localQueueName(q), localQueueName(q, true)]),
    httpRoutes: httpRoutes.map((r) => `${r.method} ${r.path}`),
    wsRoutes: wsRoutes.map((r) => r.route),
    pollers: functionNames.flatMap((fn) =>
      functionDefs[fn].triggers.flatMap((t) => (t.kind === 'sqs' ? [{ fn, queue: t.queue }] : [])),
    ),
    buckets: Object.keys(buckets).map((b) => `atende-${b}`),
    secrets: (Object.keys(secretDefs) as SecretName[]).map(localSecretId),
    /** The names of each function's variables (values are the stack's at run time). */
    env: Object.fromEntries(
      functionNames.map((fn) => {
        const r = localResources({ wsEndpoint: '<ws>' });
        const common = { [envNames.outboundAllowedOrigins]: '', [envNames.whatsappMediaHosts]: '' };
        return [
          fn,
          Object.keys(localFunctionEnv(fn, functionDefs[fn].grants, r, common))
            .filter((k) => !LOCAL_ONLY_ENV.test(k))
            .sort(),
        ];
      }),
    ) as Record<FunctionName, string[]>,
  };
}

/**
 * Local identities (access key ids) → grants, as the Secrets Manager stand-in's
 * `identities` (tests of that stand-in alone). The stack itself uses LocalIam
 * (infra/local/iam.ts): every function in a thread of its own, signing with its own key.
 */
export function localIdentities(): Record<string, Grant[]> {
  const ids: Record<string, Grant[]> = {};
  for (const fn of functionNames) ids[functionKey(fn)] = functionDefs[fn].grants;
  return ids;
}

/**
 * Variables only the local runtime sets (the SDK's endpoints and credentials, the Graph
 * API simulator, a local model): not the topology's, so not compared with CDK's.
 */
export const LOCAL_ONLY_ENV = /^(AWS_|WHATSAPP_GRAPH_URL$|OPENAI_BASE_URL$|LOG_LEVEL$)/;

/**
 * A function's whole environment: the SDK's local endpoints signed with the function's
 * own key, what every function gets (CDK's common environment), and what its grants give
 * (envForGrants, the mirror of the CDK stack's grantFor).
 */
export function localFunctionEnv(
  fn: FunctionName,
  grants: readonly Grant[],
  resources: LocalResources,
  common: Record<string, string>,
): Record<string, string> {
  return { ...common, AWS_ACCESS_KEY_ID: functionKey(fn), ...envForGrants(grants, resources) };
}

/** The stack's resources by name; the queues' URLs are filled in once the queues exist. */
function localResources(urls: { wsEndpoint: string }): LocalResources {
  return {
    tableName: 'atende',
    mediaBucket: 'atende-media',
    queueNames: Object.fromEntries(
      queueNames.map((q) => [q, { queue: localQueueName(q), dlq: localQueueName(q, true) }]),
    ) as LocalResources['queueNames'],
    queueUrls: Object.fromEntries(queueNames.map((q) => [q, `<${q} url>`])) as Record<QueueName, string>,
    dlqUrls: Object.fromEntries(queueNames.map((q) => [q, `<${q} dlq url>`])) as Record<QueueName, string>,
    secretIds: Object.fromEntries(secretNames.map((n) => [n, localSecretId(n)])) as Record<
      SecretName,
      string
    >,
    accountSecretsPrefix: LOCAL_SECRET_PREFIX,
    schedulerGroup: schedulerDef.groupName,
    schedulerRoleArn: localSchedulerTarget.roleArn,
    schedulerTargetArn: localSchedulerTarget.functionArn,
    wsEndpoint: urls.wsEndpoint,
  };
}

export function localQueueName(q: QueueName, dlq = false): string {
  const base = `atende-${q}${dlq ? '-dlq' : ''}`;
  return queueDefs[q].fifo ? `${base}.fifo` : base;
}

type AnyHandler = (event: never, context: unknown) => Promise<unknown>;

export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const dataDir = resolve(opts.dataDir ?? join(root, '.data'));
  const portBase = opts.portBase ?? 4500;
  const port = Object.fromEntries(
    Object.entries(portOffsets).map(([k, off]) => [k, portBase + off]),
  ) as Record<keyof typeof portOffsets, number>;
  await freePortsFrom(
    Object.entries(port).flatMap(([k, p]) => (k === 'simulator' && opts.simulator === false ? [] : [p])),
  );

  if (opts.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`while stopping: ${(err as Error).message}`);
      }
    }
    stoppers.length = 0;
  };

  try {
    const secretValues = loadOrCreateSecrets(join(dataDir, 'secrets.json'));

    const dynamo = await startDynamoLocal({
      port: port.dynamodb,
      nice: 5,
      ...(opts.ephemeral ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    });
    stoppers.push(() => dynamo.stop());

    let fauxqs: { address: string };
    try {
      const data: FauxqsWorkerData = {
        port: port.fauxqs,
        ...(opts.ephemeral ? {} : { dataDir: join(dataDir, 'fauxqs') }),
      };
      const worker = await startWorkerThread(new URL('./fauxqs-worker.ts', import.meta.url), data, {
        name: 'fauxqs',
        log,
      });
      stoppers.push(() => worker.stop());
      fauxqs = { address: String(worker.ready.address) };
    } catch (err) {
      throw new LocalStartError(
        `The queue and bucket store in ${join(dataDir, 'fauxqs')} could not be opened (${(err as Error).message}). ` +
          'Run `npm start -- --reset` to start from a clean state.',
      );
    }

    // IAM, locally: each function signs with its own access key id and every stand-in
    // refuses what its grants do not allow (infra/local/iam.ts); the pollers and the
    // stack's own set-up have identities of their own.
    const resources = localResources({ wsEndpoint: `http://127.0.0.1:${port.ws}` });
    const grants = Object.fromEntries(
      functionNames.map((fn) => [fn, opts.grants?.[fn] ?? functionDefs[fn].grants]),
    ) as Record<FunctionName, Grant[]>;
    const iam = localIam(resources, grants);
    const secrets = await startLocalSecrets({
      port: port.secrets,
      values: secretValues,
      accountFile: join(dataDir, 'account-secrets.json'),
      iam,
    });
    stoppers.push(() => secrets.stop());
    // As on AWS, the media bucket answers CORS only for the web app's origin.
    const s3Proxy = await startS3CorsProxy({
      port: port.s3,
      target: fauxqs.address,
      allowedOrigin: `http://localhost:${port.web}`,
      iam,
    });
    stoppers.push(() => s3Proxy.stop());
    const dynamoIam = await startAuthorizingProxy({
      port: port.dynamodbIam,
      target: dynamo.endpoint,
      iam,
      protocol: { errorPrefix: 'com.amazonaws.dynamodb.v20120810', describe: dynamoRequest },
    });
    stoppers.push(() => dynamoIam.stop());
    const sqsIam = await startAuthorizingProxy({
      port: port.sqsIam,
      target: fauxqs.address,
      iam,
      protocol: {
        errorPrefix: 'com.amazon.coral.service',
        describe: sqsRequest,
        // SQS's JSON protocol carries the query protocol's code, which the SDK reports.
        refusalHeaders: (type) => ({
          'x-amzn-query-error': `${type === 'AccessDeniedException' ? 'AccessDenied' : 'InvalidClientTokenId'};Sender`,
        }),
      },
    });
    stoppers.push(() => sqsIam.stop());

    const urls: LocalUrls = {
      web: `http://localhost:${port.web}`,
      api: `http://localhost:${port.api}`,
      webhook: `http://localhost:${port.api}/webhook/whatsapp`,
      ws: `ws://localhost:${port.ws}`,
      wsManagement: `http://127.0.0.1:${port.ws}`,
      simulator: `http://localhost:${port.simulator}`,
      scheduler: `http://127.0.0.1:${port.scheduler}`,
      dynamodb: dynamoIam.url,
      dynamodbDirect: dynamo.endpoint,
      sqs: sqsIam.url,
      s3: s3Proxy.url,
      secrets: secrets.url,
    };

    // The AWS SDK finds every stand-in through the standard endpoint variables.
    const region = LOCAL_REGION;
    // The stack's own set-up (and the developer's tools, through `env`) use the admin key.
    const sdkEnv: Record<string, string> = {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: ADMIN_KEY,
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
      AWS_ENDPOINT_URL_SQS: urls.sqs,
      AWS_ENDPOINT_URL_S3: urls.s3,
      AWS_ENDPOINT_URL_SCHEDULER: urls.scheduler,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: urls.secrets,
    };
    Object.assign(process.env, sdkEnv);
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const s3 = new S3Client({ forcePathStyle: true });
    const ddbRaw = new DynamoDBClient({});
    stoppers.push(async () => {
      sqs.destroy();
      s3.destroy();
      ddbRaw.destroy();
    });

    const tableName = resources.tableName;
    await ensureTable(ddbRaw, tableName);

    const queueUrls = {} as Record<QueueName, string>;
    const queueArns = {} as Record<QueueName, string>;
    const dlqUrls = {} as Record<QueueName, string>;
    for (const q of queueNames) {
      const def = queueDefs[q];
      const fifoAttrs: Record<string, string> = def.fifo
        ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' }
        : {};
      const dlq = await sqs.send(
        new CreateQueueCommand({
          QueueName: localQueueName(q, true),
          Attributes: { ...fifoAttrs, MessageRetentionPeriod: String(def.dlqRetentionDays * 86400) },
        }),
      );
      const dlqArn = (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes!.QueueArn!;
      dlqUrls[q] = dlq.QueueUrl!;
      const main = await sqs.send(
        new CreateQueueCommand({
          QueueName: localQueueName(q),
          Attributes: {
            ...fifoAttrs,
            VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? def.visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn,
              maxReceiveCount: def.maxReceiveCount,
            }),
          },
        }),
      );
      queueUrls[q] = main.QueueUrl!;
      queueArns[q] = (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: main.QueueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes!.QueueArn!;
    }
    for (const q of queueNames) {
      resources.queueUrls[q] = queueUrls[q];
      resources.dlqUrls[q] = dlqUrls[q];
    }
    const mediaBucket = resources.mediaBucket;
    try {
      await s3.send(new CreateBucketCommand({ Bucket: mediaBucket }));
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }

    // What every function gets besides its grants' variables: the SDK's endpoints, the
    // Graph API simulator, a local model, and CDK's common environment.
    const common: Record<string, string> = { ...sdkEnv, WHATSAPP_GRAPH_URL: urls.simulator };
    if (secretValues.openai.baseUrl) common.OPENAI_BASE_URL = secretValues.openai.baseUrl;
    // The operator's exceptions to the outbound-URL guard: the simulator (Graph API and its
    // media downloads), a local model named by OPENAI_BASE_URL, and whatever the caller adds.
    common[envNames.outboundAllowedOrigins] = [
      ...new Set([
        new URL(urls.simulator).origin,
        ...(secretValues.openai.baseUrl ? [new URL(secretValues.openai.baseUrl).origin] : []),
        ...parseOrigins((opts.outboundAllowedOrigins ?? []).join(',')),
      ]),
    ].join(',');
    common[envNames.whatsappMediaHosts] = new URL(urls.simulator).origin;
    // Each function gets exactly what its grants imply, as CDK's grantFor gives it.
    const envOf = (fn: FunctionName) => localFunctionEnv(fn, grants[fn], resources, common);
    // The developer's tools (the benchmark, scripts) get every variable, with the admin key.
    const fnEnv: Record<string, string> = {
      ...common,
      ...envForGrants(
        functionNames.flatMap((fn) => grants[fn]),
        resources,
      ),
    };
    // One line per webhook is right for CloudWatch, too much for a developer's terminal.
    process.env.LOG_LEVEL ??= 'warn';

    // Every function has a thread of its own, as Lambda gives each its own environments
    // (its own variables and its own key): the queue-fed ones with their pollers (below),
    // the others invoked by the gateways and the scheduler through a worker.
    const handlers = {} as Record<FunctionName, AnyHandler | undefined>;
    const envProbes = {} as Record<FunctionName, () => Promise<Record<string, string>>>;
    const queueFed = (fn: FunctionName) => functionDefs[fn].triggers.every((t) => t.kind === 'sqs');
    await Promise.all(
      functionNames
        .filter((fn) => !queueFed(fn))
        .map(async (fn) => {
          const handlerFile = join(root, functionDefs[fn].handler);
          if (!existsSync(handlerFile)) {
            log(`warning: ${functionDefs[fn].handler} does not exist yet; function ${fn} is unavailable`);
            return;
          }
          const w = await startInvokeWorker({ name: `function ${fn}`, handlerFile, env: envOf(fn) });
          stoppers.push(() => w.stop());
          handlers[fn] = (event) => w.invoke(event);
          envProbes[fn] = () => w.env();
        }),
    );

    const fireTarget = async (input: unknown) => {
      const h = handlers[schedulerDef.target];
      if (!h) throw new Error(`function ${schedulerDef.target} is unavailable`);
      await (h as (e: unknown, c: unknown) => Promise<unknown>)(input, {});
    };
    const sched = await startLocalScheduler({
      port: port.scheduler,
      file: join(dataDir, 'schedules.json'),
      fire: fireTarget,
      log,
      iam,
      // Only the timers function, through the scheduler's role, as the CDK stack allows.
      allowedTarget: localSchedulerTarget,
    });
    stoppers.push(() => sched.stop());
    // The deployment's recurring schedules (the outbox sweep), as CDK's rate() schedules fire them.
    for (const r of schedulerDef.recurring) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        fireTarget(r.input)
          .catch((err: Error) => log(`recurring schedule ${r.name} failed: ${err.message}`))
          .finally(() => (running = false));
      }, r.everyMinutes * 60_000);
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    }

    const ws = await startWsGateway({
      port: port.ws,
      handler: () => handlers.ws as WsHandler | undefined,
      log,
      iam,
    });
    stoppers.push(() => ws.stop());

    const http = await startHttpGateway({
      port: port.api,
      routes: httpRoutes,
      handlerFor: (fn) => handlers[fn] as HttpHandler | undefined,
      log,
    });
    stoppers.push(() => http.stop());

    for (const fn of functionNames) {
      const pollers = functionDefs[fn].triggers.flatMap((t) =>
        t.kind === 'sqs'
          ? [
              {
                queueUrl: queueUrls[t.queue],
                queueArn: queueArns[t.queue],
                batchSize: t.batchSize,
                // Lambda runs several batches at once; FIFO order still holds per group.
                concurrency: queueDefs[t.queue].fifo ? 8 : 2,
              },
            ]
          : [],
      );
      if (!pollers.length) continue;
      if (!queueFed(fn)) throw new Error(`function ${fn} mixes a queue with other triggers`);
      if (!existsSync(join(root, functionDefs[fn].handler))) {
        log(`warning: ${functionDefs[fn].handler} does not exist yet; function ${fn} is unavailable`);
        continue;
      }
      const data: FunctionWorkerData = {
        fn,
        env: envOf(fn),
        // The pollers are Lambda's event source mapping: they read the queue as the service.
        pollerAccessKeyId: POLLER_KEY,
        handlerFile: join(root, functionDefs[fn].handler),
        pollers,
        nice: 5,
      };
      const worker = await startWorkerThread(new URL('./function-worker.ts', import.meta.url), data, {
        name: `function ${fn}`,
        log,
        // A crashed function gets a new worker, as Lambda starts a new environment.
        restart: true,
      });
      stoppers.push(() => worker.stop());
    }

    // The deployment's Meta app: token (`whatsapp`), app secret and verify token (`whatsapp-webhook`).
    const whatsapp: Record<string, string> = {
      ...secretValues['whatsapp-webhook'],
      ...secretValues.whatsapp,
    };
    const simulatorFile = join(root, 'infra/local/simulator/server.ts');
    if (opts.simulator === false) {
      // The caller runs the simulator on urls.simulator.
    } else if (existsSync(simulatorFile)) {
      const { startSimulator } = (await import(pathToFileURL(simulatorFile).href)) as {
        startSimulator: (o: unknown) => Promise<{ url: string; stop(): Promise<void> }>;
      };
      const sim = await startSimulator({
        port: port.simulator,
        host: '127.0.0.1',
        webhookUrl: urls.webhook,
        appSecret: whatsapp.appSecret,
        accessToken: whatsapp.accessToken,
        phoneNumbers: [DEMO_NUMBER, DEMO_TRIAGE_NUMBER],
        dataDir: join(dataDir, 'simulator'),
      });
      stoppers.push(() => sim.stop());
    } else {
      log('warning: the WhatsApp simulator is not available');
    }

    let seeded: { accountId?: string; email?: string; password?: string } = {};
    const seedFile = join(root, 'shared/store/seed.ts');
    if (existsSync(seedFile)) {
      const { seedDemo } = (await import(pathToFileURL(seedFile).href)) as {
        seedDemo: (i: unknown) => Promise<{ accountId: string; email: string; password: string }>;
      };
      const ddb = DynamoDBDocumentClient.from(ddbRaw, { marshallOptions: { removeUndefinedValues: true } });
      seeded = await seedDemo({
        ddb,
        tableName,
        number: DEMO_NUMBER,
        triageNumber: DEMO_TRIAGE_NUMBER,
        knowledge: { s3, mediaBucket },
        now: Date.now(),
      });
    } else {
      log('warning: no demo seed available');
    }

    if (opts.web !== false) {
      const web = await startWeb(
        port.web,
        { apiUrl: urls.api, wsUrl: urls.ws },
        { connect: [urls.api, urls.ws, urls.s3], media: [urls.s3] },
        join(dataDir, 'web'),
        log,
      );
      stoppers.push(() => web.stop());
    }

    const info: LocalInfo = {
      portBase,
      urls,
      demo: {
        ...seeded,
        ...DEMO_NUMBER,
        appSecret: whatsapp.appSecret!,
        verifyToken: whatsapp.verifyToken!,
        accessToken: whatsapp.accessToken!,
      },
      resources: {
        region,
        tableName,
        schedulerGroup: resources.schedulerGroup,
        schedulerTargetArn: resources.schedulerTargetArn,
        schedulerRoleArn: resources.schedulerRoleArn,
        accessKeyId: ADMIN_KEY,
      },
    };
    writeFileSync(join(dataDir, 'local.json'), JSON.stringify(info, null, 2));
    return {
      ...info,
      env: fnEnv,
      functionEnv: Object.fromEntries(functionNames.map((fn) => [fn, envOf(fn)])) as Record<
        FunctionName,
        Record<string, string>
      >,
      handlerEnv: async (fn) => {
        const probe = envProbes[fn];
        if (!probe) throw new Error(`function ${fn} is queue-fed: its environment is functionEnv's`);
        return probe();
      },
      dropWebSockets: () => ws.dropAll(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Serves the SPA as CloudFront does on AWS: the built files (Vite builds them at start,
 * in about a second) with index.html for every other path, and `/config.json`, with the
 * same security headers as CloudFront's response-headers policy (infra/web-headers.ts).
 */
async function startWeb(
  port: number,
  config: { apiUrl: string; wsUrl: string },
  origins: WebOrigins,
  dist: string,
  log: (m: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const webRoot = join(root, 'web');
  if (existsSync(join(webRoot, 'index.html'))) {
    const { build } = await import('vite');
    // Each stack builds into its own data folder: stacks side by side never share files.
    await build({
      configFile: join(webRoot, 'vite.config.ts'),
      root: webRoot,
      logLevel: 'warn',
      build: { outDir: dist, emptyOutDir: true },
    });
  } else {
    log('warning: web/index.html does not exist; the web app is unavailable');
  }
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
  };
  const security = webSecurityHeaders(origins);
  const server: Server = createHttpServer((req, res) => {
    for (const [k, v] of Object.entries(security)) res.setHeader(k, v);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
      return;
    }
    const file = resolve(dist, `.${path}`);
    const inside = file.startsWith(dist) && existsSync(file) && statSync(file).isFile();
    const target = inside ? file : join(dist, 'index.html');
    if (!existsSync(target)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web app is not built.');
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(target)] ?? 'application/octet-stream',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(target).pipe(res);
  });
  await listen(server, port, '127.0.0.1');
  return {
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Reads `.data/local.json` of a running stack (scripts and the benchmark). */
export function readLocalInfo(dataDir = join(root, '.data')): LocalInfo {
  const file = join(dataDir, 'local.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalInfo;
  } catch {
    throw new LocalStartError(`${file} is missing or corrupt: start the stack with \`npm start\` first.`);
  }
}
