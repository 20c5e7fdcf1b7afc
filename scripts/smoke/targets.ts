/**
 * Where the smoke check (scripts/smoke.ts) points: a deployed stack, found through its
 * CloudFormation outputs and the deployment's `whatsapp-webhook` secret, or a local stack
 * (`npm start`), found through `.data/local.json`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readLocalInfo } from '#infra/local/stack.ts';

export interface SmokeTargets {
  /** What was checked, for the report ("stack Atende (sa-east-1)", "local stack in …"). */
  source: string;
  webhookUrl: string;
  apiUrl: string;
  /** The deployment's Meta app secret and verify token (what fn webhook should hold). */
  appSecret: string;
  verifyToken: string;
  /** An admin (or agent) of the account that owns the number. */
  email: string;
  password: string;
  /** Meta's phone-number id of a number connected to that account. */
  phoneNumberId: string;
  displayPhone?: string;
  tableName: string;
  scheduler: { group: string; targetArn: string; roleArn: string };
  ddb: DynamoDBDocumentClient;
  schedulerClient: SchedulerClient;
  close(): void;
}

/** A setup problem the operator can act on (printed as is, no stack trace). */
export class SmokeSetupError extends Error {}

export interface StackTargetOptions {
  stack: string;
  region?: string;
  email?: string;
  password?: string;
  phoneNumberId?: string;
}

const docClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** The stack outputs the check reads (infra/cdk/atende-stack.ts; test/infra/smoke-outputs.test.ts). */
export const stackOutputs = [
  'WebhookUrl',
  'HttpApiUrl',
  'TableName',
  'SchedulerGroupName',
  'SchedulerRoleArn',
  'SchedulerTargetArn',
  'whatsapp-webhookSecretName',
] as const;

/** A deployed stack: outputs by DescribeStacks, the webhook secret from Secrets Manager. */
export async function stackTargets(o: StackTargetOptions): Promise<SmokeTargets> {
  const missing = [
    !o.email && '--email (or SMOKE_EMAIL)',
    !o.password && '--password (or SMOKE_PASSWORD)',
    !o.phoneNumberId && '--phone-number-id (or SMOKE_PHONE_NUMBER_ID)',
  ].filter(Boolean);
  if (missing.length) {
    throw new SmokeSetupError(
      `Missing ${missing.join(', ')}: the check posts a test message to a number connected in Atende and reads it back as a user of that account (README, "Checks after deploying").`,
    );
  }
  const region = o.region;
  const cfn = new CloudFormationClient(region ? { region } : {});
  let outputs: Record<string, string>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: o.stack }));
    const stack = res.Stacks?.[0];
    if (!stack) throw new SmokeSetupError(`Stack ${o.stack} not found.`);
    outputs = Object.fromEntries(
      (stack.Outputs ?? []).map((out) => [normalise(out.OutputKey ?? ''), out.OutputValue ?? '']),
    );
  } catch (err) {
    if (err instanceof SmokeSetupError) throw err;
    throw new SmokeSetupError(
      `Could not read stack ${o.stack}${region ? ` in ${region}` : ''}: ${(err as Error).message} (AWS credentials and region: AWS_PROFILE / AWS_REGION or --region).`,
    );
  } finally {
    cfn.destroy();
  }
  const out = (name: (typeof stackOutputs)[number]) => {
    const v = outputs[normalise(name)];
    if (!v) {
      throw new SmokeSetupError(
        `Stack ${o.stack} has no output ${name}: deploy the current version (npx cdk deploy) first.`,
      );
    }
    return v;
  };
  const webhookSecretName = out('whatsapp-webhookSecretName');
  const sm = new SecretsManagerClient(region ? { region } : {});
  let webhookSecret: { appSecret?: string; verifyToken?: string };
  try {
    const res = await sm.send(new GetSecretValueCommand({ SecretId: webhookSecretName }));
    webhookSecret = JSON.parse(res.SecretString ?? '{}') as typeof webhookSecret;
  } catch (err) {
    throw new SmokeSetupError(`Could not read the secret ${webhookSecretName}: ${(err as Error).message}`);
  } finally {
    sm.destroy();
  }
  if (!webhookSecret.appSecret || !webhookSecret.verifyToken) {
    throw new SmokeSetupError(
      `The secret ${webhookSecretName} has no appSecret or verifyToken: fill it with the Meta app's values (README, "Deploying to AWS").`,
    );
  }
  const ddbRaw = new DynamoDBClient(region ? { region } : {});
  const schedulerClient = new SchedulerClient(region ? { region } : {});
  return {
    source: `stack ${o.stack}${region ? ` (${region})` : ''}`,
    webhookUrl: out('WebhookUrl'),
    apiUrl: out('HttpApiUrl'),
    appSecret: webhookSecret.appSecret,
    verifyToken: webhookSecret.verifyToken,
    email: o.email!,
    password: o.password!,
    phoneNumberId: o.phoneNumberId!,
    tableName: out('TableName'),
    scheduler: {
      group: out('SchedulerGroupName'),
      targetArn: out('SchedulerTargetArn'),
      roleArn: out('SchedulerRoleArn'),
    },
    ddb: docClient(ddbRaw),
    schedulerClient,
    close() {
      ddbRaw.destroy();
      schedulerClient.destroy();
    },
  };
}

/** CloudFormation drops a construct id's dashes from the output key: compare without them. */
export const normalise = (key: string) => key.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/** A local stack: `.data/local.json` (or another data folder's), its demo account and number. */
export function localTargets(dataDir?: string): SmokeTargets {
  let info: ReturnType<typeof readLocalInfo>;
  try {
    info = readLocalInfo(dataDir);
  } catch (err) {
    throw new SmokeSetupError((err as Error).message);
  }
  const r = info.resources;
  if (!r || !info.demo.email || !info.demo.password) {
    throw new SmokeSetupError(
      'local.json lacks the demo user or the stack resources: restart the stack (npm start) with the current version.',
    );
  }
  const sdk = {
    region: r.region,
    credentials: { accessKeyId: r.accessKeyId, secretAccessKey: 'local' },
  };
  const ddbRaw = new DynamoDBClient({ ...sdk, endpoint: info.urls.dynamodb });
  const schedulerClient = new SchedulerClient({ ...sdk, endpoint: info.urls.scheduler });
  return {
    source: `local stack (${info.urls.api})`,
    webhookUrl: info.urls.webhook,
    apiUrl: info.urls.api,
    appSecret: info.demo.appSecret,
    verifyToken: info.demo.verifyToken,
    email: info.demo.email,
    password: info.demo.password,
    phoneNumberId: info.demo.phoneNumberId,
    displayPhone: info.demo.displayPhone,
    tableName: r.tableName,
    scheduler: { group: r.schedulerGroup, targetArn: r.schedulerTargetArn, roleArn: r.schedulerRoleArn },
    ddb: docClient(ddbRaw),
    schedulerClient,
    close() {
      ddbRaw.destroy();
      schedulerClient.destroy();
    },
  };
}
