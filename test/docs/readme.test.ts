import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is the front door: short enough to read (at most 12 KB, issue 15), and every link it
 * gives to the rest of the repository leads somewhere, heading anchors included.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([
    ...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!.trim())),
    ...[...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!),
  ]);
}

const links = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:/.test(href));

describe('README.md', () => {
  it('is at most 12 KB', () => {
    expect(Buffer.byteLength(README)).toBeLessThanOrEqual(12_000);
  });

  it.each(links)('links to %s, which exists', (href) => {
    const [file, anchor] = href.split('#') as [string, string | undefined];
    const target = file === '' ? path.join(ROOT, 'README.md') : path.join(ROOT, file);

    expect(existsSync(target), `${file} exists`).toBe(true);
    if (anchor !== undefined) expect([...anchorsIn(target)]).toContain(anchor);
  });
});
