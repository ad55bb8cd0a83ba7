import { afterAll, describe, expect, it } from 'vitest';
import type { PatientFacts } from '../../functions/core/index.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { loadReference } from '../reference/interpreter.js';
import {
  assertSameFirings,
  coverageShortfalls,
  DIFFERENTIAL_DRAW,
  differentialPatients,
  MIN_FIRINGS,
} from '../support/differential.js';
import { throughTheForm } from '../support/console-form.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { failingCases } from '../support/rule-cases.js';
import { evaluatorFor, removeRuleCopies, rulesWithAddedRule, type NewRule } from '../support/rule-folders.js';

/**
 * A rule that is valid but rare among random patients (two conditions seldom true together, one a
 * value beyond every other rule's threshold), with a case whose only section is empty: added to a
 * copy of rules/ as an author adds it, it passes what `npm test` runs on rules/ (its cases, the
 * differential comparison and its coverage floor, the console form's reading of each case), and a
 * wrong expectation in its cases fails, naming the rule and the case.
 */

const RARE_RULE = 'zz-probe-tryptase-very-high';

const rareRule: NewRule = {
  $schema: './rule.schema.json',
  name: RARE_RULE,
  priority: 5,
  conditions: {
    all: [
      { name: 'applies when', all: [] },
      {
        name: 'fires when',
        all: [
          { name: 'FIP1L1-PDGFRA is detected', fact: 'molecular', path: '$.fip1l1Pdgfra', operator: 'equal', value: 'detected' },
          {
            name: 'Serum tryptase is above 1000 ng/mL',
            fact: 'labs',
            path: '$.serumTryptaseNgMl',
            operator: 'greaterThan',
            value: 1000,
          },
        ],
      },
    ],
  },
  event: {
    type: RARE_RULE,
    params: {
      category: 'monitoring',
      indicator: 'info',
      summary: 'Very high tryptase with FIP1L1-PDGFRA (a test rule added by the test suite).',
      detail: 'A rule written by a test to show that a rare rule passes as its cases say.',
      evidence: [],
    },
  },
};

const rareCases = (firstExpects: 'fires' | 'silent' = 'fires') => [
  {
    name: 'fusion detected, tryptase 1200 ng/mL',
    expect: firstExpects,
    facts: { molecular: { fip1l1Pdgfra: 'detected' }, labs: { serumTryptaseNgMl: 1200 } },
  },
  {
    name: 'fusion detected, tryptase 1000 ng/mL',
    expect: 'silent',
    facts: { molecular: { fip1l1Pdgfra: 'detected' }, labs: { serumTryptaseNgMl: 1000 } },
  },
  { name: 'labs given empty', expect: 'undecided', missing: ['labs.serumTryptaseNgMl'], facts: { labs: {} } },
];

afterAll(removeRuleCopies);

describe('a rule rare among random patients, added with its cases', () => {
  const dir = rulesWithAddedRule(rareRule, rareCases());

  it('passes the checks, and each of its cases comes out as expected, in the core and in the reference interpreter', async () => {
    const reference = loadReference(dir);

    const failures = await failingCases(dir);

    expect(checkRuleFiles(dir).knowledgeBase.rules.map((r) => r.name)).toContain(RARE_RULE);
    expect(failures).toEqual([]);
    expect(rareCases().map((c) => reference.outcomes(c.facts)[RARE_RULE])).toEqual(['fired', 'not-fired', 'undecided']);
  });

  it('never fires for random patients, but often enough among those of the differential comparison, which passes with it', async () => {
    const reference = loadReference(dir);
    const patients = differentialPatients(dir, checkRuleFiles(dir).knowledgeBase.valueSets ?? {});

    const shortfalls = coverageShortfalls(reference, patients, DIFFERENTIAL_DRAW, MIN_FIRINGS);

    expect(coverageShortfalls(reference, patientFacts, DIFFERENTIAL_DRAW, MIN_FIRINGS)).toContain(
      `${RARE_RULE} fired for 0 of ${DIFFERENTIAL_DRAW.numRuns} patients (at least ${MIN_FIRINGS}, and not all)`,
    );
    expect(shortfalls).toEqual([]);
    await assertSameFirings(evaluatorFor(dir), reference, patients, DIFFERENTIAL_DRAW);
  });

  it('opens each of its cases, the empty section too, in the console form, which reads them back as written', async () => {
    const evaluator = evaluatorFor(dir);

    for (const c of rareCases()) {
      const { unshown, readBack } = throughTheForm(c.facts as PatientFacts);

      expect(unshown, c.name).toEqual([]);
      expect(readBack, c.name).toEqual({ facts: c.facts, problems: [] });
      expect(await evaluator.evaluateWithOutcomes(readBack.facts), c.name).toEqual(
        await evaluator.evaluateWithOutcomes(c.facts as PatientFacts),
      );
    }
  });

  it('fails on a wrong expectation in one of its cases, naming the rule and the case', async () => {
    const failures = await failingCases(rulesWithAddedRule(rareRule, rareCases('silent')));

    expect(failures).toEqual([
      expect.stringMatching(
        /^zz-probe-tryptase-very-high, case "fusion detected, tryptase 1200 ng\/mL": expected silent, came out fires/,
      ),
    ]);
  });
});
