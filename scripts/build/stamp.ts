import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The build stamp: `npm run build` writes into dist/ the digest of every source it may have read,
 * so that a later step (a test of the bundles, the browser tests, CI's `serverless package`) can use
 * the build it finds there when, and only when, it is the build of the sources as they are now.
 * One build then serves a whole `npm test` and CI run, and a stale dist/ is never used: a step that
 * finds one builds again (scripts/build/ensure-built.ts).
 */

const STAMP_FILE = 'dist/build-stamp.json';

/**
 * What no build reads, so that changing it leaves the build current: git's and npm's folders, the
 * outputs (dist/, the package, test reports), the tests, the docs and the CI script. Everything
 * else in the repository counts (functions/, console/, scripts/, rules/, schemas/, events/,
 * package.json, the lockfile, the tsconfigs ...), so a source added anywhere else counts too.
 */
const NOT_READ_BY_THE_BUILD = new Set([
  '.git',
  'node_modules',
  'dist',
  '.serverless',
  'test-output',
  'coverage',
  'test',
  'docs',
  '.ci',
]);

function filesUnder(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((entry) => !(dir === '' && NOT_READ_BY_THE_BUILD.has(entry.name)))
    .flatMap((entry) => {
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(root, relative);
      return entry.isFile() ? [relative] : [];
    });
}

/** The digest of the sources of the repository at `root`: each file's path and bytes, in path order. */
export function sourcesDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(root).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Records that dist/ is the build of the sources whose digest is `digest`. */
export function writeStamp(root: string, digest: string): void {
  writeFileSync(path.join(root, STAMP_FILE), `${JSON.stringify({ sources: digest }, null, 2)}\n`);
}

/** Whether dist/ is the build of the sources as they are now. */
export function buildIsCurrent(root: string): boolean {
  const file = path.join(root, STAMP_FILE);
  if (!existsSync(file)) return false;
  const { sources } = JSON.parse(readFileSync(file, 'utf8')) as { sources?: unknown };
  return sources === sourcesDigest(root);
}
