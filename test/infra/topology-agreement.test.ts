/**
 * The CDK app and the local runtime both realise infra/topology.ts: every declared
 * function, queue and route exists in both.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack } from '#infra/cdk/atende-stack.ts';
import { describeLocalTopology } from '#infra/local/stack.ts';
import { statementsForGrants, triggerStatements, type LocalResources } from '#infra/local/iam.ts';
import {
  envNames,
  fifoQueueAttributes,
  functionNames,
  httpRoutes,
  queueNames,
  topology,
  wsRoutes,
  type FunctionName,
} from '#infra/topology.ts';

test('every function, queue and route of the topology exists in the CDK template and the local runtime', () => {
  const stack = new AtendeStack(new App(), 'Agreement', { bundle: false });
  const template = Template.fromStack(stack);
  const local = describeLocalTopology();

  // Functions
  for (const fn of functionNames) {
    assert.ok(stack.functions[fn], `CDK function ${fn}`);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: topology.functions[fn].description,
    });
    assert.ok(
      local.functions.some((f) => f.name === fn && f.handler === topology.functions[fn].handler),
      `local function ${fn}`,
    );
  }

  // Queues and their DLQs
  for (const q of queueNames) {
    assert.ok(stack.queues[q]?.queue && stack.queues[q]?.dlq, `CDK queue ${q}`);
    assert.equal(local.queues.filter((name) => name.startsWith(`atende-${q}`)).length, 2, `local queue ${q}`);
  }
  assert.equal(Object.keys(template.findResources('AWS::SQS::Queue')).length, local.queues.length);

  // Queue triggers
  const cdkMappings = Object.keys(template.findResources('AWS::Lambda::EventSourceMapping')).length;
  assert.equal(cdkMappings, local.pollers.length);

  // HTTP and WebSocket routes
  const cdkRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => r.Properties.RouteKey as string,
  );
  for (const r of httpRoutes) {
    assert.ok(cdkRoutes.includes(`${r.method} ${r.path}`), `CDK route ${r.method} ${r.path}`);
    assert.ok(local.httpRoutes.includes(`${r.method} ${r.path}`), `local route ${r.method} ${r.path}`);
  }
  for (const r of wsRoutes) {
    assert.ok(cdkRoutes.includes(r.route), `CDK ws route ${r.route}`);
    assert.ok(local.wsRoutes.includes(r.route), `local ws route ${r.route}`);
  }
  assert.equal(cdkRoutes.length, httpRoutes.length + wsRoutes.length);
});

/** Each function's role's actions in the template (its own log group's aside). */
function cdkActions(template: Template, stack: AtendeStack, fn: FunctionName): string[] {
  const role = stack.getLogicalId(stack.functions[fn].role!.node.defaultChild as CfnElement);
  const actions = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a) => !a.startsWith('logs:'));
  return [...new Set(actions)].sort();
}

test('each function has the same variables in the CDK template and the local runtime (names)', () => {
  const stack = new AtendeStack(new App(), 'EnvAgreement', {
    bundle: false,
    outboundAllowedOrigins: ['http://127.0.0.1:9'],
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties: { Environment: { Variables: Record<string, unknown> } } }
  >;
  const local = describeLocalTopology();
  for (const fn of functionNames) {
    const id = stack.getLogicalId(stack.functions[fn].node.defaultChild as CfnElement);
    const cdk = Object.keys(resources[id]!.Properties.Environment.Variables)
      .filter((k) => k !== 'NODE_OPTIONS')
      .sort();
    assert.deepEqual(local.env[fn], cdk, `variables of fn ${fn}`);
  }
  // What a function does not hold, it cannot reach: fn webhook has no media bucket nor table writes' queue.
  assert.ok(!local.env.webhook.includes(envNames.mediaBucket));
  assert.ok(!local.env.ws.includes(envNames.queueUrl('outbound')));
});

test('each function may perform the same actions in the CDK template and under the local IAM', () => {
  const stack = new AtendeStack(new App(), 'IamAgreement', { bundle: false });
  const template = Template.fromStack(stack);
  const r = {
    tableName: 't',
    queueNames: Object.fromEntries(queueNames.map((q) => [q, { queue: q, dlq: `${q}-dlq` }])),
    queueUrls: {},
    dlqUrls: {},
    mediaBucket: 'b',
    secretIds: {},
    accountSecretsPrefix: 'p',
    schedulerGroup: 'g',
    schedulerRoleArn: 'role',
    schedulerTargetArn: 'fn',
    wsEndpoint: 'ws',
  } as unknown as LocalResources;
  for (const fn of functionNames) {
    const local = [
      ...new Set(
        [...statementsForGrants(topology.functions[fn].grants, r), ...triggerStatements(fn, r)].flatMap(
          (s) => s.actions,
        ),
      ),
    ].sort();
    assert.deepEqual(local, cdkActions(template, stack, fn), `actions of fn ${fn}`);
  }
});

test('each queue has the same FIFO attributes in the CDK template as the local runtime creates it with', () => {
  const stack = new AtendeStack(new App(), 'QueueAgreement', { bundle: false });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  const names = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];
  for (const q of queueNames) {
    for (const dlq of [false, true]) {
      const id = stack.getLogicalId(stack.queues[q][dlq ? 'dlq' : 'queue'].node.defaultChild as CfnElement);
      // CloudFormation's booleans as the SQS API's strings.
      const cdk = Object.fromEntries(
        Object.entries(resources[id]!.Properties)
          .filter(([k]) => names.includes(k))
          .map(([k, v]) => [k, String(v)]),
      );
      // infra/local/stack/resources.ts creates each queue with these (and the local runtime's
      // test, local-grants.test.ts, reads them back from the running queue).
      assert.deepEqual(cdk, fifoQueueAttributes(topology.queues[q], dlq), `${q}${dlq ? ' DLQ' : ''}`);
    }
  }
});
