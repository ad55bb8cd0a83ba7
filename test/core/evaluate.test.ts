import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, InvalidPatientFactsError, knowledgeBaseInfo } from '../../functions/core/index.js';
import { addMonths, statusWarnings } from '../../functions/core/knowledge-base.js';
import type { EvaluatedCondition, PatientFacts } from '../../functions/core/types.js';
import { digestOf } from '../../scripts/knowledge-base/check-rules.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { copyOfRules, evaluatorFor, removeRuleCopies } from '../support/rule-folders.js';
import { schemaValidator } from '../support/schemas.js';

/**
 * The evaluation machinery (gating, three-valued outcomes, rationale, missing facts, ordering,
 * knowledge-base status), shown on the fixture rules of test/fixtures/rules so that it does not
 * depend on the clinical content; the clinical rules are tried on their own cases.
 */

const validResult = schemaValidator('evaluation-result.schema.json');
const fixtureDir = copyOfRules();
const fixture = evaluatorFor(fixtureDir);
afterAll(removeRuleCopies);

const proposedOrder = { drug: 'imatinib', status: 'proposed', dailyDoseMg: 400 } as const;

/** A patient on whom every fixture rule fires. */
const everything: PatientFacts = {
  molecular: { kitD816V: 'detected' },
  labs: { eosinophilsPerMicroliter: 1800 },
  order: proposedOrder,
  treatmentCourse: {
    monthsOnImatinib: 4,
    baseline: { serumTryptaseNgMl: 120 },
    current: { serumTryptaseNgMl: 80 },
    symptoms: 'improved',
  },
};

function leaves(node: EvaluatedCondition): EvaluatedCondition[] {
  return 'conditions' in node ? node.conditions.flatMap(leaves) : [node];
}

describe('evaluate()', () => {
  it('answers with a result that matches the published schema', async () => {
    const result = await fixture.evaluate(everything);

    expect(validResult(result), JSON.stringify(validResult.errors)).toBe(true);
  });

  it('orders findings critical, then warning, then info, and by priority within each', async () => {
    const result = await fixture.evaluate(everything);

    expect(result.findings.map((f) => f.ruleId)).toEqual([
      'fixture-eosinophilia-order',
      'fixture-kit-detected',
      'fixture-dose',
      'fixture-tryptase-fall',
      'fixture-symptoms',
      'fixture-count',
    ]);
  });

  it('gives byte-identical output for the same facts, whatever ran in between', async () => {
    const first = JSON.stringify(await fixture.evaluate(everything));
    await fixture.evaluate({ molecular: { kitD816V: 'unknown' } });
    const second = JSON.stringify(await fixture.evaluate(structuredClone(everything)));

    expect(second).toBe(first);
  });

  it('does not change the facts it is given', async () => {
    const facts = structuredClone(everything);

    await fixture.evaluate(facts);

    expect(facts).toEqual(everything);
  });

  it('explains a finding with the words of its true conditions, the facts it read and the evaluated tree', async () => {
    const result = await fixture.evaluate({ labs: { eosinophilsPerMicroliter: 1800 }, order: proposedOrder });
    const finding = result.findings.find((f) => f.ruleId === 'fixture-eosinophilia-order')!;

    expect(finding.rationale.text).toBe(
      'Absolute eosinophil count is at least 1500/uL (labs.eosinophilsPerMicroliter = 1800); The order is proposed; No echocardiogram is recorded.',
    );
    expect(finding.rationale.facts).toEqual({
      'order.drug': 'imatinib',
      'labs.eosinophilsPerMicroliter': 1800,
      'order.status': 'proposed',
      'cardiac.echocardiogram': null,
    });
    expect(leaves(finding.rationale.conditions)).toContainEqual({
      name: 'Absolute eosinophil count is at least 1500/uL',
      fact: 'labs.eosinophilsPerMicroliter',
      operator: 'greaterThanInclusive',
      expected: 1500,
      actual: 1800,
      result: true,
    });
    expect(leaves(finding.rationale.conditions)).toContainEqual(
      expect.objectContaining({ fact: 'cardiac.echocardiogram', operator: 'equal', actual: null, result: null }),
    );
  });

  it('reports the inputs of a derived fact, and the derived value', async () => {
    const finding = (await fixture.evaluate(everything)).findings.find((f) => f.ruleId === 'fixture-tryptase-fall')!;

    expect(finding.rationale.facts).toMatchObject({
      'treatmentCourse.baseline.serumTryptaseNgMl': 120,
      'treatmentCourse.current.serumTryptaseNgMl': 80,
    });
    expect(leaves(finding.rationale.conditions)).toContainEqual(
      expect.objectContaining({
        fact: 'percentChangeFromBaseline',
        params: { measure: 'serumTryptaseNgMl' },
        actual: -33.33333333333333,
        result: true,
      }),
    );
  });

  it('writes the values its rule reads into the text of a finding', async () => {
    const finding = (await fixture.evaluate(everything)).findings.find((f) => f.ruleId === 'fixture-tryptase-fall')!;

    expect(finding.summary).toBe('Tryptase 120 -> 80 ng/mL, -33.3% (fixture).');
  });

  it("writes a value just past its rule's threshold with the digits that keep it there, in the text and the rationale", async () => {
    const facts: PatientFacts = {
      treatmentCourse: { monthsOnImatinib: 4, baseline: { serumTryptaseNgMl: 100 }, current: { serumTryptaseNgMl: 79.96 } },
    };

    const finding = (await fixture.evaluate(facts)).findings.find((f) => f.ruleId === 'fixture-tryptase-fall')!;

    expect(finding.summary).toBe('Tryptase 100 -> 80 ng/mL, -20.04% (fixture).');
    expect(finding.rationale.text).toContain('percentChangeFromBaseline = -20.04)');
  });

  it('shows an evidence item that carries a condition only when that condition came out true', async () => {
    const withoutEcho = { labs: { eosinophilsPerMicroliter: 1800 }, order: proposedOrder };
    const echoNotDone = { ...withoutEcho, cardiac: { echocardiogram: 'not-done' as const } };

    const [absent, notDone] = await Promise.all([fixture.evaluate(withoutEcho), fixture.evaluate(echoNotDone)]);
    const statementsOf = (result: typeof absent) =>
      result.findings.find((f) => f.ruleId === 'fixture-eosinophilia-order')!.evidence.map((e) => e.statement);

    expect(statementsOf(absent)).toEqual(['What the fixture source says for fixture-eosinophilia-order.']);
    expect(statementsOf(notDone)).toEqual([
      'What the fixture source says for fixture-eosinophilia-order.',
      'What the fixture source says when the echocardiogram was not done.',
    ]);
  });

  it('cites no source for a finding about the record, says why, and still matches the published schema', async () => {
    const result = await fixture.evaluate({ labs: { eosinophilsPerMicroliter: 1.8 } });
    const finding = result.findings.find((f) => f.ruleId === 'fixture-count-units')!;

    expect(finding).toMatchObject({
      summary: 'Eosinophils sent as 1.8 per microlitre: check the units (fixture).',
      evidence: [],
      noSource: 'A statement about the units of the record (fixture).',
    });
    expect(validResult(result), JSON.stringify(validResult.errors)).toBe(true);
  });

  it('reads the outcomes of the rules a count is over', async () => {
    const finding = (await fixture.evaluate(everything)).findings.find((f) => f.ruleId === 'fixture-count')!;

    expect(finding.rationale.facts).toMatchObject({
      'ruleOutcomes.fixture-tryptase-fall': 'fired',
      'ruleOutcomes.fixture-symptoms': 'fired',
    });
  });

  it('lists a missing fact once, with every rule it left undecided', async () => {
    const result = await fixture.evaluate({ order: { drug: 'imatinib' } });

    expect(result.missingFacts).toEqual([
      { fact: 'labs.eosinophilsPerMicroliter', neededBy: ['fixture-eosinophilia-order'] },
      { fact: 'molecular.kitD816V', neededBy: ['fixture-kit-detected'] },
      { fact: 'order.dailyDoseMg', neededBy: ['fixture-dose'] },
      { fact: 'order.status', neededBy: ['fixture-eosinophilia-order'] },
    ]);
  });

  it('does not ask for the facts of rules that do not apply (no order, no treatment course)', async () => {
    const { result, outcomes } = await fixture.evaluateWithOutcomes({ molecular: { kitD816V: 'detected' } });

    expect(result.missingFacts).toEqual([]);
    expect(outcomes).toEqual({
      'fixture-kit-detected': 'fired',
      'fixture-eosinophilia-order': 'not-applicable',
      'fixture-dose': 'not-applicable',
      'fixture-tryptase-fall': 'not-applicable',
      'fixture-symptoms': 'not-applicable',
      'fixture-count': 'not-applicable',
      'fixture-count-units': 'not-applicable',
    });
  });

  it('tells an applicable rule that did not fire from one that does not apply', async () => {
    const { outcomes } = await fixture.evaluateWithOutcomes({ treatmentCourse: { monthsOnImatinib: 4, symptoms: 'absent' } });

    expect(outcomes).toMatchObject({
      'fixture-symptoms': 'not-applicable',
      'fixture-tryptase-fall': 'undecided',
      'fixture-count': 'not-fired',
    });
  });

  it("carries a rule's suggested actions", async () => {
    const finding = (await fixture.evaluate({ order: proposedOrder })).findings.find((f) => f.ruleId === 'fixture-dose')!;

    expect(finding.suggestedActions).toEqual([
      { kind: 'set-daily-dose', label: 'Change the dose to 100 mg/day', dailyDoseMg: 100 },
    ]);
  });

  it("cites each evidence item with its source's citation, PubMed id and URL", async () => {
    const finding = (await fixture.evaluate(everything)).findings[0]!;

    expect(finding.evidence).toEqual([
      {
        citation: 'Fixture source for the tests of the rule machinery',
        pmid: null,
        url: 'https://example.org/fixture',
        statement: 'What the fixture source says for fixture-eosinophilia-order.',
      },
    ]);
  });

  it('names the knowledge base, its digest, its status and the date its next review is due', async () => {
    const result = await fixture.evaluate({});

    expect(result.knowledgeBase).toEqual({
      id: 'fixture',
      version: '0.1.0',
      digest: digestOf(fixtureDir),
      status: 'draft',
      lastReviewed: '2026-01-31',
      warnings: [
        'Knowledge base fixture 0.1.0 is a draft, not approved for clinical use: it was last reviewed on 2026-01-31; the next review is due on 2026-02-28. Check each finding against its sources.',
      ],
    });
  });

  it('rejects invalid facts with an error naming each field', async () => {
    const attempt = fixture.evaluate({ molecular: { kitD816v: 'detected' } } as unknown as PatientFacts);

    await expect(attempt).rejects.toBeInstanceOf(InvalidPatientFactsError);
    await expect(attempt).rejects.toMatchObject({ problems: [{ path: '$.molecular.kitD816v' }] });
  });
});

describe('the built-in knowledge base', () => {
  it('answers with the digest of the files in rules/ and the status of rules/knowledge-base.json', async () => {
    const result = await evaluate({});

    expect(result.knowledgeBase.digest).toBe(digestOf(RULES_DIR));
    expect(result.knowledgeBase).toEqual(knowledgeBaseInfo);
  });
});

describe('knowledge-base status', () => {
  const meta = { id: 'kb', version: '1.0.0', reviewIntervalMonths: 12 };

  it('warns about a draft that was never reviewed', () => {
    expect(statusWarnings({ ...meta, status: 'draft', lastReviewed: null })).toEqual([
      'Knowledge base kb 1.0.0 is a draft, not approved for clinical use: it has never been reviewed by a clinician. Check each finding against its sources.',
    ]);
  });

  it('says nothing of an active knowledge base, and warns about a retired one', () => {
    expect(statusWarnings({ ...meta, status: 'active', lastReviewed: '2026-01-15' })).toEqual([]);
    expect(statusWarnings({ ...meta, status: 'retired', lastReviewed: '2026-01-15' })[0]).toMatch(
      /retired and should no longer be used.*due on 2027-01-15/,
    );
  });

  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-11-29', 12, '2027-11-29'],
    ['2026-12-15', 1, '2027-01-15'],
  ])('counts %s plus %i month(s) as %s', (date, months, due) => {
    expect(addMonths(date, months)).toBe(due);
  });
});
