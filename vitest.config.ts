import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * `npm test`'s one Vitest run: every project of a vitest.<name>.config.ts file (unit, package, e2e,
 * browser, and any tier added as such a file), their files side by side on every core. The
 * projects that test dist/ share the build that `npm test` made first (or make it, once, when it
 * is missing or stale). `npx vitest run <file>` runs the projects that file belongs to.
 */
export default defineConfig({
  test: {
    projects: ['vitest.*.config.ts'],
    // Vitest leaves a core free by default: on 2 cores that is one worker, and half the machine idle.
    maxWorkers: availableParallelism(),
    reporters: ['default', './test/support/slowest-tests-reporter.ts'],
  },
});
