/**
 * The post-deploy smoke check (scripts/smoke.ts) finds the deployment through the stack's
 * outputs: every output it reads exists, and it arms its schedule with the target the
 * engine's functions are given, which the scheduler role it passes may invoke.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack } from '#infra/cdk/atende-stack.ts';
import { envNames, topology } from '#infra/topology.ts';
import { normalise, stackOutputs } from '../../scripts/smoke/targets.ts';

const template = Template.fromStack(new AtendeStack(new App(), 'Test', { bundle: false }));
const outputs = template.findOutputs('*');
const output = (name: string) =>
  Object.entries(outputs).find(([key]) => normalise(key) === normalise(name))?.[1] as
    { Value: unknown } | undefined;

test('the stack has every output the smoke check reads', () => {
  const missing = stackOutputs.filter((name) => !output(name));
  assert.deepEqual(missing, []);
});

test('the smoke check arms its schedule as the engine does: the same target ARN, a role that may invoke it', () => {
  const target = JSON.stringify(output('SchedulerTargetArn')!.Value);
  // Every function that arms schedules is given that same target.
  const armers = Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f) => f.Properties.Environment?.Variables?.[envNames.schedulerTargetArn] !== undefined,
  );
  assert.ok(armers.length > 0);
  for (const f of armers) {
    assert.equal(JSON.stringify(f.Properties.Environment.Variables[envNames.schedulerTargetArn]), target);
  }
  // The role the check passes may invoke exactly that target.
  const roleId = (output('SchedulerRoleArn')!.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
  assert.ok(
    statements.some(
      (st) =>
        [st.Action].flat().includes('lambda:InvokeFunction') &&
        [st.Resource].flat().some((r) => JSON.stringify(r) === target),
    ),
    'the scheduler role may invoke the smoke check’s target',
  );
  assert.equal(output('SchedulerGroupName')!.Value, topology.scheduler.groupName);
});
