import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The linter and the formatter that `npm test` and CI run can fail: each is shown a violation on
 * standard input (no file is written) and must exit non-zero, naming it.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const run = (command: string, args: string[], input: string) =>
  spawnSync(bin(command), args, { cwd: ROOT, input, encoding: 'utf8' });

describe('lint and format', () => {
  it('fails the lint on a floating promise, with type information', () => {
    const code = 'export async function later(): Promise<void> {}\nexport function now(): void {\n  later();\n}\n';

    // A file of the console's program, the smallest of the three tsconfigs: the service's would
    // cost twice the CPU for the same check of the same rule with the same type information.
    const lint = run('eslint', ['--stdin', '--stdin-filename', 'console/src/main.ts'], code);

    expect(lint.status).toBe(1);
    expect(lint.stdout).toContain('@typescript-eslint/no-floating-promises');
  });

  it('fails the format check on a file that is not in the house format, rule files included', () => {
    const check = run('prettier', ['--check', '--stdin-filepath', 'rules/example.json'], '{"name":   "x"}');

    expect(check.status).not.toBe(0);
  });

  it('runs both before every test run, beside the build and the type checks', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

    const sideBySide = (script: string) =>
      script
        .split('&&')
        .map((step) => step.trim().split(/\s+/))
        .find(([command]) => command === 'run-p')!
        .filter((word) => !word.startsWith('-'));

    // The format check needs nothing generated: it starts beside generate, the rest after it.
    expect(sideBySide(scripts.pretest!)).toEqual(expect.arrayContaining(['format:check', 'pretest:checks']));
    expect(sideBySide(scripts['pretest:checks']!)).toEqual(expect.arrayContaining(['lint', 'build:dist', 'typecheck']));
    expect(scripts.lint).toBe('eslint .');
    expect(scripts['format:check']).toBe('prettier --check .');
  });
});
