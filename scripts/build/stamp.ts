import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Stamps of generated output: the digest of the sources it was made from, so that a later step
 * uses the output it finds when, and only when, it was made from the sources as they are now.
 *
 * - `npm run build` writes dist/build-stamp.json: a step that needs dist/ (the tests of the bundles,
 *   the e2e and browser tests, CI's `serverless package`) reuses the build, and one build serves a
 *   whole `npm test` and CI run; a step that finds dist/ stale builds again (ensure-built.ts).
 * - `npm run generate` writes its stamp under node_modules/.cache/: run again on the same sources
 *   (before each `npm run invoke`, say) it has nothing to check or write, and says so.
 */

/** dist/'s stamp, beside the build it describes. */
export const BUILD_STAMP = 'dist/build-stamp.json';

/** generate's stamp: its outputs are sources of the repository, so the stamp stays out of it. */
export const GENERATE_STAMP = 'node_modules/.cache/imatinib-sm-cds/generate-stamp.json';

/**
 * What no build or generation reads, so that changing it leaves their output current: git's and
 * npm's folders, the outputs (dist/, the package, test reports), the tests, the docs and the CI
 * script. Everything else in the repository counts (functions/, console/, scripts/, rules/,
 * schemas/, events/, package.json, the lockfile, the tsconfigs ...), so a source added anywhere
 * else counts too.
 */
const NOT_SOURCES = new Set(['.git', 'node_modules', 'dist', '.serverless', 'test-output', 'coverage', 'test', 'docs', '.ci']);

function filesUnder(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((entry) => !(dir === '' && NOT_SOURCES.has(entry.name)))
    .flatMap((entry) => {
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(root, relative);
      return entry.isFile() ? [relative] : [];
    });
}

/**
 * The digest of the sources of the repository at `root`, and of the files `alsoFiles` (outside
 * them, such as a generated page of docs/): each file's path and bytes, in path order; a missing
 * file counts as missing.
 */
export function sourcesDigest(root: string, alsoFiles: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(root).sort(), ...alsoFiles]) {
    hash.update(`${file}\0`);
    const full = path.join(root, file);
    hash.update(existsSync(full) ? readFileSync(full) : '(missing)');
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Records, in the stamp `file`, that the output it describes was made from the sources whose digest is `digest`. */
export function writeStamp(root: string, file: string, digest: string): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  // Written whole, then renamed: a step reading it meanwhile finds the old stamp or the new one.
  writeFileSync(`${full}.new`, `${JSON.stringify({ sources: digest }, null, 2)}\n`);
  renameSync(`${full}.new`, full);
}

/** Whether the stamp `file` says its output was made from the sources whose digest is `digest`. */
export function stampMatches(root: string, file: string, digest: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { sources?: unknown }).sources === digest;
  } catch {
    return false; // no stamp, or not one
  }
}

/** Whether dist/ is the build of the sources as they are now. */
export function buildIsCurrent(root: string): boolean {
  return stampMatches(root, BUILD_STAMP, sourcesDigest(root));
}
