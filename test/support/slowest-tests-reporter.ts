import type { Reporter, TestModule } from 'vitest/node';

/**
 * A Vitest reporter that ends each run of more than one file (`npm test` and CI: the unit, package,
 * end-to-end and browser projects alike) with its ten slowest tests, and its ten slowest files with
 * their hooks (a service started in a beforeAll is no test's time), so that CI says where its time
 * goes. A run of one file, as while working on it, says nothing more.
 */

const SHOWN = 10;
/** Test names can hold whole values (`all(true, unknown) is { ... }`): a line says which test, not all of it. */
const LONGEST_NAME = 160;

const shortened = (name: string) => (name.length > LONGEST_NAME ? `${name.slice(0, LONGEST_NAME - 1)}…` : name);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export default class SlowestTests implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests = testModules.flatMap((module) =>
      [...module.children.allTests()].map((test) => ({
        ms: test.diagnostic()?.duration ?? 0,
        name: `[${test.project.name}] ${module.relativeModuleId} > ${test.fullName}`,
      })),
    );
    const files = testModules.map((module) => ({
      ms: module.diagnostic().duration,
      name: `[${module.project.name}] ${module.relativeModuleId}`,
    }));
    const lines = (title: string, rows: { ms: number; name: string }[]) => [
      title,
      ...rows
        .sort((a, b) => b.ms - a.ms)
        .slice(0, SHOWN)
        .map((row) => `${seconds(row.ms)}  ${shortened(row.name)}`),
    ];
    if (testModules.length < 2) return;
    process.stdout.write(
      `\n${[...lines(`The ${SHOWN} slowest tests:`, tests), '', ...lines(`The ${SHOWN} slowest files, hooks included:`, files)].join('\n')}\n`,
    );
  }
}
