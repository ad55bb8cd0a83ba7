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
    // Worker threads, each running file after file without a fresh module system, so that the
    // packages (Medplum, ajv, jose, the AWS SDK) load once per worker, not once per file in a new
    // process. Each file still gets the project's own modules afresh and its process as it found it
    // (test/support/file-boundary.ts).
    pool: 'threads',
    isolate: false,
    setupFiles: ['test/support/engine-stand-ins.ts', 'test/support/file-boundary.ts'],
    // A property test of a few seconds takes five times as long on a machine shared with other
    // runs; the limit is there to stop a test that hangs, not one that is slow.
    testTimeout: 60_000,
  },
});
