import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_STAMP, packageIsCurrent } from '../../scripts/build/package.js';
import { BUILD_STAMP, buildIsCurrent, sourcesDigest, stampMatches, writeStamp } from '../../scripts/build/stamp.js';

/**
 * The stamps that let one build serve a whole test or CI run (scripts/build/stamp.ts), on a
 * repository laid out in a temporary folder: an output is reused only while its sources are the
 * ones it was made from.
 */

let root: string;

function repository(files: Record<string, string>): string {
  root = mkdtempSync(path.join(tmpdir(), 'stamp-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const write = (file: string, content: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
};

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('build stamps', () => {
  it('says dist/ is current for the sources it was built from, and stale once one of them changes', () => {
    repository({ 'rules/a.json': '{}', 'functions/core/x.ts': 'export {};', 'package.json': '{}' });
    writeStamp(root, BUILD_STAMP, sourcesDigest(root));

    const before = buildIsCurrent(root);
    write('rules/a.json', '{"changed": true}');

    expect(before).toBe(true);
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('counts a source added anywhere but in what no build reads', () => {
    repository({ 'rules/a.json': '{}' });
    const digest = sourcesDigest(root);

    write('valuesets/new.json', '[]');

    expect(sourcesDigest(root)).not.toBe(digest);
  });

  it('leaves dist/ current when only tests, docs, outputs or the CI script change', () => {
    repository({ 'rules/a.json': '{}' });
    writeStamp(root, BUILD_STAMP, sourcesDigest(root));

    for (const file of [
      'test/x.test.ts',
      'docs/guide.md',
      'dist/lib/index.mjs',
      '.serverless/t.json',
      '.ci/run',
      'node_modules/m/i.js',
    ])
      write(file, 'changed');

    expect(buildIsCurrent(root)).toBe(true);
  });

  it('counts the files named beside the sources, and their absence', () => {
    repository({ 'rules/a.json': '{}' });
    const absent = sourcesDigest(root, ['docs/rules.md']);

    write('docs/rules.md', '# Rules');

    expect(sourcesDigest(root, ['docs/rules.md'])).not.toBe(absent);
  });

  it('finds no stamp where there is none or where it cannot be read', () => {
    repository({ 'rules/a.json': '{}' });
    const digest = sourcesDigest(root);

    const missing = stampMatches(root, BUILD_STAMP, digest);
    write(BUILD_STAMP, 'not json');

    expect(missing).toBe(false);
    expect(stampMatches(root, BUILD_STAMP, digest)).toBe(false);
  });

  it('reuses a package only while both it and the build it packaged are of the sources as they are now', () => {
    repository({ 'rules/a.json': '{}', 'serverless.yml': 'service: x' });
    const digest = sourcesDigest(root);
    writeStamp(root, PACKAGE_STAMP, digest);

    const withoutBuild = packageIsCurrent(root);
    writeStamp(root, BUILD_STAMP, digest);
    const both = packageIsCurrent(root);
    write('serverless.yml', 'service: y');

    expect(withoutBuild).toBe(false);
    expect(both).toBe(true);
    expect(packageIsCurrent(root)).toBe(false);
  });
});
