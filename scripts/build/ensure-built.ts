import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIsCurrent } from './stamp.js';

/**
 * `npm run build:if-stale`, and the global setup of every test project that uses dist/
 * (vitest.*.config.ts): reuses dist/ when its stamp says it is the build of the sources as they are
 * now, and runs `npm run build` (generate included) otherwise. It says which, so that reusing a
 * build is never silent.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Makes sure dist/ is the build of the sources at `root` as they are now. */
export function ensureBuilt(root: string = ROOT): void {
  if (buildIsCurrent(root)) {
    process.stderr.write('dist/ is the build of the sources as they are now (dist/build-stamp.json): reused\n');
    return;
  }
  process.stderr.write('dist/ is missing or older than the sources: npm run build\n');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** As a vitest global setup. */
export default function setup(): void {
  ensureBuilt();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureBuilt();
