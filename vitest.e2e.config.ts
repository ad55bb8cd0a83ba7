import { defineConfig } from 'vitest/config';

/**
 * The `e2e` project (alone: `npm run test:e2e`): the built service started with serverless-offline
 * and called over real HTTP, on the one build of the run (scripts/build/ensure-built.ts).
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['scripts/build/ensure-built.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
