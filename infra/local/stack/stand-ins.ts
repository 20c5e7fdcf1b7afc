/**
 * The AWS stand-ins of the local stack: DynamoDB Local, fauxqs (SQS + S3) in a thread,
 * the Secrets Manager stand-in, the media bucket's CORS proxy, and the IAM proxies in
 * front of DynamoDB Local and fauxqs's SQS (each refuses what the caller's grants do not
 * allow, infra/local/iam.ts).
 */
import { join } from 'node:path';
import { startAuthorizingProxy } from '../aws-proxy.ts';
import { startDynamoLocal } from '../dynamodb.ts';
import { LocalStartError } from '../errors.ts';
import type { FauxqsWorkerData } from '../fauxqs-worker.ts';
import { dynamoRequest, sqsRequest, type LocalIam } from '../iam.ts';
import { startS3CorsProxy } from '../s3-cors-proxy.ts';
import { startLocalSecrets, type SecretValues } from '../secrets.ts';
import { startWorkerThread } from '../worker-host.ts';
import type { LocalPorts } from '../stack.ts';
import type { Stoppers } from './stoppers.ts';

export interface StandIns {
  /** DynamoDB Local itself (behind the IAM proxy). */
  dynamodbDirect: string;
  /** The IAM proxy in front of DynamoDB Local: the functions' DynamoDB endpoint. */
  dynamodb: string;
  /** The IAM proxy in front of fauxqs's SQS: the functions' SQS endpoint. */
  sqs: string;
  s3: string;
  secrets: string;
}

export async function startStandIns(o: {
  port: LocalPorts;
  dataDir: string;
  ephemeral?: boolean;
  secretValues: SecretValues;
  iam: LocalIam;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<StandIns> {
  const { port, dataDir, secretValues, iam, stoppers, log } = o;
  const dynamo = await startDynamoLocal({
    port: port.dynamodb,
    nice: 5,
    ...(o.ephemeral ? {} : { dataDir: join(dataDir, 'dynamodb') }),
  });
  stoppers.push(() => dynamo.stop());

  let fauxqs: { address: string };
  try {
    const data: FauxqsWorkerData = {
      port: port.fauxqs,
      ...(o.ephemeral ? {} : { dataDir: join(dataDir, 'fauxqs') }),
    };
    const worker = await startWorkerThread(new URL('../fauxqs-worker.ts', import.meta.url), data, {
      name: 'fauxqs',
      log,
    });
    stoppers.push(() => worker.stop());
    fauxqs = { address: String(worker.ready.address) };
  } catch (err) {
    throw new LocalStartError(
      `The queue and bucket store in ${join(dataDir, 'fauxqs')} could not be opened (${(err as Error).message}). ` +
        'Run `npm start -- --reset` to start from a clean state.',
    );
  }

  const secrets = await startLocalSecrets({
    port: port.secrets,
    values: secretValues,
    accountFile: join(dataDir, 'account-secrets.json'),
    iam,
  });
  stoppers.push(() => secrets.stop());
  // As on AWS, the media bucket answers CORS only for the web app's origin.
  const s3Proxy = await startS3CorsProxy({
    port: port.s3,
    target: fauxqs.address,
    allowedOrigin: `http://localhost:${port.web}`,
    iam,
  });
  stoppers.push(() => s3Proxy.stop());
  const dynamoIam = await startAuthorizingProxy({
    port: port.dynamodbIam,
    target: dynamo.endpoint,
    iam,
    protocol: { errorPrefix: 'com.amazonaws.dynamodb.v20120810', describe: dynamoRequest },
  });
  stoppers.push(() => dynamoIam.stop());
  const sqsIam = await startAuthorizingProxy({
    port: port.sqsIam,
    target: fauxqs.address,
    iam,
    protocol: {
      errorPrefix: 'com.amazon.coral.service',
      describe: sqsRequest,
      // SQS's JSON protocol carries the query protocol's code, which the SDK reports.
      refusalHeaders: (type) => ({
        'x-amzn-query-error': `${type === 'AccessDeniedException' ? 'AccessDenied' : 'InvalidClientTokenId'};Sender`,
      }),
    },
  });
  stoppers.push(() => sqsIam.stop());

  return {
    dynamodbDirect: dynamo.endpoint,
    dynamodb: dynamoIam.url,
    sqs: sqsIam.url,
    s3: s3Proxy.url,
    secrets: secrets.url,
  };
}
