import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The e2e run starts the built service; `npm test` runs it after this one has built it (test:e2e).
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Handlers log through Powertools; tests that look at log lines turn the level up themselves.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
    testTimeout: 20_000,
  },
});
