import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { chromiumPath } from './test/browser/chromium.js';

/**
 * The `browser` project (alone: `npm run test:browser`): the review console built by `npm run
 * build`, in the Chromium of the distribution (never a downloaded one), driven by playwright-core,
 * on the one build of the run (test/browser/global-setup.ts). Without Chromium (a fresh machine has
 * only Node and npm) the tests are skipped, saying so, unless REQUIRE_CHROMIUM is set, as CI sets
 * it: there the setup stops with what to install.
 */
const runInBrowser = existsSync(chromiumPath()) || Boolean(process.env.REQUIRE_CHROMIUM);
if (!runInBrowser) {
  process.stderr.write(
    `test:browser: SKIPPED, no Chromium at ${chromiumPath()}. Install the distribution's (apt-get install -y chromium) or set CHROMIUM_PATH; CI installs it.\n`,
  );
}

export default defineConfig({
  test: {
    name: 'browser',
    include: runInBrowser ? ['test/browser/**/*.browser.test.ts'] : [],
    passWithNoTests: !runInBrowser,
    globalSetup: runInBrowser ? ['test/browser/global-setup.ts'] : [],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
