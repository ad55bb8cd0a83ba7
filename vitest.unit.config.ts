import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The `unit` project of `npm test` (vitest.config.ts): every test of test/ that needs nothing
 * built. The tests of dist/ (package, e2e, browser) are projects of their own, whose setup makes
 * sure dist/ is current, so that running a unit test never waits for a build.
 */
export default defineConfig({
  test: {
    name: 'unit',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/packaging/**', 'test/e2e/**', 'test/browser/**'],
    // Handlers log through Powertools; tests that look at log lines turn the level up themselves.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
    // A property test of a few seconds takes five times as long on a machine shared with other
    // runs; the limit is there to stop a test that hangs, not one that is slow.
    testTimeout: 60_000,
  },
});
