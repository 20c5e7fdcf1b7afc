/**
 * The deployment's recurring schedules (topology `scheduler.recurring`: the outbox sweep,
 * issue 13 B) exist in the template: rate(…) schedules in the group, on the scheduler role,
 * invoking the timers function with their input. (test/infra/template-rules.test.ts checks
 * every schedule's target and role in general.)
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack, schedulerTargetFunctionName } from '#infra/cdk/atende-stack.ts';
import { topology } from '#infra/topology.ts';

test('the outbox sweep is an AWS::Scheduler::Schedule rate(1 minute) invoking fn timers with its input', () => {
  const stack = new AtendeStack(new App(), 'Recurring', { bundle: false });
  const template = Template.fromStack(stack);
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as {
    Properties: {
      ScheduleExpression: string;
      GroupName: string;
      FlexibleTimeWindow: { Mode: string };
      Target: { Arn: unknown; RoleArn: unknown; Input: string };
    };
  }[];
  const sweep = schedules.find((s) => JSON.parse(s.Properties.Target.Input).kind === 'sweep-outbox');
  assert.ok(sweep, 'no schedule fires the outbox sweep');
  assert.equal(topology.scheduler.recurring.length, schedules.length);
  assert.equal(sweep.Properties.ScheduleExpression, 'rate(1 minute)');
  assert.equal(sweep.Properties.GroupName, topology.scheduler.groupName);
  assert.equal(sweep.Properties.FlexibleTimeWindow.Mode, 'OFF');
  assert.match(
    JSON.stringify(sweep.Properties.Target.Arn),
    new RegExp(`function:${schedulerTargetFunctionName('Recurring')}`),
  );
  assert.match(JSON.stringify(sweep.Properties.Target.RoleArn), /SchedulerRole/);
});
