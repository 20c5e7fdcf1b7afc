/**
 * The CDK app and the local runtime both realise infra/topology.ts: every declared
 * function, queue and route exists in both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack } from '#infra/cdk/atende-stack.ts';
import { describeLocalTopology } from '#infra/local/stack.ts';
import { functionNames, httpRoutes, queueNames, topology, wsRoutes } from '#infra/topology.ts';

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
