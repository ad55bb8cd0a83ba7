import fc from 'fast-check';
import { expect } from 'vitest';
import type { Evaluator, PatientFacts } from '../../functions/core/index.js';
import type { ValueSet } from '../../functions/core/value-sets.js';
import type { Reference } from '../reference/interpreter.js';
import { caseSeededPatients } from './case-seeded-patients.js';
import { patientFacts } from './patient-facts-arbitrary.js';

/**
 * The differential comparison of evaluate() with the reference interpreter (test/reference), for
 * any folder of rules: test/core/differential.test.ts runs it on rules/, and a test that adds a
 * rule to a copy of rules/ runs it there, with the same patients, the same checks and the same floor.
 */

/** How a comparison draws its patients: fixed, so that a failure reproduces (fast-check prints the seed and path). */
export interface Draw {
  seed: number;
  numRuns: number;
}

/** The draw of the main comparison, on rules/ and on a copy with a rule added. */
export const DIFFERENTIAL_DRAW: Draw = { seed: 16_779_792, numRuns: 2_000 };

/**
 * How often each rule must fire among those patients for the comparison to mean something. Three
 * patients in four are seeded from the cases, every rule as often as any other, so a rule fires
 * dozens of times however rare its conditions are together among random patients.
 */
export const MIN_FIRINGS = 5;

/**
 * Patients for the comparison: a quarter random (test/support/patient-facts-arbitrary.ts), three
 * quarters seeded from the cases of `rulesDir` (test/support/case-seeded-patients.ts), so that each
 * rule is drawn about as often as any other and fires because its cases say how.
 */
export function differentialPatients(
  rulesDir: string,
  valueSets: Readonly<Record<string, ValueSet>>,
): fc.Arbitrary<PatientFacts> {
  return fc.oneof(
    { weight: 1, arbitrary: patientFacts },
    { weight: 3, arbitrary: caseSeededPatients(rulesDir, valueSets, patientFacts) },
  );
}

/** Asserts `check` of every patient `draw` gives (fast-check shrinks a failing one and prints it). */
export async function assertForEvery(
  patients: fc.Arbitrary<PatientFacts>,
  draw: Draw,
  check: (facts: PatientFacts) => Promise<void>,
): Promise<void> {
  await fc.assert(fc.asyncProperty(patients, check), draw);
}

/** Asserts that `evaluator` fires the rules `reference` fires, in the same order, for each patient. */
export function assertSameFirings(
  evaluator: Pick<Evaluator, 'evaluate'>,
  reference: Reference,
  patients: fc.Arbitrary<PatientFacts>,
  draw: Draw,
): Promise<void> {
  return assertForEvery(patients, draw, async (facts) => {
    expect((await evaluator.evaluate(facts)).findings.map((finding) => finding.ruleId)).toEqual(reference.firedRuleIds(facts));
  });
}

/** Asserts that `evaluator` comes to the outcome `reference` does for every rule and patient. */
export function assertSameOutcomes(
  evaluator: Pick<Evaluator, 'evaluateWithOutcomes'>,
  reference: Reference,
  patients: fc.Arbitrary<PatientFacts>,
  draw: Draw,
): Promise<void> {
  return assertForEvery(patients, draw, async (facts) => {
    expect((await evaluator.evaluateWithOutcomes(facts)).outcomes).toEqual(reference.outcomes(facts));
  });
}

/**
 * What falls short of the coverage floor among the patients `draw` gives (the ones the comparison
 * ran on): each rule must fire for at least `minFirings` of them, and not for all.
 */
export function coverageShortfalls(
  reference: Reference,
  patients: fc.Arbitrary<PatientFacts>,
  draw: Draw,
  minFirings: number,
): string[] {
  const firings = new Map(reference.ruleIds.map((id) => [id, 0]));
  for (const facts of fc.sample(patients, draw)) {
    for (const id of reference.firedRuleIds(facts)) firings.set(id, (firings.get(id) ?? 0) + 1);
  }
  return [...firings]
    .filter(([, count]) => count < minFirings || count === draw.numRuns)
    .map(([id, count]) => `${id} fired for ${count} of ${draw.numRuns} patients (at least ${minFirings}, and not all)`);
}
