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
    // A property test of a few seconds takes five times as long on a machine shared with other
    // runs; the limit is there to stop a test that hangs, not one that is slow.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
