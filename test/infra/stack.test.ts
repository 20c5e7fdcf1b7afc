import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_THROTTLING, AtendeStack } from '#infra/cdk/atende-stack.ts';
import { HTTP_THROTTLE_AT_CAPACITY } from '#infra/cdk/apis.ts';
import { functionNames, queueNames, topology } from '#infra/topology.ts';

// Shape tests synthesize without esbuild bundling (fast); `npx cdk synth` bundles.
const app = new App();
const stack = new AtendeStack(app, 'Test', { bundle: false });
const template = Template.fromStack(stack);

const resourcesOf = (type: string) => Object.entries(template.findResources(type));

describe('the CDK stack realises the topology', () => {
  test('every function: nodejs24.x on arm64 with its memory and timeout', () => {
    for (const fn of functionNames) {
      const def = topology.functions[fn];
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: def.description,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: def.memoryMb,
        Timeout: def.timeoutSeconds,
      });
    }
    const ours = resourcesOf('AWS::Lambda::Function').filter(
      ([, r]) => r.Properties.Runtime === 'nodejs24.x',
    );
    assert.equal(ours.length, functionNames.length);
  });

  test('every queue has a DLQ with its max receives; FIFO queues keep content-based dedup off', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    assert.equal(queues.length, queueNames.length * 2);
    for (const q of queueNames) {
      const def = topology.queues[q];
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: def.visibilityTimeoutSeconds,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: def.maxReceiveCount }),
        ...(def.fifo ? { FifoQueue: true, ContentBasedDeduplication: false } : {}),
      });
    }
  });

  test('an alarm watches every dead-letter queue', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').filter(
      ([, r]) => r.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    assert.equal(alarms.length, queueNames.length);
  });

  test('SQS triggers report partial batch failures', () => {
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping');
    const sqsTriggers = functionNames.flatMap((fn) =>
      topology.functions[fn].triggers.filter((t) => t.kind === 'sqs'),
    );
    assert.equal(mappings.length, sqsTriggers.length);
    for (const [, m] of mappings)
      assert.deepEqual(m.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  test('every HTTP route and WebSocket route exists', () => {
    const routeKeys = [
      ...resourcesOf('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string),
    ];
    for (const r of topology.httpRoutes)
      assert.ok(routeKeys.includes(`${r.method} ${r.path}`), `${r.method} ${r.path}`);
    for (const r of topology.wsRoutes) assert.ok(routeKeys.includes(r.route), r.route);
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 2);
  });

  test('the table: on-demand, point-in-time recovery, TTL and the declared indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: topology.table.indexes.map((ix) => Match.objectLike({ IndexName: ix.name })),
    });
  });

  test('the schedule group and the role Scheduler assumes to invoke the timers function', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: topology.scheduler.groupName });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
    });
  });

  test('buckets are private and encrypted; secrets exist for Meta, OpenAI and the JWT key', () => {
    for (const [, b] of resourcesOf('AWS::S3::Bucket')) {
      assert.ok(b.Properties.BucketEncryption, 'encrypted');
      assert.deepEqual(b.Properties.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', Object.keys(topology.secrets).length);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  test('the web app is served with a CSP without inline script, HSTS, no framing, no referrer, nosniff', () => {
    const [, policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const h = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(h.ContentSecurityPolicy.ContentSecurityPolicy);
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /connect-src 'self' https:\/\/\*\.execute-api\./, 'the API');
    assert.match(csp, /wss:\/\/\*\.execute-api\./, 'the WebSocket API');
    assert.match(csp, /https:\/\/\*\.s3\./, 'the media bucket');
    assert.equal(h.ContentSecurityPolicy.Override, true);
    assert.ok(h.StrictTransportSecurity.AccessControlMaxAgeSec >= 31_536_000);
    assert.equal(h.StrictTransportSecurity.IncludeSubdomains, true);
    assert.equal(h.FrameOptions.FrameOption, 'DENY');
    assert.equal(h.ReferrerPolicy.ReferrerPolicy, 'no-referrer');
    assert.equal(h.ContentTypeOptions.Override, true);
    const [, dist] = resourcesOf('AWS::CloudFront::Distribution')[0]!;
    assert.deepEqual(dist.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId, {
      Ref: resourcesOf('AWS::CloudFront::ResponseHeadersPolicy')[0]![0],
    });
  });

  test('the media bucket answers CORS only for the web app’s CloudFront origin', () => {
    const withCors = resourcesOf('AWS::S3::Bucket').filter(([, b]) => b.Properties.CorsConfiguration);
    assert.equal(withCors.length, 1);
    const rules = withCors[0]![1].Properties.CorsConfiguration.CorsRules as { AllowedOrigins: unknown[] }[];
    const distributionId = resourcesOf('AWS::CloudFront::Distribution')[0]![0];
    for (const rule of rules) {
      assert.equal(rule.AllowedOrigins.length, 1);
      assert.ok(!JSON.stringify(rule.AllowedOrigins).includes('"*"'), 'no wildcard origin');
      assert.match(JSON.stringify(rule.AllowedOrigins), new RegExp(`${distributionId}.*DomainName`));
    }
  });

  test('the table and each index are pre-warmed only when a warm parameter is given', () => {
    const json = template.toJSON() as {
      Parameters: Record<string, { Type: string; Default?: unknown; MinValue?: unknown }>;
      Conditions: Record<string, unknown>;
    };
    // Defaults: a new on-demand table's own warm values (nothing set), also the minimum.
    for (const [p, own] of [
      ['TableWarmWriteUnits', 4000],
      ['TableWarmReadUnits', 12000],
    ] as const)
      assert.deepEqual(
        { ...json.Parameters[p], Description: undefined },
        { Type: 'Number', Default: own, MinValue: own, Description: undefined },
        p,
      );
    assert.deepEqual(json.Conditions.TableWarmGiven, {
      'Fn::Or': [
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TableWarmWriteUnits' }, '4000'] }] },
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TableWarmReadUnits' }, '12000'] }] },
      ],
    });
    const warm = {
      'Fn::If': [
        'TableWarmGiven',
        {
          ReadUnitsPerSecond: { Ref: 'TableWarmReadUnits' },
          WriteUnitsPerSecond: { Ref: 'TableWarmWriteUnits' },
        },
        { Ref: 'AWS::NoValue' },
      ],
    };
    const [table] = resourcesOf('AWS::DynamoDB::Table').map(([, r]) => r.Properties);
    assert.deepEqual(table.WarmThroughput, warm);
    assert.equal(table.GlobalSecondaryIndexes.length, topology.table.indexes.length);
    for (const ix of table.GlobalSecondaryIndexes) assert.deepEqual(ix.WarmThroughput, warm, ix.IndexName);
  });

  test('API Gateway throttles the HTTP API and the WebSocket stages', () => {
    const stages = resourcesOf('AWS::ApiGatewayV2::Stage').map(([, s]) => s.Properties);
    const http = stages.find((s) => s.StageName === '$default')!;
    // The HTTP stage's figures are deploy-time parameters, API_THROTTLING.http their defaults.
    assert.deepEqual(http.DefaultRouteSettings, {
      ThrottlingRateLimit: { Ref: 'HttpThrottleRate' },
      ThrottlingBurstLimit: { Ref: 'HttpThrottleBurst' },
    });
    const parameters = template.toJSON().Parameters as Record<
      string,
      { Default?: unknown; MinValue?: unknown }
    >;
    assert.equal(parameters.HttpThrottleRate?.Default, API_THROTTLING.http.rateLimit);
    assert.equal(parameters.HttpThrottleBurst?.Default, API_THROTTLING.http.burstLimit);
    assert.equal(parameters.HttpThrottleRate?.MinValue, 1);
    // The defaults stay within a new account's Regional quota (10,000 requests/s, burst
    // 5,000): a stage's limit cannot exceed the account's.
    assert.ok(API_THROTTLING.http.rateLimit <= 10_000 && API_THROTTLING.http.burstLimit <= 5_000);
    // docs/capacity.md: 10,000 customer messages/s across a deployment, each one webhook POST,
    // three status POSTs for its reply and the agent's reply through the API — the figures
    // such a deployment passes once its quota is raised.
    assert.ok(HTTP_THROTTLE_AT_CAPACITY.rateLimit >= 10_000 * (1 + 3 + 1));
    const ws = stages.find((s) => s.StageName === 'live')!;
    assert.deepEqual(ws.DefaultRouteSettings, {
      ThrottlingRateLimit: API_THROTTLING.ws.rateLimit,
      ThrottlingBurstLimit: API_THROTTLING.ws.burstLimit,
    });
  });

  test('least privilege: a function without table:write cannot write the table', () => {
    const policies = resourcesOf('AWS::IAM::Policy');
    const actionsOf = (fn: string) =>
      policies
        .filter(([id]) => id.startsWith(`${fn}role`))
        .flatMap(([, p]) =>
          p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action),
        );
    assert.ok(!topology.functions.webhook.grants.includes('table:write'));
    assert.ok(!actionsOf('webhook').includes('dynamodb:PutItem'));
    assert.ok(actionsOf('inbound').includes('dynamodb:PutItem'));
    assert.ok(!actionsOf('webhook').some((a: string) => a.startsWith('scheduler:')));
  });

  test('dead letters: each queue-fed function may send to its own DLQ only, fn api may read and redrive every DLQ', () => {
    const policies = resourcesOf('AWS::IAM::Policy');
    const dlqId = (q: string) => resourcesOf('AWS::SQS::Queue').find(([id]) => id.startsWith(`${q}dlq`))![0];
    const queueId = (q: string) =>
      resourcesOf('AWS::SQS::Queue').find(([id]) => id.startsWith(`${q}queue`))![0];
    type Statement = { Action: string | string[]; Resource: unknown };
    const actionsOn = (fn: string, resourceId: string) =>
      policies
        .filter(([id]) => id.startsWith(`${fn}role`))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => JSON.stringify(s.Resource).includes(`"${resourceId}"`))
        .flatMap((s) => s.Action);
    const envOf = (fn: string) =>
      resourcesOf('AWS::Lambda::Function').find(
        ([, r]) => r.Properties.Description === topology.functions[fn as 'api'].description,
      )![1].Properties.Environment?.Variables ?? {};
    for (const q of queueNames) {
      for (const fn of functionNames) {
        const deadLetters = topology.functions[fn].grants.includes(`queue:dead-letter:${q}`);
        const redrives = topology.functions[fn].grants.includes(`queue:redrive:${q}`);
        const actions = actionsOn(fn, dlqId(q));
        assert.equal(actions.includes('sqs:SendMessage'), deadLetters, `${fn} → ${q} DLQ`);
        assert.equal(actions.includes('sqs:ReceiveMessage'), redrives, `${fn} reads ${q} DLQ`);
        assert.equal(actions.includes('sqs:DeleteMessage'), redrives, `${fn} deletes from ${q} DLQ`);
        assert.equal(`${q.toUpperCase()}_DLQ_URL` in envOf(fn), deadLetters || redrives, `${fn} env`);
        if (redrives) assert.ok(actionsOn(fn, queueId(q)).includes('sqs:SendMessage'), `${fn} redrives ${q}`);
      }
      const consumer = functionNames.find((fn) =>
        topology.functions[fn].triggers.some((t) => t.kind === 'sqs' && t.queue === q),
      )!;
      assert.ok(topology.functions[consumer].grants.includes(`queue:dead-letter:${q}`), consumer);
      assert.ok(topology.functions.api.grants.includes(`queue:redrive:${q}`));
    }
    // fn webhook sends malformed items to the inbound DLQ (shared/webhook/handle-webhook.ts); never reads it.
    assert.ok(actionsOn('webhook', dlqId('inbound')).includes('sqs:SendMessage'));
    assert.ok(!actionsOn('webhook', dlqId('inbound')).includes('sqs:ReceiveMessage'));
  });
});

test('the stack passes the cdk-nag AwsSolutions checks', () => {
  const nagApp = new App();
  new AtendeStack(nagApp, 'Nag', { bundle: false });
  Validations.of(nagApp).addPlugins(new AwsSolutionsChecks(nagApp));
  assert.doesNotThrow(() => nagApp.synth());
});
