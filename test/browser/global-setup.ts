import { existsSync } from 'node:fs';
import { ensureBuilt } from '../../scripts/build/ensure-built.js';
import { chromiumPath } from './chromium.js';

/**
 * Before the browser tests: Chromium must be the distribution's (CI installs it; nothing downloads
 * a browser), and dist/console/ the build of the sources as they are now (reused when it is, built
 * when not), so the tests see what `npm run build` makes now.
 */
export default function setup(): void {
  if (!existsSync(chromiumPath()))
    throw new Error(
      `No Chromium at ${chromiumPath()}: install the distribution's (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  ensureBuilt();
}
