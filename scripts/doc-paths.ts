/**
 * The repository paths a document names that do not exist (a file moved without its doc).
 * A path is a `code span` starting with one of the repository's top folders (shared/,
 * functions/, web/, infra/, test/, scripts/, docs/); placeholders (`functions/<fn>/`) and
 * globs are skipped.
 *
 *   node scripts/doc-paths.ts                         the "Where things live" table of docs/architecture.md
 *   node scripts/doc-paths.ts docs/security.md        a whole document
 *   node scripts/doc-paths.ts "docs/architecture.md#Code layout"
 *
 * Prints each missing path and exits 1 when there is one. test/unit/doc-paths.test.ts runs
 * it on the "Where things live" table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PATH = /^(shared|functions|web|infra|test|scripts|docs)\/[\w.\-/]*$/;

/** The paths named in `markdown`, or in its `## <section>` only; in order, once each. */
export function pathsIn(markdown: string, section?: string): string[] {
  let text = markdown;
  if (section) {
    const lines = markdown.split('\n');
    const start = lines.findIndex((l) => l.trim() === `## ${section}`);
    if (start < 0) throw new Error(`no section "## ${section}"`);
    const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
    text = lines.slice(start, end < 0 ? undefined : end).join('\n');
  }
  const found = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!).filter((p) => PATH.test(p));
  return [...new Set(found)];
}

/** Those of `paths` that name nothing under the repository's root. */
export function missingPaths(paths: string[], base = root): string[] {
  return paths.filter((p) => !existsSync(join(base, p)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const targets = process.argv.slice(2);
  let missing = 0;
  for (const target of targets.length ? targets : ['docs/architecture.md#Where things live']) {
    const [file, section] = target.split('#') as [string, string | undefined];
    const paths = pathsIn(readFileSync(join(root, file), 'utf8'), section);
    const gone = missingPaths(paths);
    missing += gone.length;
    console.log(`${target}: ${paths.length} paths, ${gone.length} missing`);
    for (const p of gone) console.log(`  missing: ${p}`);
  }
  process.exitCode = missing ? 1 : 0;
}
