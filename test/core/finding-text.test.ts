import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  markdownEntries,
  placeholdersIn,
  quoteEntry,
  WIDEST_WRITTEN,
  writeValue,
} from '../../functions/core/finding-text.js';

/** Fact values in a finding's words (functions/core/finding-text.ts). */

describe('writing a value', () => {
  it.each([
    [12.5, 'number', '12.5'],
    [71, 'number', '71'],
    [1.84, 'number', '1.8'],
    [210000, 'number', '210000'],
    [34_600_000, 'number', '3.46e+7'],
    [-82.39, 'signedPercent', '-82.4%'],
    [-20.1, 'signedPercent', '-20.1%'],
    [150, 'signedPercent', '+150%'],
    [0, 'signedPercent', '0%'],
    [-0.02, 'signedPercent', '0%'],
  ] as const)('writes %j as %s: %s', (value, format, written) => {
    expect(writeValue(value, format)).toBe(written);
  });

  it('never writes a number wider than its format says, however large', () => {
    for (const value of [Number.MAX_VALUE, -Number.MAX_VALUE, 999_999.96, -999_999.9, 1e6, 123_456.78]) {
      expect(writeValue(value, 'number')!.length).toBeLessThanOrEqual(WIDEST_WRITTEN.number);
      expect(writeValue(value, 'signedPercent')!.length).toBeLessThanOrEqual(WIDEST_WRITTEN.signedPercent);
    }
  });

  it('writes nothing for a value that is not known or not of its kind', () => {
    expect(writeValue(undefined, 'number')).toBeUndefined();
    expect(writeValue('12', 'number')).toBeUndefined();
    expect(writeValue(12, 'entries')).toBeUndefined();
  });
});

describe('quoting an entry of the record', () => {
  it('keeps notation legible', () => {
    expect(quoteEntry('c.2447A>G')).toBe('c.2447A>G');
    expect(quoteEntry('KIT: exon 11 del')).toBe('KIT: exon 11 del');
    expect(quoteEntry('lopinavir/ritonavir 200/50')).toBe('lopinavir/ritonavir 200/50');
  });

  it('lets no markup through', () => {
    expect(quoteEntry('<img src=x onerror=alert(1)>')).toBe('img src=x onerror=alert 1 >');
    expect(quoteEntry('[click](javascript:alert(1))')).toBe('click javascript:alert 1');
    expect(quoteEntry('**bold** `code` _x_')).toBe('bold code x');
    expect(quoteEntry('> quoted')).toBe('quoted');
  });

  it('puts each entry in a code span in Markdown, so no address becomes a link', () => {
    expect(markdownEntries(['www.example.org', 'rifampine 600', '<>'])).toBe('`www.example.org`, `rifampine 600`');
  });
});

describe('placeholders', () => {
  it('names the values a text shows', () => {
    expect(placeholdersIn('tryptase {{baseline}} -> {{current}} ng/mL, {{change}}')).toEqual(['baseline', 'current', 'change']);
  });

  it('fills each placeholder, or gives nothing when a value is not known', () => {
    const text = 'tryptase {{baseline}} -> {{current}} ng/mL';

    expect(fillPlaceholders(text, { baseline: '71', current: '12.5' })).toBe('tryptase 71 -> 12.5 ng/mL');
    expect(fillPlaceholders(text, { baseline: '71', current: undefined })).toBeUndefined();
    expect(fillPlaceholders(text, { baseline: '71' }, 'not known')).toBe('tryptase 71 -> not known ng/mL');
  });
});
