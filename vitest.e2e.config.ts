import { defineConfig } from 'vitest/config';

/** `npm run test:e2e`: the service started with serverless-offline and called over real HTTP. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
