/**
 * fn api's Lambda entry (topology `functions.api.handler`): the handler built by
 * ./build.ts from the environment, read and validated here, at cold start (shared/config.ts:
 * every variable of the function's grants; a missing or malformed one fails with its name).
 * Tests import ./build.ts and give their own dependencies.
 */
import { setLogContext } from '#shared/log.ts';
import { buildApiHandler, depsFromEnv } from './build.ts';

setLogContext({ function: 'api' });
export { buildApiHandler };
const deps = depsFromEnv();
export const handler = buildApiHandler(() => deps);
