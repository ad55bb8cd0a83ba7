import { afterAll, vi } from 'vitest';

/**
 * The unit project runs its files without isolation (vitest.unit.config.ts): the files of a worker
 * share its process, and the packages of node_modules stay loaded from one file to the next. What a
 * file changes is undone when it ends: the project's own modules are loaded afresh for the next
 * file (one may hold a module loaded under a mock or another environment), and the environment,
 * stubs, spies and clock are put back. (Vitest runs this before each file, and registers these
 * hooks on that file.)
 */
const environment = { ...process.env };

afterAll(() => {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
});
