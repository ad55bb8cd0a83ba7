import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The e2e run starts the built service and the console's tests drive Chromium: `npm test` runs
    // them after this one (test:e2e, test:browser, each with its own config).
    exclude: [...configDefaults.exclude, 'test/e2e/**', 'test/browser/**'],
    // Handlers log through Powertools; tests that look at log lines turn the level up themselves.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
    testTimeout: 20_000,
  },
});
