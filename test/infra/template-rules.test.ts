/**
 * Rules every synthesized template must keep, checked on the template itself rather than
 * on a list of what we remember to grant (issue 13, A): a resource a function is told about
 * through its environment is one its role may use; a schedule target is a function the
 * Scheduler may invoke, with a role the arming function may pass; API stages throttle; the
 * web app is served with security headers. (The alarms' actions are checked below too.)
 *
 * Env values and policy resources are rendered to one string form (`${LogicalId}`,
 * `${LogicalId.Attr}`, `${AWS::Region}`, partition `aws`) and matched the way IAM matches
 * (`*`, `?`), so a wildcard grant counts only where IAM would honour it.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack, schedulerTargetFunctionName } from '#infra/cdk/atende-stack.ts';
import {
  accountSecretKinds,
  envNames,
  functionNames,
  queueNames,
  topology,
  type FunctionName,
  type Grant,
} from '#infra/topology.ts';

// One synth for the whole file (it is slow).
const app = new App();
const stack = new AtendeStack(app, 'Rules', { bundle: false });
// Alarms added after the stack's own, as a later change would add them: they must notify too.
new cloudwatch.Alarm(stack, 'AddedLaterAlarm', {
  metric: new cloudwatch.Metric({ namespace: 'Atende', metricName: 'Probe' }),
  threshold: 1,
  evaluationPeriods: 1,
});
new cloudwatch.CfnAlarm(stack, 'AddedLaterCfnAlarm', {
  namespace: 'Atende',
  metricName: 'Probe',
  statistic: 'Sum',
  period: 60,
  threshold: 1,
  evaluationPeriods: 1,
  comparisonOperator: 'GreaterThanThreshold',
});
const template = Template.fromStack(stack).toJSON() as {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string }>;
  Parameters: Record<string, { Type: string; Default?: string | number; MinValue?: number }>;
  Conditions: Record<string, unknown>;
  Outputs: Record<string, { Value: unknown }>;
};
const resources = template.Resources;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const props = (id: string) => (resources[id]?.Properties ?? {}) as Record<string, unknown>;
const ofType = (type: string) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
const lambdaArn = (name: string) => `arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}`;

/** A CloudFormation value as one string: references become `${Id}` / `${Id.Attr}`. */
function render(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const o = v as Record<string, unknown>;
  if (o && typeof o === 'object' && 'Ref' in o) {
    return o.Ref === 'AWS::Partition' ? 'aws' : `\${${String(o.Ref)}}`;
  }
  if (o && typeof o === 'object' && 'Fn::GetAtt' in o) {
    const [id, attr] = o['Fn::GetAtt'] as [string, string];
    // A function with an explicit name has a known ARN: the same string however it is written.
    const name = resources[id]?.Type === 'AWS::Lambda::Function' ? props(id).FunctionName : undefined;
    if (attr === 'Arn' && typeof name === 'string') return lambdaArn(name);
    return `\${${id}.${attr}}`;
  }
  if (o && typeof o === 'object' && 'Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`cannot render ${JSON.stringify(v)}`);
}

/** The logical ids a value refers to (pseudo parameters left out). */
function referencedIds(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(referencedIds);
  if (!v || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  if ('Ref' in o) return String(o.Ref).startsWith('AWS::') ? [] : [String(o.Ref)];
  if ('Fn::GetAtt' in o) return [(o['Fn::GetAtt'] as string[])[0]!];
  return Object.values(o).flatMap(referencedIds);
}

/** IAM's matching: `*` any run of characters, `?` one. */
function iamMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}

/** The Allow statements of a role: its policies and its inline policies. */
function statementsOfRole(roleId: string): Statement[] {
  const attached = ofType('AWS::IAM::Policy')
    .filter((id) => (props(id).Roles as unknown[]).some((r) => render(r) === `\${${roleId}}`))
    .map((id) => props(id).PolicyDocument);
  const inline = ((props(roleId).Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
    (p) => p.PolicyDocument,
  );
  return [...attached, ...inline]
    .flatMap((d) => (d as { Statement: Statement[] }).Statement)
    .filter((s) => s.Effect === 'Allow');
}

function allows(statements: Statement[], action: string, arn: string): boolean {
  return statements.some(
    (s) =>
      [s.Action].flat().some((a) => iamMatch(a, action, true)) &&
      [s.Resource].flat().some((r) => iamMatch(render(r), arn)),
  );
}

const roleOf = (fnId: string) => (props(fnId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const envOf = (fnId: string) =>
  ((props(fnId).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}) as Record<string, unknown>;
const idOf = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);

/** The topology's name and grants of each function of the template (none for CDK helpers). */
const topologyOf = new Map<string, { name: FunctionName; grants: Grant[] }>(
  functionNames.map((name) => [
    idOf(stack.functions[name]),
    { name, grants: topology.functions[name].grants },
  ]),
);

const trustsScheduler = (roleId: string) =>
  JSON.stringify(props(roleId).AssumeRolePolicyDocument).includes('"scheduler.amazonaws.com"');

/** The function of the template this ARN names, if any. */
const functionNamedBy = (arn: string) =>
  ofType('AWS::Lambda::Function').find((id) => render({ 'Fn::GetAtt': [id, 'Arn'] }) === arn);

interface Need {
  action: string;
  arn: string;
}

/**
 * What a function must be allowed on the resource an environment variable names, from the
 * resource's type and what the function's grants say it does with it. Throws for a variable
 * naming a resource no rule knows: a new kind of resource needs its rule here.
 */
function needsOf(fnId: string, envName: string, value: unknown, grants: Grant[]): Need[] {
  const ids = referencedIds(value);
  const one = (type: string) => {
    assert.equal(ids.length, 1, `${envName} names one resource`);
    assert.equal(resources[ids[0]!]?.Type, type, `${envName} names a ${type}`);
    return ids[0]!;
  };
  const each = (actions: string[], arn: string) => actions.map((action) => ({ action, arn }));
  const queueOf = (suffix: string) => queueNames.find((q) => envName === `${q.toUpperCase()}${suffix}`);

  if (envName === envNames.table) {
    const t = one('AWS::DynamoDB::Table');
    return [
      ...each(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'], `\${${t}.Arn}`),
      ...each(['dynamodb:Query'], `\${${t}.Arn}/index/gsi1`),
      ...(grants.includes('table:write')
        ? each(
            ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
            `\${${t}.Arn}`,
          )
        : []),
    ];
  }
  const queue = queueOf('_QUEUE_URL');
  if (queue) {
    const q = one('AWS::SQS::Queue');
    assert.equal(q, idOf(stack.queues[queue].queue), `${envName} is the ${queue} queue`);
    return each(['sqs:SendMessage'], `\${${q}.Arn}`);
  }
  const dlqOf = queueOf('_DLQ_URL');
  if (dlqOf) {
    const d = one('AWS::SQS::Queue');
    assert.equal(d, idOf(stack.queues[dlqOf].dlq), `${envName} is the ${dlqOf} queue's DLQ`);
    const redriven = ofType('AWS::SQS::Queue').some(
      (q) =>
        render(
          (props(q).RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn ??
            '',
        ) === `\${${d}.Arn}`,
    );
    assert.ok(redriven, `${envName} names a queue that is some queue's dead-letter target`);
    const needs = [
      ...(grants.includes(`queue:dead-letter:${dlqOf}`) ? each(['sqs:SendMessage'], `\${${d}.Arn}`) : []),
      ...(grants.includes(`queue:redrive:${dlqOf}`)
        ? each(
            [
              'sqs:ReceiveMessage',
              'sqs:DeleteMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:GetQueueAttributes',
            ],
            `\${${d}.Arn}`,
          )
        : []),
    ];
    assert.ok(needs.length, `${envName} is given without a dead-letter or redrive grant`);
    return needs;
  }
  if (envName === envNames.mediaBucket) {
    const b = one('AWS::S3::Bucket');
    const object = `\${${b}.Arn}/acc-1/media/m-1`;
    return [
      ...(grants.includes('bucket:media:read') ? each(['s3:GetObject'], object) : []),
      ...(grants.includes('bucket:media:write') ? each(['s3:PutObject'], object) : []),
    ];
  }
  if (envName.endsWith('_SECRET_ID')) {
    const s = one('AWS::SecretsManager::Secret');
    return each(['secretsmanager:GetSecretValue'], `\${${s}}`);
  }
  if (envName === envNames.accountSecretsPrefix) {
    assert.equal(typeof value, 'string');
    return accountSecretKinds.flatMap((kind) => {
      const arn = `arn:aws:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${String(value)}/acc/acc-1/${kind}-AbCdEf`;
      return [
        ...(grants.includes(`account-secret:read:${kind}`) || grants.includes(`account-secret:write:${kind}`)
          ? each(['secretsmanager:GetSecretValue'], arn)
          : []),
        ...(grants.includes(`account-secret:write:${kind}`)
          ? each(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'], arn)
          : []),
      ];
    });
  }
  if (envName === envNames.schedulerGroup) {
    assert.ok(
      ofType('AWS::Scheduler::ScheduleGroup').some((g) => props(g).Name === value),
      `schedule group ${String(value)} exists`,
    );
    return each(
      ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      `arn:aws:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${String(value)}/t-1`,
    );
  }
  if (envName === envNames.schedulerRoleArn) {
    const r = one('AWS::IAM::Role');
    assert.ok(trustsScheduler(r), `${envName} names a role EventBridge Scheduler may assume`);
    return each(['iam:PassRole'], `\${${r}.Arn}`);
  }
  if (envName === envNames.schedulerTargetArn) {
    // Not the function's to invoke: the Scheduler role's (the schedule test below).
    assert.ok(functionNamedBy(render(value)), `${envName} ${render(value)} names a function of the stack`);
    return [];
  }
  if (envName === envNames.wsEndpoint) {
    const m = /^https:\/\/\$\{(\w+)\}\.execute-api\.\$\{AWS::Region\}\.amazonaws\.com\/([\w-]+)$/.exec(
      render(value),
    );
    assert.ok(m, `${envName} is a WebSocket API stage endpoint`);
    const [, api, stage] = m;
    assert.equal(props(api!).ProtocolType, 'WEBSOCKET');
    assert.ok(
      ofType('AWS::ApiGatewayV2::Stage').some(
        (s) => props(s).StageName === stage && render(props(s).ApiId) === `\${${api}}`,
      ),
      `stage ${stage} of the WebSocket API exists`,
    );
    const connection = (method: string) =>
      `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/${stage}/${method}/@connections/abc=`;
    return [
      ...each(['execute-api:ManageConnections'], connection('POST')),
      ...each(['execute-api:ManageConnections'], connection('DELETE')),
    ];
  }
  assert.deepEqual(ids, [], `${fnId}: no rule for ${envName}, which names ${ids.join(', ')}`);
  return [];
}

test("every resource named in a function's environment is granted to that function's role", () => {
  let checked = 0;
  for (const fnId of ofType('AWS::Lambda::Function')) {
    const grants = topologyOf.get(fnId)?.grants ?? [];
    const statements = statementsOfRole(roleOf(fnId));
    for (const [envName, value] of Object.entries(envOf(fnId))) {
      for (const need of needsOf(fnId, envName, value, grants)) {
        assert.ok(
          allows(statements, need.action, need.arn),
          `${topologyOf.get(fnId)?.name ?? fnId}: ${envName} names ${need.arn}, but its role may not ${need.action} it`,
        );
        checked++;
      }
    }
  }
  // Not vacuous: every topology function was checked, and on many resources.
  assert.equal(topologyOf.size, functionNames.length);
  assert.ok(checked > 50, `only ${checked} grants checked`);
});

test('every schedule target is a function the Scheduler role may invoke, with a role the arming function may pass', () => {
  const armers = ofType('AWS::Lambda::Function').filter((id) => envOf(id)[envNames.schedulerTargetArn]);
  assert.ok(armers.length >= 2, 'the engine and the timers function arm schedules');
  // Targets of schedules created by the functions at run time, and of any schedule in the template.
  const targets = [
    ...armers.map((fnId) => ({
      who: topologyOf.get(fnId)?.name ?? fnId,
      target: envOf(fnId)[envNames.schedulerTargetArn],
      role: envOf(fnId)[envNames.schedulerRoleArn],
      passer: roleOf(fnId),
    })),
    ...ofType('AWS::Scheduler::Schedule').map((id) => {
      const t = props(id).Target as { Arn: unknown; RoleArn: unknown };
      return { who: id, target: t.Arn, role: t.RoleArn, passer: undefined };
    }),
  ];
  for (const { who, target, role, passer } of targets) {
    const arn = render(target);
    const fn = functionNamedBy(arn);
    assert.ok(fn, `${who}: schedule target ${arn} names no function of the stack`);
    const name = props(fn).FunctionName as string;
    assert.ok(name.length <= 64 && /^[\w-]+$/.test(name), `a valid Lambda name: ${name}`);
    const [roleId] = referencedIds(role);
    assert.ok(roleId && resources[roleId]?.Type === 'AWS::IAM::Role', `${who}: the schedule role is a role`);
    assert.ok(trustsScheduler(roleId), `${who}: EventBridge Scheduler may assume ${roleId}`);
    assert.ok(
      allows(statementsOfRole(roleId), 'lambda:InvokeFunction', arn),
      `${who}: the Scheduler role may not invoke ${arn}`,
    );
    if (passer)
      assert.ok(
        allows(statementsOfRole(passer), 'iam:PassRole', render(role)),
        `${who}: may not pass the Scheduler role`,
      );
  }
  // The Scheduler role invokes nothing else.
  const schedulerRoles = ofType('AWS::IAM::Role').filter(trustsScheduler);
  for (const r of schedulerRoles)
    for (const s of statementsOfRole(r))
      for (const res of [s.Resource].flat())
        assert.ok(functionNamedBy(render(res)), `the Scheduler role reaches ${render(res)}`);
});

test('the target function name fits Lambda’s 64 characters for any stack name, and stays unique', () => {
  assert.equal(schedulerTargetFunctionName('Atende'), 'Atende-timers');
  const long = (c: string) => `Atende-${c.repeat(120)}`;
  const a = schedulerTargetFunctionName(long('a'));
  const b = schedulerTargetFunctionName(`${long('a')}b`);
  for (const n of [a, b]) assert.ok(n.length <= 64 && /^[\w-]+-timers$/.test(n), n);
  assert.notEqual(a, b);
});

test('every FIFO queue a function consumes is in high-throughput mode (per-group deduplication and throughput)', () => {
  // docs/capacity.md: without it a FIFO queue takes 300 calls/s per action, and the webhook
  // sends once per POST. Dead-letter queues (no redrive policy of their own) may stay default.
  const fifoMains = ofType('AWS::SQS::Queue').filter(
    (id) => props(id).FifoQueue === true && props(id).RedrivePolicy !== undefined,
  );
  assert.equal(fifoMains.length, queueNames.filter((q) => topology.queues[q].fifo).length);
  for (const id of fifoMains) {
    assert.equal(props(id).DeduplicationScope, 'messageGroup', id);
    assert.equal(props(id).FifoThroughputLimit, 'perMessageGroupId', id);
  }
});

test('every API stage throttles (rate and burst above zero)', () => {
  const stages = ofType('AWS::ApiGatewayV2::Stage');
  assert.equal(stages.length, 2, 'the HTTP API stage and the WebSocket stage');
  for (const s of stages) {
    const settings = props(s).DefaultRouteSettings as
      { ThrottlingRateLimit?: unknown; ThrottlingBurstLimit?: unknown } | undefined;
    const api = referencedIds(props(s).ApiId)[0]!;
    const what = `${String(props(api).ProtocolType)} stage ${String(props(s).StageName)}`;
    // A figure, or a deploy-time Number parameter that cannot be set to zero (and whose
    // default is above it).
    const positive = (v: unknown) => {
      if (typeof v === 'number') return v > 0;
      const ref = (v as { Ref?: string } | undefined)?.Ref;
      const p = ref ? template.Parameters[ref] : undefined;
      return p?.Type === 'Number' && (p.MinValue ?? 0) >= 1 && Number(p.Default) > 0;
    };
    assert.ok(positive(settings?.ThrottlingRateLimit), `${what}: rate limit`);
    assert.ok(positive(settings?.ThrottlingBurstLimit), `${what}: burst limit`);
    // No route lifts its own limit to nothing.
    for (const [route, rs] of Object.entries(
      (props(s).RouteSettings ?? {}) as Record<string, { ThrottlingRateLimit?: number }>,
    ))
      assert.ok((rs.ThrottlingRateLimit ?? 1) > 0, `${what}: route ${route}`);
  }
  assert.deepEqual(stages.map((s) => props(referencedIds(props(s).ApiId)[0]!).ProtocolType).sort(), [
    'HTTP',
    'WEBSOCKET',
  ]);
  assert.deepEqual(ofType('AWS::ApiGateway::Stage'), [], 'no REST API stage without throttling');
});

test('every CloudFront behaviour sends the security headers (CSP, HSTS, no framing, nosniff, referrer)', () => {
  const distributions = ofType('AWS::CloudFront::Distribution');
  assert.equal(distributions.length, 1);
  for (const d of distributions) {
    const config = props(d).DistributionConfig as {
      DefaultCacheBehavior: { ResponseHeadersPolicyId?: unknown };
      CacheBehaviors?: { ResponseHeadersPolicyId?: unknown }[];
    };
    for (const behaviour of [config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])]) {
      const [policy] = referencedIds(behaviour.ResponseHeadersPolicyId);
      assert.ok(policy, 'the behaviour has a response-headers policy of the stack');
      const h = (
        props(policy).ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, unknown> }
      ).SecurityHeadersConfig;
      for (const header of [
        'ContentSecurityPolicy',
        'StrictTransportSecurity',
        'FrameOptions',
        'ContentTypeOptions',
        'ReferrerPolicy',
      ])
        assert.ok(h[header], header);
    }
  }
});

test('every alarm notifies the operators’ SNS topic when it fires and when it clears; an e-mail subscription is optional', () => {
  const [topic, ...others] = ofType('AWS::SNS::Topic');
  assert.ok(topic && others.length === 0, 'one alarm topic');
  const alarms = ofType('AWS::CloudWatch::Alarm');
  assert.ok(alarms.length >= queueNames.length + 2, 'the DLQ alarms and the two added later');
  for (const a of alarms)
    for (const key of ['AlarmActions', 'OKActions']) {
      const actions = (props(a)[key] as unknown[] | undefined) ?? [];
      assert.ok(
        actions.some((x) => render(x) === `\${${topic}}`),
        `${a}: its ${key} do not reach the alarm topic (${JSON.stringify(actions)})`,
      );
    }

  // CloudWatch can publish to it: its own key (not aws/sns), the key and the topic let it.
  const t = props(topic);
  const [key] = referencedIds(t.KmsMasterKeyId);
  assert.ok(key && resources[key]?.Type === 'AWS::KMS::Key', 'encrypted with a key of the stack');
  assert.equal(props(key).EnableKeyRotation, true);
  const keyStatements = (props(key).KeyPolicy as { Statement: (Statement & { Principal?: unknown })[] })
    .Statement;
  for (const action of ['kms:Decrypt', 'kms:GenerateDataKey'])
    assert.ok(
      keyStatements.some(
        (s) =>
          s.Effect === 'Allow' &&
          JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com') &&
          [s.Action].flat().some((a) => iamMatch(a, action, true)),
      ),
      `CloudWatch may ${action} with the topic's key`,
    );
  const topicPolicies = ofType('AWS::SNS::TopicPolicy').filter((p) =>
    (props(p).Topics as unknown[]).some((x) => render(x) === `\${${topic}}`),
  );
  const topicStatements = topicPolicies.flatMap(
    (p) => (props(p).PolicyDocument as { Statement: (Statement & { Principal?: unknown })[] }).Statement,
  );
  assert.ok(
    topicStatements.some(
      (s) =>
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com') &&
        [s.Action].flat().some((a) => iamMatch(a, 'sns:Publish', true)),
    ),
    'CloudWatch may publish to the topic',
  );
  assert.ok(
    topicStatements.some(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'),
    ),
    'the topic refuses publishing without TLS',
  );

  // The optional e-mail: a parameter, empty by default, subscribed only when given.
  assert.equal(template.Parameters.AlarmEmail?.Default, '');
  const subscriptions = ofType('AWS::SNS::Subscription');
  assert.equal(subscriptions.length, 1);
  const sub = resources[subscriptions[0]!]!;
  assert.equal(sub.Properties?.Protocol, 'email');
  assert.deepEqual(sub.Properties?.Endpoint, { Ref: 'AlarmEmail' });
  assert.deepEqual(template.Conditions[sub.Condition!], {
    'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
  });
  assert.deepEqual(template.Outputs.AlarmTopicArn?.Value, { Ref: topic });
});
