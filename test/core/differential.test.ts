import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, evaluateWithOutcomes } from '../../functions/core/index.js';
import { knowledgeBase } from '../../functions/core/knowledge-base.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { loadReference } from '../reference/interpreter.js';
import {
  assertForEvery,
  assertSameFirings,
  assertSameOutcomes,
  coverageShortfalls,
  DIFFERENTIAL_DRAW,
  differentialPatients,
  MIN_FIRINGS,
} from '../support/differential.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { copyOfRules, evaluatorFor, removeRuleCopies } from '../support/rule-folders.js';

/**
 * Differential test: evaluate() (json-rules-engine, custom operators, gating, run shaping, the
 * three-valued reading of condition results) against the reference interpreter of test/reference,
 * written apart from functions/core, over every rule in rules/ and on thousands of patients,
 * random ones and ones seeded from each rule's own cases (test/support/differential.ts). Whatever
 * the rules say, the two must agree.
 */

const DRAW = DIFFERENTIAL_DRAW;
const SEED = DRAW.seed;

const reference = loadReference();
const patients = differentialPatients(RULES_DIR, knowledgeBase.valueSets ?? {});

afterAll(removeRuleCopies);

describe('evaluate() against the reference interpreter', () => {
  it(`fires the same rules, in the same order, for ${DRAW.numRuns} patients`, async () => {
    await assertSameFirings({ evaluate }, reference, patients, DRAW);
  });

  it('comes to the same outcome for every rule (fired, not fired, not applicable, undecided)', async () => {
    await assertSameOutcomes({ evaluateWithOutcomes }, reference, patients, { seed: SEED + 2, numRuns: 1_000 });
  });

  it('agrees on the fixture rules too, which use every kind of condition', async () => {
    const dir = copyOfRules();

    await assertSameOutcomes(evaluatorFor(dir), loadReference(dir), patientFacts, { seed: SEED + 3, numRuns: 500 });
  });

  it('never lists a fact as missing for a rule that fired', async () => {
    await assertForEvery(patients, { seed: SEED + 1, numRuns: 1_000 }, async (facts) => {
      const result = await evaluate(facts);
      const fired = new Set(result.findings.map((finding) => finding.ruleId));

      const missingForFired = result.missingFacts.filter((missing) => missing.neededBy.some((id) => fired.has(id)));

      expect(missingForFired).toEqual([]);
    });
  });

  it('compares them on patients for whom every rule both fires and does not fire', () => {
    expect(coverageShortfalls(reference, patients, DRAW, MIN_FIRINGS)).toEqual([]);
  });
});
