import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateWithOutcomes, type PatientFacts } from '../../functions/core/index.js';
import { readDottedPath } from '../../functions/core/fact-paths.js';

/**
 * The trial still reproduces: a synthetic cohort of its 14 patients, built from the abstract
 * (test/fixtures/trial-cohort.json, which also holds the abstract's counts), run through the
 * knowledge base. The response rules must find the abstract's counts, endpoint by endpoint.
 */

interface Cohort {
  expected: {
    endpoints: Record<string, { improved: number; evaluable: number; abstract: string }>;
    everyPatientWith: { fact: string; value: string; count: number; fires: string; abstract: string };
  };
  patients: { name: string; facts: PatientFacts }[];
}

const cohort = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/trial-cohort.json'), 'utf8')) as Cohort;

const answers = await Promise.all(cohort.patients.map(async (p) => ({ ...p, ...(await evaluateWithOutcomes(p.facts)) })));

describe('the 2006 phase II trial, as a synthetic 14-patient cohort', () => {
  it('has the 14 patients of the abstract', () => {
    expect(cohort.patients).toHaveLength(14);
  });

  it.each(Object.entries(cohort.expected.endpoints))(
    "%s finds the abstract's count",
    (ruleId, { improved, evaluable, abstract }) => {
      const outcomes = answers.map((a) => a.outcomes[ruleId]);

      const fired = outcomes.filter((o) => o === 'fired').length;
      const decided = outcomes.filter((o) => o === 'fired' || o === 'not-fired').length;

      expect([fired, decided], abstract).toEqual([improved, evaluable]);
    },
  );

  it('fires the multi-endpoint finding for every patient the abstract says reached 2 or more endpoints', () => {
    const { fact, value, count, fires, abstract } = cohort.expected.everyPatientWith;
    const patients = answers.filter((a) => readDottedPath(a.facts, fact) === value);

    expect(patients, abstract).toHaveLength(count);
    for (const patient of patients) expect(patient.outcomes[fires], patient.name).toBe('fired');
  });
});
