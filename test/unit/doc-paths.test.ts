/**
 * docs/architecture.md's "Where things live" table names files that exist: a module moved
 * without its row fails here (scripts/doc-paths.ts extracts and checks the paths).
 */
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { missingPaths, pathsIn } from '../../scripts/doc-paths.ts';

test('every path in the "Where things live" table of docs/architecture.md exists', () => {
  const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const paths = pathsIn(doc, 'Where things live');
  assert.ok(paths.length > 40, `only ${paths.length} paths found in the table`);
  assert.deepEqual(missingPaths(paths), []);
});

test('the path extraction: code spans under a top folder, no placeholders, once each', () => {
  const md = [
    '## A',
    '`shared/x.ts` and `functions/<fn>/` and `npm test` and `shared/x.ts`',
    '## B',
    '`web/src/y.tsx`, `test/e2e/` (not `.data/z`)',
  ].join('\n');
  assert.deepEqual(pathsIn(md), ['shared/x.ts', 'web/src/y.tsx', 'test/e2e/']);
  assert.deepEqual(pathsIn(md, 'B'), ['web/src/y.tsx', 'test/e2e/']);
  assert.deepEqual(missingPaths(['scripts/doc-paths.ts', 'shared/nope.ts']), ['shared/nope.ts']);
});
