import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from './ensure-built.js';
import { BUILD_STAMP, sourcesDigest, stampMatches, writeStamp } from './stamp.js';

/**
 * `serverless package` (offline, no credentials) of the build in dist/, with a stamp beside its
 * output (.serverless/package-stamp.json) that names the sources that build was made from. The
 * packaging test packages this way, and `npm run package:if-stale` (CI's last step) reuses that
 * very package, the one the tests checked, while its stamp says it is of the sources as they are
 * now, and packages again otherwise: one `serverless package` per CI run, not two.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

export const PACKAGE_STAMP = '.serverless/package-stamp.json';

/**
 * Runs `serverless package` on dist/ as it is, HOME in a temporary folder (the framework writes
 * under it), then stamps the package with the sources dist/ was built from, when it was built
 * from the sources as they are now (a package of a stale build is left unstamped, so never reused).
 */
export function packageNow(root: string = ROOT): void {
  const sources = sourcesDigest(root);
  // A package that fails half-way must not keep the stamp of the one before it.
  rmSync(path.join(root, PACKAGE_STAMP), { force: true });
  const home = mkdtempSync(path.join(tmpdir(), 'sls-home-'));
  try {
    execFileSync(path.join(root, 'node_modules/.bin/serverless'), ['package'], {
      cwd: root,
      env: { ...process.env, HOME: home },
      stdio: 'pipe',
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  if (stampMatches(root, BUILD_STAMP, sources)) writeStamp(root, PACKAGE_STAMP, sources);
}

/** Whether .serverless/ is the package of the build of the sources as they are now. */
export function packageIsCurrent(root: string = ROOT): boolean {
  const sources = sourcesDigest(root);
  return stampMatches(root, BUILD_STAMP, sources) && stampMatches(root, PACKAGE_STAMP, sources);
}

/** Reuses .serverless/ while it is current, saying so; otherwise builds when stale and packages. */
export function packageIfStale(root: string = ROOT): void {
  if (packageIsCurrent(root)) {
    process.stderr.write(
      '.serverless/ is the package of the build of the sources as they are now (.serverless/package-stamp.json): reused\n',
    );
    return;
  }
  ensureBuilt(root);
  process.stderr.write('.serverless/ is missing or older than the sources: serverless package\n');
  packageNow(root);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) packageIfStale();
