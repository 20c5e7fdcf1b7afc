/**
 * EventBridge Scheduler: the schedule group, the role Scheduler assumes to invoke the
 * target function (topology.scheduler.target, named explicitly), and the deployment's
 * recurring schedules. Functions with the `scheduler:manage` grant arm one-time
 * schedules in the group (functions.ts).
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { createHash } from 'node:crypto';
import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { topology } from '../topology.ts';

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

export class Schedules {
  readonly group: scheduler.CfnScheduleGroup;
  readonly role: iam.Role;
  /** The name of the Scheduler's target function. */
  readonly targetName: string;
  /** The exact ARN of the Scheduler's target function (named explicitly). */
  readonly targetArn: string;
  private readonly stack: Stack;

  constructor(stack: Stack) {
    this.stack = stack;
    // --- Scheduler group and the role it assumes ---------------------------------------
    const scheduleGroup = new scheduler.CfnScheduleGroup(stack, 'ScheduleGroup', {
      name: topology.scheduler.groupName,
    });
    const schedulerRole = new iam.Role(stack, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Assumed by EventBridge Scheduler to invoke the timers function',
    });
    const schedulerTargetName = schedulerTargetFunctionName(stack.stackName);
    const schedulerTargetArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: schedulerTargetName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Scheduler invokes exactly that function (unqualified ARN), nothing else.
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [schedulerTargetArn] }),
    );
    this.group = scheduleGroup;
    this.role = schedulerRole;
    this.targetName = schedulerTargetName;
    this.targetArn = schedulerTargetArn;
  }

  /**
   * The deployment's recurring schedules (topology scheduler.recurring: the outbox sweep),
   * on the scheduler role, invoking the target function by its exact ARN.
   */
  addRecurring(target: lambda.Function): void {
    for (const r of topology.scheduler.recurring) {
      const schedule = new scheduler.CfnSchedule(this.stack, `recurring-${r.name}`, {
        description: `Atende: ${r.name}, every ${r.everyMinutes} min`,
        groupName: topology.scheduler.groupName,
        scheduleExpression: `rate(${r.everyMinutes} ${r.everyMinutes === 1 ? 'minute' : 'minutes'})`,
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: this.targetArn, roleArn: this.role.roleArn, input: JSON.stringify(r.input) },
      });
      schedule.addDependency(this.group);
      schedule.node.addDependency(target);
    }
  }
}
