import { defineConfig } from 'vitest/config';

/**
 * The `package` project: the built bundles, the library build and `serverless package` (offline, no
 * credentials), on the one build of the run (scripts/build/ensure-built.ts reuses dist/ while it is
 * current, and builds it otherwise).
 */
export default defineConfig({
  test: {
    name: 'package',
    include: ['test/packaging/**/*.test.ts'],
    globalSetup: ['scripts/build/ensure-built.ts'],
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
