import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, InvalidPatientFactsError, knowledgeBaseInfo } from '../../functions/core/index.js';
import type { EvaluatedCondition, PatientFacts } from '../../functions/core/types.js';
import { digestOf } from '../../scripts/knowledge-base/check-rules.js';
import { withFacts } from '../support/facts.js';
import { schemaValidator } from '../support/schemas.js';

const validResult = schemaValidator('evaluation-result.schema.json');

/** The example request of shared/spec/facts.md, whole. */
const contractExample: PatientFacts = {
  patient: { ageYears: 58, sex: 'female', pregnant: false, creatinineClearanceMlMin: 72, hepaticImpairment: 'none' },
  diagnosis: { smSubtype: 'ASM' },
  molecular: { kitD816V: 'detected', kitOtherMutations: ['F522C'], fip1l1Pdgfra: 'not-detected' },
  labs: { serumTryptaseNgMl: 120, eosinophilsPerMicroliter: 1800 },
  cardiac: { echocardiogram: 'normal', troponin: 'normal' },
  medications: { strongCyp3a4Inducers: ['rifampin'] },
  order: { drug: 'imatinib', dailyDoseMg: 400, status: 'proposed', prednisoneCoTherapy: false },
  treatmentCourse: {
    monthsOnImatinib: 4,
    baseline: { serumTryptaseNgMl: 120, urinaryNMethylhistamine: 410, boneMarrowMastCellPercent: 30 },
    current: { serumTryptaseNgMl: 80, urinaryNMethylhistamine: 250, boneMarrowMastCellPercent: 20 },
    skinLesions: 'improved',
    hepatosplenomegaly: 'unchanged',
    symptoms: 'improved',
  },
};

function leaves(node: EvaluatedCondition): EvaluatedCondition[] {
  return 'conditions' in node ? node.conditions.flatMap(leaves) : [node];
}

describe('evaluate()', () => {
  it('accepts the contract example and answers with a result that matches the published schema', async () => {
    const result = await evaluate(contractExample);

    expect(validResult(result), JSON.stringify(validResult.errors)).toBe(true);
  });

  it('orders findings critical, then warning, then info', async () => {
    const result = await evaluate(withFacts({ patient: { pregnant: true }, molecular: { kitD816V: 'detected' }, order: { status: 'proposed' } }));
    const ranks = result.findings.map((f) => ({ critical: 0, warning: 1, info: 2 })[f.indicator]);

    expect(result.findings[0]?.ruleId).toBe('pregnancy-embryofetal-toxicity');
    expect(ranks).toEqual([...ranks].sort());
  });

  it('gives byte-identical output for the same facts, whatever ran in between', async () => {
    const first = JSON.stringify(await evaluate(contractExample));
    await evaluate(withFacts({ molecular: { kitD816V: 'unknown' } }));
    const second = JSON.stringify(await evaluate(structuredClone(contractExample)));

    expect(second).toBe(first);
  });

  it('does not change the facts it is given', async () => {
    const facts = structuredClone(contractExample);

    await evaluate(facts);

    expect(facts).toEqual(contractExample);
  });

  it('explains a finding with the facts it read and the evaluated condition tree', async () => {
    const result = await evaluate(withFacts({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: undefined, order: { status: 'proposed' } }));
    const finding = result.findings.find((f) => f.ruleId === 'eosinophilia-cardiac-screen')!;

    expect(finding.rationale.text).toContain('Absolute eosinophil count is at least 1500/uL (labs.eosinophilsPerMicroliter = 1800)');
    expect(finding.rationale.text).toContain('No echocardiogram is recorded');
    expect(finding.rationale.facts).toMatchObject({
      'order.drug': 'imatinib',
      'labs.eosinophilsPerMicroliter': 1800,
      'molecular.fip1l1Pdgfra': 'not-detected',
      'order.status': 'proposed',
      'cardiac.echocardiogram': null,
      'cardiac.troponin': null,
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

  it('reports the inputs of a derived fact, and the derived value, for a response finding', async () => {
    const result = await evaluate(contractExample);
    const finding = result.findings.find((f) => f.ruleId === 'response-tryptase')!;

    expect(finding.rationale.facts).toMatchObject({
      'treatmentCourse.baseline.serumTryptaseNgMl': 120,
      'treatmentCourse.current.serumTryptaseNgMl': 80,
    });
    expect(leaves(finding.rationale.conditions)).toContainEqual(
      expect.objectContaining({ fact: 'percentFallFromBaseline', params: { measure: 'serumTryptaseNgMl' }, expected: 20, result: true }),
    );
  });

  it('reads the outcomes of the endpoint rules for the multi-endpoint finding', async () => {
    const finding = (await evaluate(contractExample)).findings.find((f) => f.ruleId === 'response-multi-endpoint')!;

    expect(finding.rationale.facts).toMatchObject({ 'ruleOutcomes.response-tryptase': 'fired', 'ruleOutcomes.response-organomegaly': 'not-fired' });
  });

  it('lists a missing fact once, with every rule it left undecided, as in the contract example', async () => {
    const result = await evaluate({ molecular: { fip1l1Pdgfra: 'not-detected' } });

    expect(result.missingFacts).toContainEqual({ fact: 'molecular.kitD816V', neededBy: ['kit-d816v-caveat', 'kit-d816v-negative-candidate'] });
    expect(result.findings.map((f) => f.ruleId)).toEqual(['kit-status-unknown']);
  });

  it('does not ask for order or treatment facts when there is no order and no treatment course', async () => {
    const result = await evaluate({ molecular: { kitD816V: 'detected' } });

    expect(result.missingFacts.map((m) => m.fact).filter((f) => f.startsWith('order.') || f.startsWith('treatmentCourse'))).toEqual([]);
  });

  it('carries the suggested dose change of the FIP1L1-PDGFRA starting-dose finding', async () => {
    const result = await evaluate(withFacts({ molecular: { fip1l1Pdgfra: 'detected' } }));
    const finding = result.findings.find((f) => f.ruleId === 'fip1l1-pdgfra-starting-dose')!;

    expect(finding.suggestedActions).toEqual([expect.objectContaining({ kind: 'set-daily-dose', dailyDoseMg: 100 })]);
  });

  it('cites at least one source, with a PubMed id or a label URL, in every finding', async () => {
    const result = await evaluate(contractExample);

    for (const finding of result.findings) {
      expect(finding.evidence.length, finding.ruleId).toBeGreaterThan(0);
      for (const evidence of finding.evidence) expect(evidence.pmid !== null || evidence.url.startsWith('https://')).toBe(true);
    }
  });

  it('names the knowledge base with the digest of the rule files it was built from', async () => {
    const result = await evaluate({});

    expect(result.knowledgeBase).toEqual({ id: 'imatinib-sm', version: '1.0.0', digest: digestOf(path.resolve(import.meta.dirname, '../../rules')) });
    expect(knowledgeBaseInfo.digest).toBe(result.knowledgeBase.digest);
  });

  it('rejects invalid facts with an error naming each field', async () => {
    const attempt = evaluate({ molecular: { kitD816v: 'detected' } } as unknown as PatientFacts);

    await expect(attempt).rejects.toBeInstanceOf(InvalidPatientFactsError);
    await expect(attempt).rejects.toMatchObject({ problems: [{ path: '$.molecular.kitD816v' }] });
  });
});
