import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  markdownEntries,
  placeholdersIn,
  quoteEntry,
  WIDEST_WRITTEN,
  writeNumber,
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

  it('never writes a number wider than its format says, however large or close to a threshold', () => {
    const values = [
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      999_999.96,
      -999_999.9,
      1e6,
      123_456.78,
      -999_999.9999996,
      9.9999999e307,
    ];
    for (const value of values) {
      for (const thresholds of [[], [value + 1e-9], [value - 1e-9], [Math.round(value)]]) {
        expect(writeValue(value, 'number', thresholds)!.length).toBeLessThanOrEqual(WIDEST_WRITTEN.number);
        expect(writeValue(value, 'signedPercent', thresholds)!.length).toBeLessThanOrEqual(WIDEST_WRITTEN.signedPercent);
      }
    }
  });

  it.each([
    [49.999, [50], '49.999'],
    [49.99999999, [50], '49.999999'],
    [50, [50], '50'],
    [50.04, [50], '50.04'],
    [-20.04, [-20], '-20.04'],
    [74_999.96, [75_000, 50_000], '74999.96'],
    [2.4999, [2.5, 1.5], '2.4999'],
    [1_000_000.4, [1_000_000], '1.000001e+6'],
    [-1e-10, [0], '-0.000001'],
    [49.999, [], '50'],
  ] as const)('writes %j beside the thresholds %j on its own side of each: %s', (value, thresholds, text) => {
    const written = writeNumber(value, thresholds);

    expect(written).toBe(text);
    for (const t of thresholds) expect(Math.sign(Number(written) - t)).toBe(Math.sign(value - t));
  });

  it('writes a percent change on its own side of the threshold too', () => {
    expect(writeValue(-20.04, 'signedPercent', [-20])).toBe('-20.04%');
    expect(writeValue(-0.02, 'signedPercent', [0])).toBe('-0.02%');
  });

  it('writes nothing for a value that is not known or not of its kind', () => {
    expect(writeValue(undefined, 'number')).toBeUndefined();
    expect(writeValue('12', 'number')).toBeUndefined();
    expect(writeValue(12, 'entries')).toBeUndefined();
    expect(writeValue(['x'], 'matches')).toBeUndefined();
    expect(writeValue(3, 'code')).toBeUndefined();
  });

  it('writes a coded value as it is, quoted', () => {
    expect(writeValue('SM-AHN', 'code')).toBe('SM-AHN');
    expect(writeValue('<b>ISM</b>', 'code')).toBe('b>ISM /b>');
  });
});

describe('writing the drugs a value set matched', () => {
  const matches = [
    { listed: 'Tegretol', member: 'carbamazepine' },
    { listed: 'Rifampin 600 mg', member: 'rifampin' },
    { listed: 'st. johns wort', member: "st john's wort", note: 'strong in one table; moderate in another' },
    { listed: 'phenytoin', member: 'phenytoin' },
  ];

  it('names each entry as recorded, with the member it was taken for where the words differ', () => {
    expect(writeValue(matches, 'matches')).toBe(
      '`Tegretol` (carbamazepine), `Rifampin 600 mg` (rifampin), `st. johns wort`, `phenytoin`',
    );
  });

  it('quotes a recorded entry, so no markup comes through', () => {
    expect(writeValue([{ listed: '<img src=x> Tegretol', member: 'carbamazepine' }], 'matches')).toBe(
      '`img src=x> Tegretol` (carbamazepine)',
    );
  });

  it('gives the notes of the members matched only, and nothing when none has one', () => {
    expect(writeValue(matches, 'matchNotes')).toBe("- st john's wort: strong in one table; moderate in another");
    expect(writeValue(matches.slice(0, 2), 'matchNotes')).toBeUndefined();
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
