import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, evaluateWithOutcomes } from '../../functions/core/index.js';
import { loadReference } from '../reference/interpreter.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { copyOfRules, evaluatorFor, removeRuleCopies } from '../support/rule-folders.js';

/**
 * Differential test: evaluate() (json-rules-engine, custom operators, gating, run shaping, the
 * three-valued reading of condition results) against the reference interpreter of test/reference,
 * written apart from functions/core, over every rule in rules/ and on thousands of generated
 * patients (test/support/patient-facts-arbitrary.ts). Whatever the rules say, the two must agree.
 */

/** Fixed, so that a failure reproduces (fast-check prints the seed and path of the counterexample). */
const SEED = 16_779_792;
const NUM_RUNS = 3_000;
/**
 * How often each rule must fire among them for the comparison to mean something. The generator
 * takes the rules' own thresholds, drugs and variants, so a new rule is reached with no change to
 * it; a rule of several rare conditions together (a drug of a one-member set, a high ALT, an order)
 * fires a few times in 3,000.
 */
const MIN_FIRINGS = 5;

const reference = loadReference();

afterAll(removeRuleCopies);

// Thousands of patients through both: longer than a test is given by default, on a shared machine.
describe('evaluate() against the reference interpreter', { timeout: 120_000 }, () => {
  it('fires the same rules, in the same order, for 3,000 generated patients', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        const fired = (await evaluate(facts)).findings.map((finding) => finding.ruleId);

        expect(fired).toEqual(reference.firedRuleIds(facts));
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it('comes to the same outcome for every rule (fired, not fired, not applicable, undecided)', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        const { outcomes } = await evaluateWithOutcomes(facts);

        expect(outcomes).toEqual(reference.outcomes(facts));
      }),
      { seed: SEED + 2, numRuns: 1_000 },
    );
  });

  it('agrees on the fixture rules too, which use every kind of condition', async () => {
    const dir = copyOfRules();
    const fixtureReference = loadReference(dir);
    const fixture = evaluatorFor(dir);

    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        expect((await fixture.evaluateWithOutcomes(facts)).outcomes).toEqual(fixtureReference.outcomes(facts));
      }),
      { seed: SEED + 3, numRuns: 500 },
    );
  });

  it('never lists a fact as missing for a rule that fired', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        const result = await evaluate(facts);
        const fired = new Set(result.findings.map((finding) => finding.ruleId));

        const missingForFired = result.missingFacts.filter((missing) => missing.neededBy.some((id) => fired.has(id)));

        expect(missingForFired).toEqual([]);
      }),
      { seed: SEED + 1, numRuns: 1_000 },
    );
  });

  it('generates patients for whom every rule both fires and does not fire', () => {
    const firings = new Map(reference.ruleIds.map((id) => [id, 0]));
    const samples = fc.sample(patientFacts, { seed: SEED, numRuns: NUM_RUNS });

    for (const facts of samples) {
      for (const id of reference.firedRuleIds(facts)) firings.set(id, (firings.get(id) ?? 0) + 1);
    }

    for (const [id, count] of firings) {
      expect(count, `${id} fired in ${count} of ${NUM_RUNS} patients`).toBeGreaterThanOrEqual(MIN_FIRINGS);
      expect(count, `${id} fired in ${count} of ${NUM_RUNS} patients`).toBeLessThan(NUM_RUNS);
    }
  });
});
