import { describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { normaliseFacts, readKitVariant, unreadableEntriesBehind } from '../../functions/core/normalise-facts.js';
import type { PatientFacts } from '../../functions/core/types.js';

/** KIT notation v3 (knowledge-base spec v3, "KIT notation"): prefixes, parentheses, c.2447A>T, and unreadable entries. */

describe('KIT notation v3', () => {
  it.each([
    ['KIT p.D816V', 'D816V'],
    ['KIT:p.Asp816Val', 'D816V'],
    ['KIT D816V', 'D816V'],
    ['c-KIT D816V', 'D816V'],
    ['p.(Asp816Val)', 'D816V'],
    ['(p.Asp816Val)', 'D816V'],
    ['KIT p.(Phe522Cys)', 'F522C'],
    ['c.2447A>T', 'D816V'],
    ['c.2447a>t', 'D816V'],
    ['KIT c.2447A>T', 'D816V'],
    ['NM_000222.2:c.2447A>T', 'D816V'],
  ])('reads %s as %s', (written, canonical) => {
    expect(readKitVariant(written)?.canonical).toBe(canonical);
  });

  it.each(['c.2446G>C', 'NM_001093772.1:c.2447A>T', 'KIT exon 17 mutation', 'KITD816V'])(
    'cannot read %j: other cDNA, another transcript, free text',
    (written) => {
      expect(readKitVariant(written)).toBeUndefined();
    },
  );

  it('does not trust a D816V result of not-detected beside an entry it cannot read', () => {
    const facts: PatientFacts = { molecular: { kitD816V: 'not-detected', kitOtherMutations: ['F522C', 'exon 17 mutation'] } };

    expect(normaliseFacts(facts).molecular?.kitD816V).toBe('unknown');
    expect(unreadableEntriesBehind(facts)).toEqual({ 'molecular.kitD816V': ['exon 17 mutation'] });
  });

  it('still takes detected as detected beside an entry it cannot read', () => {
    const facts: PatientFacts = { molecular: { kitD816V: 'detected', kitOtherMutations: ['exon 17 mutation'] } };

    expect(normaliseFacts(facts).molecular?.kitD816V).toBe('detected');
    expect(unreadableEntriesBehind(facts)).toEqual({});
  });

  it('trusts not-detected when every entry can be read', () => {
    const facts: PatientFacts = { molecular: { kitD816V: 'not-detected', kitOtherMutations: ['KIT p.Phe522Cys'] } };

    expect(normaliseFacts(facts).molecular).toEqual({ kitD816V: 'not-detected', kitOtherMutations: ['F522C'] });
  });

  it('asks for molecular.kitD816V and quotes the entry it could not read beside it, without markup', async () => {
    const result = await evaluate({
      molecular: { kitD816V: 'not-detected', fip1l1Pdgfra: 'not-detected', kitOtherMutations: ['c.2446G>C <b>'] },
    });

    const kit = result.missingFacts.find((m) => m.fact === 'molecular.kitD816V');

    expect(kit?.unreadableEntries).toEqual(['c.2446G>C b>']);
    expect(kit?.neededBy.length).toBeGreaterThan(0);
  });
});
