import { describe, expect, it } from 'vitest';
import { evaluate, evaluateWithOutcomes, InvalidPatientFactsError } from '../../functions/core/index.js';
import { normaliseFacts, readKitVariant } from '../../functions/core/normalise-facts.js';
import type { PatientFacts } from '../../functions/core/types.js';

/** What facts.md v2 adds to the contract: accepted spellings, refused values, normalisation. */

async function problemsOf(facts: unknown) {
  try {
    await evaluate(facts as PatientFacts);
  } catch (error) {
    if (error instanceof InvalidPatientFactsError) return error.problems;
    throw error;
  }
  return [];
}

describe('order.drug', () => {
  it.each(['imatinib', 'Imatinib', 'IMATINIB MESYLATE', 'Gleevec', 'glivec'])(
    'accepts %s and reads it as imatinib',
    async (drug) => {
      const { result } = await evaluateWithOutcomes({ order: { drug, dailyDoseMg: 900 } });
      const finding = result.findings.find((f) => f.rationale.facts['order.drug'] !== undefined);

      expect(finding?.rationale.facts['order.drug']).toBe('imatinib');
    },
  );

  it.each(['imatinbi', 'dasatinib', 'unknown', ''])(
    'refuses %j with a 400 naming the field, so a typo cannot switch the order checks off',
    async (drug) => {
      const problems = await problemsOf({ order: { drug } });

      expect(problems).toEqual([expect.objectContaining({ path: '$.order.drug' })]);
      expect(problems[0]!.expected).toContain('"imatinib"');
    },
  );
});

describe('medications.strongCyp3a4Inducers (deprecated)', () => {
  it('still accepts strong and other inducers, in any spelling the value sets know', async () => {
    expect(
      await problemsOf({ medications: { strongCyp3a4Inducers: ['rifampicin', 'Dexamethasone', "St. John's Wort"] } }),
    ).toEqual([]);
  });

  it('refuses an entry that is not an inducer, naming the entry and never its value', async () => {
    const problems = await problemsOf({ medications: { strongCyp3a4Inducers: ['rifampin', 'ketoconazole'] } });

    expect(problems).toEqual([
      {
        path: '$.medications.strongCyp3a4Inducers[1]',
        expected: expect.stringContaining('strong-cyp3a4-inducers or other-cyp3a4-inducers'),
        found: 'a string',
      },
    ]);
  });
});

describe('other v2 values', () => {
  it("accepts BMM and refuses ICC's SM-AMN (sent as SM-AHN)", async () => {
    expect(await problemsOf({ diagnosis: { smSubtype: 'BMM' } })).toEqual([]);
    expect(await problemsOf({ diagnosis: { smSubtype: 'SM-AMN' } })).toEqual([
      expect.objectContaining({ path: '$.diagnosis.smSubtype' }),
    ]);
  });

  it('refuses null as a value', async () => {
    expect(await problemsOf({ labs: { altTimesUln: null } })).toEqual([expect.objectContaining({ path: '$.labs.altTimesUln' })]);
  });

  it('refuses a negative lab ratio', async () => {
    expect(await problemsOf({ labs: { bilirubinTimesUln: -1 } })).toEqual([
      { path: '$.labs.bilirubinTimesUln', expected: 'a number >= 0', found: 'a number' },
    ]);
  });
});

describe('KIT notation', () => {
  it.each([
    ['F522C', 'F522C', 522],
    ['p.F522C', 'F522C', 522],
    ['p.Phe522Cys', 'F522C', 522],
    ['Phe522Cys', 'F522C', 522],
    ['p.(Asp816Val)', 'D816V', 816],
    ['d816v', 'D816V', 816],
    ['D816_I817insV', 'D816_I817insV', 816],
    ['p.Asp816_Ile817insVal', 'D816_I817insV', 816],
    ['V560del', 'V560del', 560],
    ['del419', 'del419', 419],
    ['Y578*', 'Y578*', 578],
    ['p.Tyr578Ter', 'Y578*', 578],
  ])('reads %s as %s at codon %i', (written, canonical, codon) => {
    expect(readKitVariant(written)).toEqual({ canonical, codon });
  });

  it.each(['c.1924A>G', 'exon 11 deletion', 'D816', 'B816V', ''])('cannot read %j', (written) => {
    expect(readKitVariant(written)).toBeUndefined();
  });

  it('normalises the list, keeps what it cannot read as written, and takes a listed D816V for detected', () => {
    const facts: PatientFacts = { molecular: { kitD816V: 'not-detected', kitOtherMutations: ['p.Asp816Val', 'c.1924A>G'] } };

    expect(normaliseFacts(facts)).toEqual({ molecular: { kitD816V: 'detected', kitOtherMutations: ['D816V', 'c.1924A>G'] } });
    expect(facts.molecular!.kitOtherMutations).toEqual(['p.Asp816Val', 'c.1924A>G']);
  });

  it('shows the normalised form in the rationale', async () => {
    const result = await evaluate({ molecular: { kitOtherMutations: ['p.Phe522Cys'] } });

    const finding = result.findings.find((f) => f.rationale.facts['molecular.kitOtherMutations'] !== undefined)!;
    expect(finding.rationale.facts['molecular.kitOtherMutations']).toEqual(['F522C']);
  });
});
