import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the review console built by `npm run build`, in the Chromium of the
 * distribution (never a downloaded one), driven by playwright-core. test/browser/global-setup.ts
 * builds first and stops with what to install when Chromium is missing.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One browser, one page at a time: the tests share the build and are quicker run in sequence.
    fileParallelism: false,
  },
});
