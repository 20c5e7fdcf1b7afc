/**
 * `npm test`: starts the shared stand-ins that integration tests need (DynamoDB Local in
 * memory, fauxqs for SQS and S3) on free ports, then runs every test file with Node's
 * test runner. Each test isolates itself (its own table, queues or bucket names).
 *
 *   npm test                 all tests
 *   npm test -- test/unit    only files under the given paths
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoLocal } from '#infra/local/dynamodb.ts';
import { startLoopbackFauxqs } from '#infra/local/fauxqs.ts';
import { freePort } from '#infra/local/ports.ts';
import { LocalStartError } from '#infra/local/errors.ts';

function findTests(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return path.endsWith('.test.ts') || path.endsWith('.test.tsx') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => findTests(join(path, name)));
}

const args = process.argv.slice(2);
const roots = args.length ? args : ['test'];
const files = roots.flatMap(findTests);

try {
  const dynamo = await startDynamoLocal({ port: await freePort() });
  const fauxqs = await startLoopbackFauxqs({ port: await freePort(), logger: false });
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: fauxqs.address,
    AWS_ENDPOINT_URL_S3: fauxqs.address,
    ATENDE_TEST: '1',
  };
  const child = spawn(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-timeout=240000',
      // No --test-force-exit: it ends test files before all their results are reported
      // (a run then counts fewer tests, and a lost one could be a failure). A file that
      // never exits is caught by the watchdog below instead.
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
      ...files,
    ],
    { stdio: 'inherit', env },
  );
  const limitMin = Number(process.env.TEST_WATCHDOG_MINUTES ?? 20);
  const watchdog = setTimeout(() => {
    console.error(
      `\nTests still running after ${limitMin} minutes (a test file that never exits?): stopping them.`,
    );
    child.kill('SIGTERM');
  }, limitMin * 60_000);
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearTimeout(watchdog);
  await fauxqs.stop();
  await dynamo.stop();
  process.exit(code);
} catch (err) {
  if (err instanceof LocalStartError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
