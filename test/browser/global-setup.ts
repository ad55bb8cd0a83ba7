import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromiumPath } from './chromium.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Before the browser tests: Chromium must be the distribution's (CI installs it; nothing downloads
 * a browser), and the console is built fresh, so the tests see what `npm run build` makes now.
 */
export default function setup(): void {
  if (!existsSync(chromiumPath()))
    throw new Error(
      `No Chromium at ${chromiumPath()}: install the distribution's (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
}
