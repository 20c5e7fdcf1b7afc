/**
 * fn timers's Lambda entry (topology `functions.timers.handler`): the handler built by
 * ./build.ts from the environment, read and validated here, at cold start (shared/config.ts:
 * every variable of the function's grants; a missing or malformed one fails with its name).
 * Tests import ./build.ts and give their own dependencies.
 */
import { setLogContext } from '#shared/log.ts';
import { buildTimersHandler, depsFromEnv } from './build.ts';

setLogContext({ function: 'timers' });
export { buildTimersHandler };
export const handler = buildTimersHandler(depsFromEnv());
