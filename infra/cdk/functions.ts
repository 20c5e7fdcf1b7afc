/**
 * The topology's functions: each with its log group, its role, and its environment and IAM
 * grants set together (grantFor) from its declared `grants`; then their SQS triggers.
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  envNames,
  metaMediaHosts,
  functionNames,
  topology,
  type FunctionName,
  type Grant,
  type QueueName,
  type SecretName,
  type AccountSecretKind,
  accountSecretKinds,
} from '../topology.ts';
import type { Data } from './data.ts';
import { ack, logicalIdOf } from './nag.ts';
import type { QueuePair } from './queues.ts';
import type { Schedules } from './schedules.ts';

export interface FunctionsProps {
  /** The repository's root (handler entries, lock file). */
  root: string;
  /** Bundle with esbuild; off: an inline stub (tests of the template's shape). */
  bundle: boolean;
  /** OUTBOUND_ALLOWED_ORIGINS, comma-separated, or none. */
  outboundAllowedOrigins: string | undefined;
  data: Data;
  queues: Record<QueueName, QueuePair>;
  /** The WebSocket API and stage the functions with `ws:manage` push to. */
  ws: { api: apigwv2.WebSocketApi; stage: apigwv2.WebSocketStage };
  schedules: Schedules;
}

export class Functions {
  readonly functions = {} as Record<FunctionName, lambda.Function>;
  private readonly stack: Stack;
  private readonly queues: Record<QueueName, QueuePair>;

  constructor(stack: Stack, props: FunctionsProps) {
    this.stack = stack;
    this.queues = props.queues;
    const { root, bundle, outboundAllowedOrigins, schedules } = props;
    const { table, media, secrets } = props.data;
    const { api: wsApi, stage: wsStage } = props.ws;
    const { group: scheduleGroup, role: schedulerRole, targetArn: schedulerTargetArn } = schedules;

    // --- Functions --------------------------------------------------------------------
    for (const name of functionNames) {
      const def = topology.functions[name];
      const logGroup = new logs.LogGroup(stack, `${name}-logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new iam.Role(stack, `${name}-role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Role of the ${name} function: only what its topology grants allow`,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`],
        }),
      );
      const common = {
        description: def.description,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: def.memoryMb,
        timeout: Duration.seconds(def.timeoutSeconds),
        role,
        logGroup,
        ...(name === topology.scheduler.target ? { functionName: schedules.targetName } : {}),
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          [envNames.whatsappMediaHosts]: metaMediaHosts.join(','),
          ...(outboundAllowedOrigins ? { [envNames.outboundAllowedOrigins]: outboundAllowedOrigins } : {}),
        },
      };
      const fn = bundle
        ? new NodejsFunction(stack, `${name}-fn`, {
            ...common,
            entry: join(root, def.handler),
            handler: 'handler',
            projectRoot: root,
            depsLockFilePath: join(root, 'package-lock.json'),
            bundling: {
              format: OutputFormat.ESM,
              target: 'node24',
              minify: true,
              sourceMap: true,
              forceDockerBundling: false,
              mainFields: ['module', 'main'],
              // Some SDK dependencies still call require(); give ESM bundles one.
              banner:
                "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
              externalModules: ['@aws-sdk/*'],
            },
          })
        : new lambda.Function(stack, `${name}-fn`, {
            ...common,
            handler: 'index.handler',
            code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
          });
      this.functions[name] = fn;

      for (const grant of def.grants)
        this.grantFor(fn, grant, {
          table,
          media,
          secrets,
          wsApi,
          wsStage,
          scheduleGroup,
          schedulerRole,
          schedulerTargetArn,
        });
      this.acknowledgeScopedWildcards(role, def.grants, { logGroup, table, media, wsApi, schedulerRole });
    }

    // SQS triggers: partial batch failures, never a whole-batch retry.
    for (const name of functionNames) {
      for (const trig of topology.functions[name].triggers) {
        if (trig.kind !== 'sqs') continue;
        const fifo = topology.queues[trig.queue].fifo;
        this.functions[name].addEventSource(
          new SqsEventSource(this.queues[trig.queue].queue, {
            batchSize: trig.batchSize,
            reportBatchItemFailures: true,
            ...(!fifo && trig.maxBatchingWindowSeconds > 0
              ? { maxBatchingWindow: Duration.seconds(trig.maxBatchingWindowSeconds) }
              : {}),
          }),
        );
      }
    }
  }

  /**
   * cdk-nag v3 wants each wildcard finding acknowledged on its own. These are the ones the
   * grants produce, each scoped to one of this stack's resources.
   */
  private acknowledgeScopedWildcards(
    role: iam.Role,
    grants: Grant[],
    r: {
      logGroup: logs.LogGroup;
      table: dynamodb.Table;
      media: s3.Bucket;
      wsApi: apigwv2.WebSocketApi;
      schedulerRole: iam.Role;
    },
  ): void {
    const stack = this.stack;
    const findings: [string, string][] = [
      [`Resource::<${logicalIdOf(stack, r.logGroup)}.Arn>:*`, 'Log streams of the function’s own log group.'],
    ];
    if (grants.some((g) => g.startsWith('table:'))) {
      findings.push([
        `Resource::<${logicalIdOf(stack, r.table)}.Arn>/index/*`,
        'The indexes of the Atende table.',
      ]);
    }
    if (grants.some((g) => g.startsWith('bucket:'))) {
      const why = 'Objects of the media bucket (keys start with the account).';
      findings.push([`Resource::<${logicalIdOf(stack, r.media)}.Arn>/*`, why]);
      if (grants.includes('bucket:media:read')) {
        for (const a of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) findings.push([`Action::${a}`, why]);
      }
      if (grants.includes('bucket:media:write'))
        for (const a of ['s3:Abort*', 's3:DeleteObject*']) findings.push([`Action::${a}`, why]);
    }
    if (grants.includes('scheduler:manage')) {
      findings.push([
        `Resource::arn:aws:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${topology.scheduler.groupName}/*`,
        'One-time schedules of the Atende schedule group only.',
      ]);
    }
    if (grants.includes('ws:manage')) {
      findings.push([
        `Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalIdOf(stack, r.wsApi)}>/live/*/@connections/*`,
        'Pushes to the agents connected to the Atende WebSocket stage.',
      ]);
    }
    for (const kind of accountSecretKinds) {
      if (grants.some((g) => g.startsWith('account-secret:') && g.endsWith(`:${kind}`)))
        findings.push([
          `Resource::arn:aws:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${stack.stackName}/acc/*/${kind}-*`,
          `The accounts' own ${kind} secrets (one per account, created at run time), no other secret.`,
        ]);
    }
    for (const [finding, reason] of findings) ack(role, `AwsSolutions-IAM5[${finding}]`, reason);
  }

  private accountSecretArn(kind: AccountSecretKind): string {
    const stack = this.stack;
    return `arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:${stack.stackName}/acc/*/${kind}-*`;
  }

  /** Sets a function's environment and its IAM permission for one declared grant, together. */
  private grantFor(
    fn: lambda.Function,
    grant: Grant,
    r: {
      table: dynamodb.Table;
      media: s3.Bucket;
      secrets: Record<SecretName, secretsmanager.Secret>;
      wsApi: apigwv2.WebSocketApi;
      wsStage: apigwv2.WebSocketStage;
      scheduleGroup: scheduler.CfnScheduleGroup;
      schedulerRole: iam.Role;
      /** The exact ARN of the Scheduler's target function (named explicitly). */
      schedulerTargetArn: string;
    },
  ): void {
    const stack = this.stack;
    const [kind, action, target] = grant.split(':') as [string, string, string | undefined];
    switch (kind) {
      case 'table':
        fn.addEnvironment(envNames.table, r.table.tableName);
        if (action === 'read') r.table.grantReadData(fn);
        else r.table.grantWriteData(fn);
        return;
      case 'queue': {
        const { queue: q, dlq } = this.queues[target as QueueName];
        if (action === 'send') {
          fn.addEnvironment(envNames.queueUrl(target as QueueName), q.queueUrl);
          q.grantSendMessages(fn);
        } else if (action === 'dead-letter') {
          // The function moves a record it gives up on to the DLQ itself (shared/queue/batch.ts).
          fn.addEnvironment(envNames.dlqUrl(target as QueueName), dlq.queueUrl);
          dlq.grantSendMessages(fn);
        } else {
          // redrive: read and delete the DLQ's messages, send them back to the queue.
          fn.addEnvironment(envNames.dlqUrl(target as QueueName), dlq.queueUrl);
          fn.addEnvironment(envNames.queueUrl(target as QueueName), q.queueUrl);
          dlq.grantConsumeMessages(fn);
          q.grantSendMessages(fn);
        }
        return;
      }
      case 'bucket':
        // `bucket:media:read`: the access is the third part (it was read as the second, so
        // no function could read media).
        fn.addEnvironment(envNames.mediaBucket, r.media.bucketName);
        if (target === 'read') r.media.grantRead(fn);
        else {
          r.media.grantPut(fn);
          // fn api removes a knowledge document's file (shared/assistant/knowledge.ts).
          r.media.grantDelete(fn);
        }
        return;
      case 'account-secret': {
        // The accounts' own secrets, created at run time by fn api: `<stack>/acc/<id>/<kind>`
        // (Secrets Manager appends `-xxxxxx` to the ARN). Read for `read`; also create and
        // put for `write`. fn webhook's `webhook` grant does not reach `credentials`.
        fn.addEnvironment(envNames.accountSecretsPrefix, stack.stackName);
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [
              'secretsmanager:GetSecretValue',
              'secretsmanager:DescribeSecret',
              ...(action === 'write' ? ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'] : []),
            ],
            resources: [this.accountSecretArn(target as AccountSecretKind)],
          }),
        );
        return;
      }
      case 'secret': {
        const s = r.secrets[target as SecretName];
        fn.addEnvironment(envNames.secretId(target as SecretName), s.secretArn);
        s.grantRead(fn);
        return;
      }
      case 'scheduler': {
        const group = topology.scheduler.groupName;
        fn.addEnvironment(envNames.schedulerGroup, group);
        fn.addEnvironment(envNames.schedulerRoleArn, r.schedulerRole.roleArn);
        fn.addEnvironment(envNames.schedulerTargetArn, r.schedulerTargetArn);
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [
              'scheduler:CreateSchedule',
              'scheduler:UpdateSchedule',
              'scheduler:DeleteSchedule',
              'scheduler:GetSchedule',
            ],
            resources: [`arn:aws:scheduler:${stack.region}:${stack.account}:schedule/${group}/*`],
          }),
        );
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [r.schedulerRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        );
        return;
      }
      case 'ws':
        fn.addEnvironment(
          envNames.wsEndpoint,
          `https://${r.wsApi.apiId}.execute-api.${stack.region}.amazonaws.com/${r.wsStage.stageName}`,
        );
        r.wsStage.grantManagementApiAccess(fn);
        return;
    }
  }
}
