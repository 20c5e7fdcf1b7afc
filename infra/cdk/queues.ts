/**
 * The topology's queues, each with its dead-letter queue and an alarm on that DLQ (the
 * alarm notifies the operators' topic through alarms.ts's Aspect).
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { topology, type QueueName } from '../topology.ts';
import { ack } from './nag.ts';

export type QueuePair = { queue: sqs.Queue; dlq: sqs.Queue };

export class Queues {
  readonly queues = {} as Record<QueueName, QueuePair>;

  constructor(stack: Stack) {
    for (const [name, def] of Object.entries(topology.queues) as [
      QueueName,
      (typeof topology.queues)[QueueName],
    ][]) {
      const fifo = def.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
      // High-throughput FIFO (topology's `highThroughput`; the local runtime creates its
      // queues with the same fifoQueueAttributes): per-group deduplication and throughput.
      const highThroughput =
        def.fifo && def.highThroughput
          ? {
              deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
              fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            }
          : {};
      const dlq = new sqs.Queue(stack, `${name}-dlq`, {
        ...fifo,
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        retentionPeriod: Duration.days(def.dlqRetentionDays),
      });
      ack(dlq, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
      const queue = new sqs.Queue(stack, `${name}-queue`, {
        ...fifo,
        ...highThroughput,
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      new cloudwatch.Alarm(stack, `${name}-dlq-alarm`, {
        alarmDescription: `Messages in the ${name} dead-letter queue: a function gave up on them (permanent error, ${def.retryHorizonHours} h of retries, or ${def.maxReceiveCount} receives); see the admin page Falhas`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.queues[name] = { queue, dlq };
    }
  }
}
