import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (handlers, the simulator, the seed, the web app, `.data`). */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
