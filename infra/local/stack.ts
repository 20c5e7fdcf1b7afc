/**
 * The local realisation of infra/topology.ts: every stand-in on one machine, the real
 * handlers invoked the way AWS would invoke them. `npm start` (start.ts), the browser
 * tests and the benchmark all start the product through `startStack`.
 *
 * `startStack` starts the parts of infra/local/stack/ in order, each named after what it
 * holds: stand-ins.ts (DynamoDB Local, fauxqs, Secrets Manager, the S3 CORS and IAM
 * proxies), resources.ts (the table, queues and bucket), function-env.ts (each function's
 * variables), invoked-functions.ts (the request-fed functions' threads), schedules.ts
 * (the Scheduler stand-in, the recurring schedules), gateways.ts (HTTP and WebSocket),
 * pollers.ts (the queue-fed functions with their SQS pollers), demo.ts (the WhatsApp
 * simulator, the demo seed) and web-server.ts (the SPA); stoppers.ts stops them in
 * reverse order.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buckets,
  functionNames,
  functions as functionDefs,
  httpRoutes,
  queueNames,
  secrets as secretDefs,
  wsRoutes,
  envNames,
  type FunctionName,
  type Grant,
  type SecretName,
} from '#infra/topology.ts';
import { LocalStartError } from './errors.ts';
import { ADMIN_KEY, LOCAL_REGION, localIam } from './iam.ts';
import { freePortsFrom } from './ports.ts';
import { loadOrCreateSecrets, localSecretId } from './secrets.ts';
import { DEMO_NUMBER, seedDemoData, startDemoSimulator } from './stack/demo.ts';
import {
  functionEnvironments,
  LOCAL_ONLY_ENV,
  localFunctionEnv,
  sdkEnvironment,
} from './stack/function-env.ts';
import { startGateways } from './stack/gateways.ts';
import { startInvokedFunctions } from './stack/invoked-functions.ts';
import { repoRoot as root } from './stack/paths.ts';
import { startPollers } from './stack/pollers.ts';
import { createResources, localQueueName, localResources } from './stack/resources.ts';
import { startSchedules } from './stack/schedules.ts';
import { startStandIns } from './stack/stand-ins.ts';
import { Stoppers } from './stack/stoppers.ts';
import { startWeb } from './stack/web-server.ts';

export { DEMO_NUMBER, DEMO_TRIAGE_NUMBER } from './stack/demo.ts';
export { LOCAL_ONLY_ENV, localFunctionEnv, localIdentities } from './stack/function-env.ts';
export { localQueueName } from './stack/resources.ts';

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

/** The stack's ports by name (portBase + portOffsets). */
export type LocalPorts = Record<keyof typeof portOffsets, number>;

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

export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const dataDir = resolve(opts.dataDir ?? join(root, '.data'));
  const portBase = opts.portBase ?? 4500;
  const port = Object.fromEntries(
    Object.entries(portOffsets).map(([k, off]) => [k, portBase + off]),
  ) as LocalPorts;
  await freePortsFrom(
    Object.entries(port).flatMap(([k, p]) => (k === 'simulator' && opts.simulator === false ? [] : [p])),
  );

  if (opts.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const stoppers = new Stoppers(log);
  try {
    const secretValues = loadOrCreateSecrets(join(dataDir, 'secrets.json'));

    // IAM, locally: each function signs with its own access key id and every stand-in
    // refuses what its grants do not allow (infra/local/iam.ts); the pollers and the
    // stack's own set-up have identities of their own.
    const resources = localResources({ wsEndpoint: `http://127.0.0.1:${port.ws}` });
    const grants = Object.fromEntries(
      functionNames.map((fn) => [fn, opts.grants?.[fn] ?? functionDefs[fn].grants]),
    ) as Record<FunctionName, Grant[]>;
    const iam = localIam(resources, grants);
    const standIns = await startStandIns({
      port,
      dataDir,
      ephemeral: opts.ephemeral,
      secretValues,
      iam,
      stoppers,
      log,
    });

    const urls: LocalUrls = {
      web: `http://localhost:${port.web}`,
      api: `http://localhost:${port.api}`,
      webhook: `http://localhost:${port.api}/webhook/whatsapp`,
      ws: `ws://localhost:${port.ws}`,
      wsManagement: `http://127.0.0.1:${port.ws}`,
      simulator: `http://localhost:${port.simulator}`,
      scheduler: `http://127.0.0.1:${port.scheduler}`,
      dynamodb: standIns.dynamodb,
      dynamodbDirect: standIns.dynamodbDirect,
      sqs: standIns.sqs,
      s3: standIns.s3,
      secrets: standIns.secrets,
    };

    // The AWS SDK finds every stand-in through the standard endpoint variables.
    const region = LOCAL_REGION;
    const sdkEnv = sdkEnvironment(urls);
    Object.assign(process.env, sdkEnv);
    const { ddbRaw, s3, queueArns } = await createResources({
      resources,
      visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds,
      stoppers,
    });
    const { tableName, mediaBucket } = resources;

    const { envOf, toolsEnv } = functionEnvironments({
      sdkEnv,
      urls,
      secretValues,
      outboundAllowedOrigins: opts.outboundAllowedOrigins,
      grants,
      resources,
    });
    // One line per webhook is right for CloudWatch, too much for a developer's terminal.
    process.env.LOG_LEVEL ??= 'warn';

    // Every function has a thread of its own, as Lambda gives each its own environments
    // (its own variables and its own key): the queue-fed ones with their pollers (below),
    // the others invoked by the gateways and the scheduler through a worker.
    const { handlers, envProbes } = await startInvokedFunctions({ envOf, stoppers, log });
    await startSchedules({ port: port.scheduler, dataDir, handlers, iam, stoppers, log });
    const gateways = await startGateways({ port, handlers, iam, stoppers, log });
    await startPollers({ queueUrls: resources.queueUrls, queueArns, envOf, stoppers, log });

    // The deployment's Meta app: token (`whatsapp`), app secret and verify token (`whatsapp-webhook`).
    const whatsapp: Record<string, string> = {
      ...secretValues['whatsapp-webhook'],
      ...secretValues.whatsapp,
    };
    await startDemoSimulator({
      simulator: opts.simulator,
      port: port.simulator,
      webhookUrl: urls.webhook,
      whatsapp,
      dataDir,
      stoppers,
      log,
    });
    const seeded = await seedDemoData({ ddbRaw, s3, tableName, mediaBucket, log });

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
      env: toolsEnv,
      functionEnv: Object.fromEntries(functionNames.map((fn) => [fn, envOf(fn)])) as Record<
        FunctionName,
        Record<string, string>
      >,
      handlerEnv: async (fn) => {
        const probe = envProbes[fn];
        if (!probe) throw new Error(`function ${fn} is queue-fed: its environment is functionEnv's`);
        return probe();
      },
      dropWebSockets: gateways.dropWebSockets,
      stop: stoppers.stopAll,
    };
  } catch (err) {
    await stoppers.stopAll();
    throw err;
  }
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
