/**
 * Runs in each test worker before its file. vitest sets NODE_ENV=test in its workers;
 * nothing here reads it, but the stacks that browser tests start build the web app with
 * Vite, which then makes React's development build (the Falhas page's reprocess never
 * left the list in it). The tests run what ships, as under node:test: no NODE_ENV.
 */
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
