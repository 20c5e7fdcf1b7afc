/** cdk-nag acknowledgements (AwsSolutions checks run on every synth; see app.ts). */
import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export const ack = (scope: Construct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${id}`, reason });

/** The logical id of an L2 construct's resource, as cdk-nag names it in a finding. */
export const logicalIdOf = (stack: Stack, c: Construct): string =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);
