/**
 * Operational alarms: one SNS topic (with its own KMS key, an optional e-mail subscriber)
 * and the Aspect that makes every alarm of the stack notify it.
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { Aspects, CfnCondition, CfnParameter, Fn, type IAspect, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';

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

export class Alarms {
  readonly topic: sns.Topic;

  constructor(stack: Stack) {
    // --- Operational alarms: one topic, every alarm of the stack notifies it ------------
    // Encrypted with a key of its own: CloudWatch cannot publish to a topic encrypted with
    // the AWS-managed aws/sns key, and it needs the key's use and the topic's leave to publish.
    const alarmKey = new kms.Key(stack, 'AlarmTopicKey', {
      description: 'Encrypts the Atende operational-alarms topic',
      enableKeyRotation: true,
    });
    alarmKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    const alarmTopic = new sns.Topic(stack, 'AlarmTopic', {
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
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    // Optional: an e-mail address subscribed at deploy (`--parameters AlarmEmail=...`); the
    // recipient confirms the subscription from the first e-mail.
    const alarmEmail = new CfnParameter(stack, 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
      description:
        'E-mail address that receives the operational alarms (empty: no e-mail; other subscribers can be added to the AlarmTopicArn topic)',
    });
    const alarmEmailGiven = new CfnCondition(stack, 'AlarmEmailGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });
    new sns.CfnSubscription(stack, 'AlarmEmailSubscription', {
      topicArn: alarmTopic.topicArn,
      protocol: 'email',
      endpoint: alarmEmail.valueAsString,
    }).cfnOptions.condition = alarmEmailGiven;
    Aspects.of(stack).add(new AlarmsNotify(alarmTopic));
    this.topic = alarmTopic;
  }
}
