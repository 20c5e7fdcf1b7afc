/**
 * vitest's global setup: starts the stand-ins integration tests share — DynamoDB Local in
 * memory and fauxqs (SQS + S3, in a worker thread of its own) — once for the run, on free
 * ports. The endpoints go into process.env before vitest forks its test workers, which
 * inherit them (and so do the processes and threads the tests start). Each test isolates
 * itself (its own table, queues or bucket names).
 */
import { startDynamoLocal } from '#infra/local/dynamodb.ts';
import { freePort } from '#infra/local/ports.ts';
import { LocalStartError } from '#infra/local/errors.ts';
import { startWorkerThread } from '#infra/local/worker-host.ts';
import type { FauxqsWorkerData } from '#infra/local/fauxqs-worker.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  // A loaded machine starts the JVMs slowly (this one and those of the stack tests).
  process.env.DYNAMODB_LOCAL_START_SECONDS ??= '180';
  try {
    const dynamo = await startDynamoLocal({ port: await freePort() });
    stops.push(() => dynamo.stop());
    const data: FauxqsWorkerData = { port: await freePort() };
    const fauxqs = await startWorkerThread(
      new URL('../infra/local/fauxqs-worker.ts', import.meta.url),
      data,
      {
        name: 'fauxqs',
        log: (line) => console.error(line),
      },
    );
    stops.push(() => fauxqs.stop());
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: String(fauxqs.ready.address),
      AWS_ENDPOINT_URL_S3: String(fauxqs.ready.address),
      ATENDE_TEST: '1',
    });
  } catch (err) {
    await teardown();
    // A sentence the person running the tests can act on (e.g. Java missing), no stack.
    if (err instanceof LocalStartError) {
      const clear = new Error(`The test stand-ins could not start: ${err.message}`);
      clear.stack = clear.message;
      throw clear;
    }
    throw err;
  }
  return teardown;
}
