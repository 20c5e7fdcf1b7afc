/**
 * Real AWS SDK v3 clients, created once per process. Locally the SDK is pointed at the
 * stand-ins with the standard AWS_ENDPOINT_URL_<SERVICE> variables; nothing here knows
 * where it runs. Tests and services take clients as arguments, with these as defaults.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';

const cache = new Map<string, unknown>();
function once<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/**
 * Without a logger configured the SDK logs to a no-op logger, yet its logger middleware
 * still copies every request and response through the schema's sensitive-data filter
 * before handing them to it: about a tenth of the engine's CPU per request. We never give
 * the SDK a logger (our own log lines say what happened), so the middleware goes.
 */
function quiet<C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

export const dynamo = () =>
  once('ddb', () =>
    DynamoDBDocumentClient.from(quiet(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
/**
 * The configured endpoint wins over the queue URL's host: fauxqs's queue URLs use
 * `sqs.<region>.localhost`, which does not resolve everywhere; on AWS both are the same.
 */
export const sqs = () => once('sqs', () => quiet(new SQSClient({ useQueueUrlAsEndpoint: false })));
/** Path-style addressing works on AWS and on every local S3 stand-in. */
export const s3 = () => once('s3', () => quiet(new S3Client({ forcePathStyle: true })));
export const scheduler = () => once('scheduler', () => quiet(new SchedulerClient({})));
export const secretsManager = () => once('secrets', () => quiet(new SecretsManagerClient({})));
export const wsManagement = (endpoint: string) =>
  once(`ws:${endpoint}`, () => quiet(new ApiGatewayManagementApiClient({ endpoint })));

/** Forget cached clients (tests that change endpoints between runs). */
export function resetClients(): void {
  cache.clear();
}
