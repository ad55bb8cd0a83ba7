import { describe, expect, it } from 'vitest';
import { assertPatientFacts, InvalidPatientFactsError, type FactProblem } from '../../functions/core/validate-facts.js';

function problemsOf(data: unknown): FactProblem[] {
  try {
    assertPatientFacts(data);
  } catch (error) {
    if (error instanceof InvalidPatientFactsError) return error.problems;
    throw error;
  }
  return [];
}

describe('PatientFacts validation', () => {
  it.each([
    [
      'a misspelt field',
      { molecular: { kitD816v: 'detected' } },
      '$.molecular.kitD816v',
      'no such field (unknown key; check its spelling against the contract)',
    ],
    [
      'an unknown section',
      { genetics: {} },
      '$.genetics',
      'no such field (unknown key; check its spelling against the contract)',
    ],
    [
      'a value outside the value set',
      { molecular: { kitD816V: 'positive' } },
      '$.molecular.kitD816V',
      'one of "detected", "not-detected", "unknown"',
    ],
    [
      'a number as a string',
      { patient: { creatinineClearanceMlMin: '35' } },
      '$.patient.creatinineClearanceMlMin',
      'a finite number',
    ],
    ['a negative count', { labs: { eosinophilsPerMicroliter: -1 } }, '$.labs.eosinophilsPerMicroliter', 'a number >= 0'],
    ['an age over 130', { patient: { ageYears: 131 } }, '$.patient.ageYears', 'a number <= 130'],
    ['a zero dose', { order: { drug: 'imatinib', dailyDoseMg: 0 } }, '$.order.dailyDoseMg', 'a number > 0'],
    [
      'an infinite number',
      { labs: { serumTryptaseNgMl: Number.POSITIVE_INFINITY } },
      '$.labs.serumTryptaseNgMl',
      'a finite number',
    ],
    ['NaN', { patient: { ageYears: Number.NaN } }, '$.patient.ageYears', 'a finite number'],
    ['an order without its drug', { order: { dailyDoseMg: 400 } }, '$.order.drug', 'a value (required)'],
    [
      'a string where a list belongs',
      { medications: { strongCyp3a4Inducers: 'rifampin' } },
      '$.medications.strongCyp3a4Inducers',
      'an array',
    ],
    [
      'a number in a list of strings',
      { molecular: { kitOtherMutations: ['F522C', 7] } },
      '$.molecular.kitOtherMutations[1]',
      'a string',
    ],
    ['a boolean as a string', { patient: { pregnant: 'yes' } }, '$.patient.pregnant', 'a boolean'],
    ['an array instead of facts', [], '$', 'an object'],
    ['null instead of facts', null, '$', 'an object'],
  ])('names %s', (_case, data, path, expected) => {
    expect(problemsOf(data)).toContainEqual(expect.objectContaining({ path, expected }));
  });

  it('names every offending field at once', () => {
    const problems = problemsOf({ patient: { ageYears: -3, sex: 'f' }, molecular: { kitD816v: 'detected' }, order: {} });

    expect(problems.map((p) => p.path)).toEqual(['$.molecular.kitD816v', '$.order.drug', '$.patient.ageYears', '$.patient.sex']);
  });

  it('says what kind of value it found, never the value itself', () => {
    const problems = problemsOf({ patient: { sex: 'Jane Doe, MRN 0042' }, labs: { serumTryptaseNgMl: 'Jane Doe' } });

    expect(JSON.stringify(problems)).not.toContain('Jane');
    expect(problems).toContainEqual({ path: '$.patient.sex', expected: expect.any(String), found: 'a string' });
  });

  it('does not echo keys that could carry data', () => {
    const problems = problemsOf({ 'Jane Doe MRN 0042': true });

    expect(JSON.stringify(problems)).not.toContain('Jane');
    expect(problems[0]?.path).toBe('$["(unrecognised key)"]');
  });

  it('accepts an empty object: every fact is optional', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it('accepts "unknown" wherever a value set offers it', () => {
    expect(
      problemsOf({
        patient: { sex: 'unknown', hepaticImpairment: 'unknown' },
        diagnosis: { smSubtype: 'unknown' },
        molecular: { kitD816V: 'unknown', fip1l1Pdgfra: 'unknown' },
      }),
    ).toEqual([]);
  });

  it('rejects __proto__ as an unknown key instead of following it', () => {
    const problems = problemsOf(JSON.parse('{"__proto__": {"polluted": true}, "patient": {"constructor": {}}}'));

    expect(problems.map((p) => p.path)).toEqual(['$.__proto__', '$.patient.constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
