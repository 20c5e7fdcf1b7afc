/**
 * `npm test` (vitest run): unit, integration, CDK and browser tests in one run.
 * test/global-setup.ts starts the shared stand-ins (DynamoDB Local in memory, fauxqs for
 * SQS and S3) once; every test file runs in its own forked process (isolate), because
 * tests start worker threads and child processes and some keep module-level state.
 *
 *   npm test                              every test
 *   npm test -- test/unit                 files under a path (or a file)
 *   npm test -- -t "inbox"                tests whose name matches
 *   npm run test:watch                    watch mode
 *   npm run coverage                      coverage report (coverage/index.html)
 */
import { defineConfig } from 'vitest/config';

const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    pool: 'forks',
    isolate: true,
    fileParallelism: concurrency > 1,
    maxWorkers: concurrency,
    testTimeout: 240_000,
    // A file's beforeAll may start a whole stack (and Chromium): on a loaded machine that
    // alone has taken over 240 s. node:test put no limit on hooks; this one still ends a hang.
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    // A test file that prints a lot (a stack's logs) keeps its output with its results.
    reporters: process.env.CI ? ['verbose'] : ['default'],
    coverage: {
      provider: 'v8',
      reporter: ['text-summary', 'html'],
      reportsDirectory: 'coverage',
      include: ['shared/**', 'functions/**', 'infra/**', 'web/src/**'],
    },
  },
});
