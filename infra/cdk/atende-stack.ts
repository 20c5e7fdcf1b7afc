/**
 * The AWS realisation of infra/topology.ts. Everything here is derived by iterating the
 * topology; nothing is listed by hand. Each function gets its environment and its IAM
 * grants together (grantFor), from its declared `grants`.
 *
 * The stack is organised in parts named after what they hold: data.ts (table, buckets,
 * secrets), alarms.ts (SNS topic, its key, the Aspect every alarm notifies through),
 * queues.ts (queues, DLQs, their alarms), schedules.ts (Scheduler group, role, recurring
 * schedules), functions.ts (functions, their grants and SQS triggers), apis.ts (HTTP and
 * WebSocket APIs, routes, throttling) and web.ts (web bucket, CloudFront, headers, the
 * SPA's deployment). They are plain classes that build their resources in the stack's
 * own scope, not Constructs: a construct level in the path would change every logical id,
 * and CloudFormation would replace the deployed table, buckets and queues.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { topology, type FunctionName, type QueueName } from '../topology.ts';
import { Alarms } from './alarms.ts';
import { Apis } from './apis.ts';
import { Data } from './data.ts';
import { Functions } from './functions.ts';
import { Queues, type QueuePair } from './queues.ts';
import { Schedules } from './schedules.ts';
import { Web } from './web.ts';

export { API_THROTTLING } from './apis.ts';
export { schedulerTargetFunctionName } from './schedules.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface AtendeStackProps extends StackProps {
  /**
   * Bundle the functions with esbuild (default). Tests of the template's shape turn it
   * off to stay fast; `cdk synth` always bundles.
   */
  bundle?: boolean;
  /**
   * Origins the operator lets server-side fetches reach beyond public https hosts
   * (OUTBOUND_ALLOWED_ORIGINS; default none). Also from the `outboundAllowedOrigins` context.
   */
  outboundAllowedOrigins?: string[];
}

export class AtendeStack extends Stack {
  readonly functions: Record<FunctionName, lambda.Function>;
  readonly queues: Record<QueueName, QueuePair>;

  constructor(scope: Construct, id: string, props: AtendeStackProps = {}) {
    super(scope, id, props);
    const bundle = props.bundle ?? true;
    const outboundAllowedOrigins =
      (props.outboundAllowedOrigins ?? [])
        .concat(String(this.node.tryGetContext('outboundAllowedOrigins') ?? '').split(','))
        .map((o) => o.trim())
        .filter(Boolean)
        .join(',') || undefined;

    const data = new Data(this);
    const alarms = new Alarms(this);
    this.queues = new Queues(this).queues;
    const apis = new Apis(this);
    const schedules = new Schedules(this);
    this.functions = new Functions(this, {
      root,
      bundle,
      outboundAllowedOrigins,
      data,
      queues: this.queues,
      ws: { api: apis.wsApi, stage: apis.wsStage },
      schedules,
    }).functions;
    schedules.addRecurring(this.functions[topology.scheduler.target]);
    const web = new Web(this, { accessLogs: data.accessLogs, media: data.media });
    const httpApi = apis.addHttpApi(this.functions, web.url);
    apis.addWebSocketRoutes(this.functions);
    web.deploy(root, { apiUrl: httpApi.apiEndpoint, wsUrl: apis.wsStage.url });

    new CfnOutput(this, 'HttpApiUrl', { value: httpApi.apiEndpoint });
    new CfnOutput(this, 'WebhookUrl', { value: `${httpApi.apiEndpoint}/webhook/whatsapp` });
    new CfnOutput(this, 'WebSocketUrl', { value: apis.wsStage.url });
    new CfnOutput(this, 'WebUrl', { value: web.url });
    for (const [name, secret] of Object.entries(data.secrets)) {
      new CfnOutput(this, `${name}SecretName`, { value: secret.secretName });
    }
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarms.topic.topicArn,
      description: 'Every alarm notifies this SNS topic: subscribe e-mail, chat or paging to it',
    });
    // The post-deploy smoke check (scripts/smoke.ts) arms a schedule as fn inbound does.
    new CfnOutput(this, 'SchedulerGroupName', { value: topology.scheduler.groupName });
    new CfnOutput(this, 'SchedulerRoleArn', { value: schedules.role.roleArn });
    new CfnOutput(this, 'SchedulerTargetArn', { value: schedules.targetArn });
  }
}
