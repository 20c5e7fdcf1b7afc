/**
 * The local stack's resources, as CloudFormation creates them on AWS: their names
 * (`localResources`, `localQueueName`) and, once the stand-ins run, the table, the queues
 * with their dead-letter queues, and the media bucket (`createResources`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  fifoQueueAttributes,
  queueNames,
  queues as queueDefs,
  scheduler as schedulerDef,
  secretNames,
  type QueueName,
  type SecretName,
} from '#infra/topology.ts';
import { ensureTable } from '#shared/store/table.ts';
import { localSchedulerTarget, type LocalResources } from '../iam.ts';
import { LOCAL_SECRET_PREFIX, localSecretId } from '../secrets.ts';
import type { Stoppers } from './stoppers.ts';

/** The stack's resources by name; the queues' URLs are filled in once the queues exist. */
export function localResources(urls: { wsEndpoint: string }): LocalResources {
  return {
    tableName: 'atende',
    mediaBucket: 'atende-media',
    queueNames: Object.fromEntries(
      queueNames.map((q) => [q, { queue: localQueueName(q), dlq: localQueueName(q, true) }]),
    ) as LocalResources['queueNames'],
    queueUrls: Object.fromEntries(queueNames.map((q) => [q, `<${q} url>`])) as Record<QueueName, string>,
    dlqUrls: Object.fromEntries(queueNames.map((q) => [q, `<${q} dlq url>`])) as Record<QueueName, string>,
    secretIds: Object.fromEntries(secretNames.map((n) => [n, localSecretId(n)])) as Record<
      SecretName,
      string
    >,
    accountSecretsPrefix: LOCAL_SECRET_PREFIX,
    schedulerGroup: schedulerDef.groupName,
    schedulerRoleArn: localSchedulerTarget.roleArn,
    schedulerTargetArn: localSchedulerTarget.functionArn,
    wsEndpoint: urls.wsEndpoint,
  };
}

export function localQueueName(q: QueueName, dlq = false): string {
  const base = `atende-${q}${dlq ? '-dlq' : ''}`;
  return queueDefs[q].fifo ? `${base}.fifo` : base;
}

/**
 * Creates the table, the queues (each with its DLQ and redrive policy) and the media
 * bucket through the stand-ins, with the SDK's clients configured from `process.env`
 * (the admin key), and fills the queues' URLs into `resources`.
 */
export async function createResources(o: {
  resources: LocalResources;
  /** Every queue's visibility timeout instead of the topology's (StackOptions). */
  visibilityTimeoutSeconds?: number;
  stoppers: Stoppers;
}): Promise<{ ddbRaw: DynamoDBClient; s3: S3Client; queueArns: Record<QueueName, string> }> {
  const { resources, stoppers } = o;
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const s3 = new S3Client({ forcePathStyle: true });
  const ddbRaw = new DynamoDBClient({});
  stoppers.push(async () => {
    sqs.destroy();
    s3.destroy();
    ddbRaw.destroy();
  });

  const tableName = resources.tableName;
  await ensureTable(ddbRaw, tableName);

  const queueUrls = {} as Record<QueueName, string>;
  const queueArns = {} as Record<QueueName, string>;
  const dlqUrls = {} as Record<QueueName, string>;
  for (const q of queueNames) {
    const def = queueDefs[q];
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: localQueueName(q, true),
        Attributes: {
          ...fifoQueueAttributes(def, true),
          MessageRetentionPeriod: String(def.dlqRetentionDays * 86400),
        },
      }),
    );
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    dlqUrls[q] = dlq.QueueUrl!;
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: localQueueName(q),
        Attributes: {
          ...fifoQueueAttributes(def),
          VisibilityTimeout: String(o.visibilityTimeoutSeconds ?? def.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    queueUrls[q] = main.QueueUrl!;
    queueArns[q] = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: main.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
  }
  for (const q of queueNames) {
    resources.queueUrls[q] = queueUrls[q];
    resources.dlqUrls[q] = dlqUrls[q];
  }
  const mediaBucket = resources.mediaBucket;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: mediaBucket }));
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
  return { ddbRaw, s3, queueArns };
}
