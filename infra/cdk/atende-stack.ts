/**
 * The AWS realisation of infra/topology.ts. Everything here is derived by iterating the
 * topology; nothing is listed by hand. Each function gets its environment and its IAM
 * grants together (grantFor), from its declared `grants`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  Aspects,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  type CfnElement,
  Duration,
  Fn,
  type IAspect,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS } from '../web-headers.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * API Gateway throttling per stage (requests per second, burst), in front of the
 * functions' own limits (login's per-e-mail and per-IP limiter): a flood is answered 429
 * by API Gateway before it costs a Lambda invocation. The HTTP figure leaves room for
 * Meta's webhook bursts; the WebSocket one is for agents' connects and pings.
 */
export const API_THROTTLING = {
  http: { rateLimit: 500, burstLimit: 1000 },
  ws: { rateLimit: 100, burstLimit: 200 },
} as const;

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

/**
 * CloudFormation generates a new value whenever a secret's template changes, which would
 * wipe what the operator filled in: a secret keeps the template it was first deployed
 * with. `whatsapp` held the app secret and verify token before they moved to
 * `whatsapp-webhook` (which fn webhook reads instead); those two fields of it are no
 * longer read.
 */
const FIRST_TEMPLATE_KEYS: Partial<Record<SecretName, string[]>> = {
  whatsapp: ['accessToken', 'appSecret', 'verifyToken'],
};

/** Lambda's limit on a function name. */
const LAMBDA_NAME_MAX = 64;

/**
 * The name of the Scheduler's target function (topology.scheduler.target): explicit, so the
 * functions that arm schedules are given its exact ARN (SCHEDULER_TARGET_ARN) without a
 * reference to the function (which would be circular: the target arms schedules too).
 * `<stack>-timers`; a stack name too long for Lambda's 64 characters is cut and a hash of
 * it keeps the name unique.
 */
export function schedulerTargetFunctionName(stackName: string): string {
  const suffix = `-${topology.scheduler.target}`;
  const name = `${stackName}${suffix}`;
  if (name.length <= LAMBDA_NAME_MAX) return name;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${stackName.slice(0, LAMBDA_NAME_MAX - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/**
 * Every alarm of the stack notifies the operators' topic when it fires and when it clears:
 * the DLQ alarms and any alarm added later, without each one having to remember.
 */
class AlarmsNotify implements IAspect {
  private readonly done = new WeakSet<IConstruct>();
  private readonly topic: sns.ITopic;
  constructor(topic: sns.ITopic) {
    this.topic = topic;
  }
  visit(node: IConstruct): void {
    if (this.done.has(node)) return;
    if (node instanceof cloudwatch.AlarmBase) {
      this.done.add(node);
      const action = new cloudwatchActions.SnsAction(this.topic);
      node.addAlarmAction(action);
      node.addOkAction(action);
    } else if (node instanceof cloudwatch.CfnAlarm && !(node.node.scope instanceof cloudwatch.AlarmBase)) {
      // An alarm written as a bare CloudFormation resource.
      this.done.add(node);
      node.alarmActions = [...(node.alarmActions ?? []), this.topic.topicArn];
      node.okActions = [...(node.okActions ?? []), this.topic.topicArn];
    }
  }
}

const ack = (scope: Construct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${id}`, reason });

export class AtendeStack extends Stack {
  readonly functions = {} as Record<FunctionName, lambda.Function>;
  readonly queues = {} as Record<QueueName, { queue: sqs.Queue; dlq: sqs.Queue }>;

  constructor(scope: Construct, id: string, props: AtendeStackProps = {}) {
    super(scope, id, props);
    const bundle = props.bundle ?? true;
    const outboundAllowedOrigins =
      (props.outboundAllowedOrigins ?? [])
        .concat(String(this.node.tryGetContext('outboundAllowedOrigins') ?? '').split(','))
        .map((o) => o.trim())
        .filter(Boolean)
        .join(',') || undefined;

    // --- Table -----------------------------------------------------------------------
    const t = topology.table;
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: t.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: t.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: t.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const ix of t.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: ix.name,
        partitionKey: { name: `${ix.name}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${ix.name}sk`, type: dynamodb.AttributeType.STRING },
        projectionType:
          ix.projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL,
      });
    }

    // --- Operational alarms: one topic, every alarm of the stack notifies it ------------
    // Encrypted with a key of its own: CloudWatch cannot publish to a topic encrypted with
    // the AWS-managed aws/sns key, and it needs the key's use and the topic's leave to publish.
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Atende operational-alarms topic',
      enableKeyRotation: true,
    });
    alarmKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Atende operational alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    // Optional: an e-mail address subscribed at deploy (`--parameters AlarmEmail=...`); the
    // recipient confirms the subscription from the first e-mail.
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
      description:
        'E-mail address that receives the operational alarms (empty: no e-mail; other subscribers can be added to the AlarmTopicArn topic)',
    });
    const alarmEmailGiven = new CfnCondition(this, 'AlarmEmailGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });
    new sns.CfnSubscription(this, 'AlarmEmailSubscription', {
      topicArn: alarmTopic.topicArn,
      protocol: 'email',
      endpoint: alarmEmail.valueAsString,
    }).cfnOptions.condition = alarmEmailGiven;
    Aspects.of(this).add(new AlarmsNotify(alarmTopic));

    // --- Queues, DLQs and their alarms --------------------------------------------------
    for (const [name, def] of Object.entries(topology.queues) as [
      QueueName,
      (typeof topology.queues)[QueueName],
    ][]) {
      const fifo = def.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
      const dlq = new sqs.Queue(this, `${name}-dlq`, {
        ...fifo,
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        retentionPeriod: Duration.days(def.dlqRetentionDays),
      });
      ack(dlq, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
      const queue = new sqs.Queue(this, `${name}-queue`, {
        ...fifo,
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      new cloudwatch.Alarm(this, `${name}-dlq-alarm`, {
        alarmDescription: `Messages in the ${name} dead-letter queue: a function gave up on them (permanent error, ${def.retryHorizonHours} h of retries, or ${def.maxReceiveCount} receives); see the admin page Falhas`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.queues[name] = { queue, dlq };
    }

    // --- Buckets ----------------------------------------------------------------------
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    ack(accessLogs, 'AwsSolutions-S1', 'This is the access-log bucket; logging it to itself would loop.');
    const media = new s3.Bucket(this, 'Media', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      // CORS: only the web app's origin (added below, once the distribution exists).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Secrets ----------------------------------------------------------------------
    const secrets = {} as Record<SecretName, secretsmanager.Secret>;
    for (const [name, def] of Object.entries(topology.secrets) as [
      SecretName,
      (typeof topology.secrets)[SecretName],
    ][]) {
      const generated = def.keys.includes('jwtSecret') ? 'jwtSecret' : undefined;
      const template = Object.fromEntries(
        (FIRST_TEMPLATE_KEYS[name] ?? def.keys).filter((k) => k !== generated).map((k) => [k, '']),
      );
      const secret = new secretsmanager.Secret(this, `${name}-secret`, {
        description: def.description,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(template),
          generateStringKey: generated ?? '_generated',
          passwordLength: 48,
          excludePunctuation: true,
        },
      });
      ack(
        secret,
        'AwsSolutions-SMG4',
        'Meta and OpenAI credentials are rotated by their owners in those consoles; the JWT key is rotated by redeploying.',
      );
      secrets[name] = secret;
    }

    // --- WebSocket API (created before the functions: they need its endpoint) ---------
    const wsApi = new apigwv2.WebSocketApi(this, 'WebSocketApi', {
      routeSelectionExpression: '$request.body.action',
    });
    const wsStage = new apigwv2.WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: wsApi,
      stageName: 'live',
      autoDeploy: true,
      throttle: API_THROTTLING.ws,
    });
    const wsManagementEndpoint = `https://${wsApi.apiId}.execute-api.${this.region}.amazonaws.com/${wsStage.stageName}`;

    // --- Scheduler group and the role it assumes ---------------------------------------
    const scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', {
      name: topology.scheduler.groupName,
    });
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Assumed by EventBridge Scheduler to invoke the timers function',
    });
    const schedulerTargetName = schedulerTargetFunctionName(this.stackName);
    const schedulerTargetArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: schedulerTargetName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Scheduler invokes exactly that function (unqualified ARN), nothing else.
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [schedulerTargetArn] }),
    );

    // --- Functions --------------------------------------------------------------------
    for (const name of functionNames) {
      const def = topology.functions[name];
      const logGroup = new logs.LogGroup(this, `${name}-logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new iam.Role(this, `${name}-role`, {
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
        ...(name === topology.scheduler.target ? { functionName: schedulerTargetName } : {}),
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          [envNames.whatsappMediaHosts]: metaMediaHosts.join(','),
          ...(outboundAllowedOrigins ? { [envNames.outboundAllowedOrigins]: outboundAllowedOrigins } : {}),
        },
      };
      const fn = bundle
        ? new NodejsFunction(this, `${name}-fn`, {
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
        : new lambda.Function(this, `${name}-fn`, {
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

    // The deployment's recurring schedules (topology scheduler.recurring: the outbox sweep),
    // on the scheduler role, invoking the target function by its exact ARN.
    for (const r of topology.scheduler.recurring) {
      const schedule = new scheduler.CfnSchedule(this, `recurring-${r.name}`, {
        description: `Atende: ${r.name}, every ${r.everyMinutes} min`,
        groupName: topology.scheduler.groupName,
        scheduleExpression: `rate(${r.everyMinutes} ${r.everyMinutes === 1 ? 'minute' : 'minutes'})`,
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: schedulerTargetArn, roleArn: schedulerRole.roleArn, input: JSON.stringify(r.input) },
      });
      schedule.addDependency(scheduleGroup);
      schedule.node.addDependency(this.functions[topology.scheduler.target]);
    }

    // --- Web app: S3 + CloudFront -------------------------------------------------------
    const webBucket = new s3.Bucket(this, 'Web', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'web/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    // The headers of infra/web-headers.ts (the local static server sends the same). The API,
    // WebSocket and media hosts are named by pattern: naming them exactly would make a cycle
    // (the API's CORS and the media bucket's CORS name the distribution's domain).
    const awsHosts = (service: string) => [
      `https://*.${service}.${this.region}.amazonaws.com`,
      ...(service === 's3' ? ['https://*.s3.amazonaws.com'] : []),
    ];
    const webOrigins = {
      connect: [
        ...awsHosts('execute-api'),
        `wss://*.execute-api.${this.region}.amazonaws.com`,
        ...awsHosts('s3'),
      ],
      media: awsHosts('s3'),
    };
    const webHeaders = new cloudfront.ResponseHeadersPolicy(this, 'WebSecurityHeaders', {
      comment: 'Atende web app: CSP without inline script, HSTS, no framing, no referrer, nosniff',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(webOrigins), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
      },
    });
    const distribution = new cloudfront.Distribution(this, 'WebDistribution', {
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(webBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: webHeaders,
      },
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      errorResponses: [
        { httpStatus: 403, responseHttpStatus: 200, responsePagePath: '/index.html' },
        { httpStatus: 404, responseHttpStatus: 200, responsePagePath: '/index.html' },
      ],
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    ack(
      distribution,
      'AwsSolutions-CFR1',
      'Customers of Brazilian businesses travel; no geo restriction is wanted.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR2',
      'A static SPA with no server-side logic; WAF is left to the operator.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR4',
      'The default CloudFront certificate is used until the operator adds a domain; TLS 1.2 is the minimum set.',
    );
    const webUrl = `https://${distribution.distributionDomainName}`;
    // Browsers upload attachments with presigned PUTs and read media with presigned GETs:
    // only from the web app.
    media.addCorsRule({
      allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
      allowedOrigins: [webUrl],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
    });

    // --- HTTP API ---------------------------------------------------------------------
    const httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      corsPreflight: {
        allowOrigins: [webUrl],
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [apigwv2.CorsHttpMethod.ANY],
        // The login page reads Retry-After of a throttled login (429).
        exposeHeaders: ['retry-after'],
        allowCredentials: true,
        maxAge: Duration.minutes(10),
      },
    });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of topology.httpRoutes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function}-integration`,
          this.functions[route.function],
        );
        integrations.set(route.function, integration);
      }
      httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
    }
    const httpLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    const defaultStage = httpApi.defaultStage!.node.defaultChild as apigwv2.CfnStage;
    defaultStage.defaultRouteSettings = {
      throttlingRateLimit: API_THROTTLING.http.rateLimit,
      throttlingBurstLimit: API_THROTTLING.http.burstLimit,
    };
    defaultStage.accessLogSettings = {
      destinationArn: httpLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    ack(
      httpApi,
      'AwsSolutions-APIG4',
      'Authorization is done in the functions: JWT for /api (tenant from the token), Meta’s X-Hub-Signature-256 for the webhook.',
    );

    // --- WebSocket routes -------------------------------------------------------------
    for (const route of topology.wsRoutes) {
      wsApi.addRoute(route.route, {
        integration: new WebSocketLambdaIntegration(
          `ws${route.route.replace('$', '-')}`,
          this.functions[route.function],
        ),
        ...(route.route === '$default' ? { returnResponse: true } : {}),
      });
    }
    ack(
      wsApi,
      'AwsSolutions-APIG4',
      'The $connect function verifies the agent’s JWT before accepting a connection.',
    );
    const wsLogs = new logs.LogGroup(this, 'WebSocketAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    (wsStage.node.defaultChild as apigwv2.CfnStage).accessLogSettings = {
      destinationArn: wsLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        connectionId: '$context.connectionId',
      }),
    };

    // The SPA reads its API endpoints from /config.json, as it does locally.
    const webConfig = { apiUrl: httpApi.apiEndpoint, wsUrl: wsStage.url };
    const dist = join(root, 'web', 'dist');
    const deployment = new s3deploy.BucketDeployment(this, 'WebDeployment', {
      destinationBucket: webBucket,
      sources: [
        ...(existsSync(dist) ? [s3deploy.Source.asset(dist)] : []),
        s3deploy.Source.jsonData('config.json', webConfig),
      ],
      distribution,
      prune: false,
    });
    void deployment;
    ack(this, 'AwsSolutions-L1', 'The CDK BucketDeployment helper function chooses its own runtime.');
    ack(
      this,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Only the CDK BucketDeployment helper uses the AWS managed basic execution policy.',
    );
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::*',
      `Resource::<${this.logicalIdOf(webBucket)}.Arn>/*`,
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
    ]) {
      ack(
        this,
        `AwsSolutions-IAM5[${finding}]`,
        'The CDK BucketDeployment helper copies the built SPA into the web bucket.',
      );
    }

    new CfnOutput(this, 'HttpApiUrl', { value: httpApi.apiEndpoint });
    new CfnOutput(this, 'WebhookUrl', { value: `${httpApi.apiEndpoint}/webhook/whatsapp` });
    new CfnOutput(this, 'WebSocketUrl', { value: wsStage.url });
    new CfnOutput(this, 'WebUrl', { value: webUrl });
    for (const [name, secret] of Object.entries(secrets)) {
      new CfnOutput(this, `${name}SecretName`, { value: secret.secretName });
    }
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarmTopic.topicArn,
      description: 'Every alarm notifies this SNS topic: subscribe e-mail, chat or paging to it',
    });
    // The post-deploy smoke check (scripts/smoke.ts) arms a schedule as fn inbound does.
    new CfnOutput(this, 'SchedulerGroupName', { value: topology.scheduler.groupName });
    new CfnOutput(this, 'SchedulerRoleArn', { value: schedulerRole.roleArn });
    new CfnOutput(this, 'SchedulerTargetArn', { value: schedulerTargetArn });
    void wsManagementEndpoint;
  }

  private logicalIdOf(c: Construct): string {
    return this.getLogicalId(c.node.defaultChild as CfnElement);
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
    const findings: [string, string][] = [
      [`Resource::<${this.logicalIdOf(r.logGroup)}.Arn>:*`, 'Log streams of the function’s own log group.'],
    ];
    if (grants.some((g) => g.startsWith('table:'))) {
      findings.push([
        `Resource::<${this.logicalIdOf(r.table)}.Arn>/index/*`,
        'The indexes of the Atende table.',
      ]);
    }
    if (grants.some((g) => g.startsWith('bucket:'))) {
      const why = 'Objects of the media bucket (keys start with the account).';
      findings.push([`Resource::<${this.logicalIdOf(r.media)}.Arn>/*`, why]);
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
        `Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${this.logicalIdOf(r.wsApi)}>/live/*/@connections/*`,
        'Pushes to the agents connected to the Atende WebSocket stage.',
      ]);
    }
    for (const kind of accountSecretKinds) {
      if (grants.some((g) => g.startsWith('account-secret:') && g.endsWith(`:${kind}`)))
        findings.push([
          `Resource::arn:aws:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.stackName}/acc/*/${kind}-*`,
          `The accounts' own ${kind} secrets (one per account, created at run time), no other secret.`,
        ]);
    }
    for (const [finding, reason] of findings) ack(role, `AwsSolutions-IAM5[${finding}]`, reason);
  }

  private accountSecretArn(kind: AccountSecretKind): string {
    return `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${this.stackName}/acc/*/${kind}-*`;
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
        fn.addEnvironment(envNames.accountSecretsPrefix, this.stackName);
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
            resources: [`arn:aws:scheduler:${this.region}:${this.account}:schedule/${group}/*`],
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
          `https://${r.wsApi.apiId}.execute-api.${this.region}.amazonaws.com/${r.wsStage.stageName}`,
        );
        r.wsStage.grantManagementApiAccess(fn);
        return;
    }
  }
}
