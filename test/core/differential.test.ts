import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { handwrittenFiredRuleIds } from '../../scripts/bench/handwritten.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { ruleIds } from '../../scripts/knowledge-base/rule-files.js';

/**
 * Differential test: evaluate() (json-rules-engine, custom operators, three-valued reading of the
 * condition results) against the same 26 rules written out by hand in scripts/bench/handwritten.ts,
 * on thousands of generated patients (test/support/patient-facts-arbitrary.ts).
 */

/** Fixed, so that a failure reproduces (fast-check prints the seed and path of the counterexample). */
const SEED = 16_779_792;
const NUM_RUNS = 3_000;

const RULE_IDS = ruleIds();

describe('evaluate() against the hand-written rules', () => {
  it('fires the same rules, in the same order, as the hand-written logic for 3,000 generated patients', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        const fired = (await evaluate(facts)).findings.map((finding) => finding.ruleId);

        expect(fired).toEqual(handwrittenFiredRuleIds(facts));
      }),
      { seed: SEED, numRuns: NUM_RUNS },
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
    const firings = new Map(RULE_IDS.map((id) => [id, 0]));
    const samples = fc.sample(patientFacts, { seed: SEED, numRuns: NUM_RUNS });

    for (const facts of samples) {
      for (const id of handwrittenFiredRuleIds(facts)) firings.set(id, (firings.get(id) ?? 0) + 1);
    }

    expect(RULE_IDS).toHaveLength(26);
    for (const [id, count] of firings) {
      expect(count, `${id} fired in ${count} of ${NUM_RUNS} patients`).toBeGreaterThanOrEqual(20);
      expect(count, `${id} fired in ${count} of ${NUM_RUNS} patients`).toBeLessThan(NUM_RUNS);
    }
  });
});
