import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import type { EvaluationResult, PatientFacts } from '../../functions/core/types.js';
import { quietPatient, withFacts } from '../support/facts.js';

/**
 * Fire / no-fire / undecided cases for every rule of shared/spec/knowledge-base.md, with values on
 * each side of every threshold. Each case starts from `quietPatient` and changes what it names.
 */

type Expected = 'fires' | 'no' | 'undecided';

function outcome(result: EvaluationResult, ruleId: string): Expected {
  if (result.findings.some((f) => f.ruleId === ruleId)) return 'fires';
  if (result.missingFacts.some((m) => m.neededBy.includes(ruleId))) return 'undecided';
  return 'no';
}

type Case = [description: string, facts: PatientFacts, expected: Expected];

const mol = (molecular: object) => withFacts({ molecular });
const proposed = (patch: object) => withFacts({ order: { status: 'proposed' }, ...patch });
const crcl = (creatinineClearanceMlMin: number | undefined, dailyDoseMg = 400) =>
  withFacts({ patient: { creatinineClearanceMlMin }, order: { dailyDoseMg } });

/** On imatinib for 4 months, every endpoint evaluable and none improved. */
const course = (patch: object = {}) =>
  withFacts({
    treatmentCourse: withFacts(patch, {
      monthsOnImatinib: 4,
      baseline: { serumTryptaseNgMl: 100, urinaryNMethylhistamine: 400, boneMarrowMastCellPercent: 30 },
      current: { serumTryptaseNgMl: 100, urinaryNMethylhistamine: 400, boneMarrowMastCellPercent: 30 },
      skinLesions: 'unchanged',
      hepatosplenomegaly: 'unchanged',
      symptoms: 'unchanged',
    } as PatientFacts),
  });
const tryptase = (baseline: number | undefined, current: number | undefined) =>
  course({ baseline: { serumTryptaseNgMl: baseline }, current: { serumTryptaseNgMl: current } });
/** A course with only skin lesions and symptoms recorded, so exactly `evaluable` endpoints are evaluable. */
const sparseCourse = (patch: object) =>
  withFacts({ treatmentCourse: { monthsOnImatinib: 3, skinLesions: 'absent', hepatosplenomegaly: 'absent', symptoms: 'absent', ...patch } });

const cases: Record<string, Case[]> = {
  'fip1l1-pdgfra-favourable': [
    ['fusion detected', mol({ fip1l1Pdgfra: 'detected' }), 'fires'],
    ['fusion not detected', mol({ fip1l1Pdgfra: 'not-detected' }), 'no'],
    ['fusion status unknown', mol({ fip1l1Pdgfra: 'unknown' }), 'undecided'],
    ['fusion status absent', mol({ fip1l1Pdgfra: undefined }), 'undecided'],
  ],
  'kit-d816v-caveat': [
    ['D816V detected', mol({ kitD816V: 'detected' }), 'fires'],
    ['D816V not detected', mol({ kitD816V: 'not-detected' }), 'no'],
    ['D816V unknown', mol({ kitD816V: 'unknown' }), 'undecided'],
    ['D816V absent', mol({ kitD816V: undefined }), 'undecided'],
  ],
  'kit-status-unknown': [
    ['D816V unknown, fusion not detected', mol({ kitD816V: 'unknown' }), 'fires'],
    ['D816V and fusion both absent', mol({ kitD816V: undefined, fip1l1Pdgfra: undefined }), 'fires'],
    ['D816V and fusion both unknown', mol({ kitD816V: 'unknown', fip1l1Pdgfra: 'unknown' }), 'fires'],
    ['D816V unknown but fusion detected', mol({ kitD816V: 'unknown', fip1l1Pdgfra: 'detected' }), 'no'],
    ['D816V detected', mol({ kitD816V: 'detected' }), 'no'],
    ['D816V not detected', mol({ kitD816V: 'not-detected' }), 'no'],
  ],
  'kit-d816v-negative-candidate': [
    ['D816V not detected, fusion not detected', mol({ kitD816V: 'not-detected' }), 'fires'],
    ['D816V not detected, fusion absent', mol({ kitD816V: 'not-detected', fip1l1Pdgfra: undefined }), 'fires'],
    ['D816V not detected but fusion detected', mol({ fip1l1Pdgfra: 'detected' }), 'no'],
    ['D816V detected', mol({ kitD816V: 'detected' }), 'no'],
    ['D816V unknown, fusion detected (decided by the fusion)', mol({ kitD816V: 'unknown', fip1l1Pdgfra: 'detected' }), 'no'],
    ['D816V unknown, fusion not detected', mol({ kitD816V: 'unknown' }), 'undecided'],
    ['D816V absent', mol({ kitD816V: undefined }), 'undecided'],
  ],
  'kit-imatinib-sensitive-mutation': [
    ['F522C', mol({ kitOtherMutations: ['F522C'] }), 'fires'],
    ['K509I among others', mol({ kitOtherMutations: ['V560G', 'K509I'] }), 'fires'],
    ['other KIT mutation only', mol({ kitOtherMutations: ['V560G'] }), 'no'],
    ['no other KIT mutations', mol({ kitOtherMutations: [] }), 'no'],
    ['other KIT mutations not reported', mol({ kitOtherMutations: undefined }), 'undecided'],
  ],
  'subtype-outside-label': [
    ['ISM', withFacts({ diagnosis: { smSubtype: 'ISM' } }), 'fires'],
    ['SSM', withFacts({ diagnosis: { smSubtype: 'SSM' } }), 'fires'],
    ['SM-AHN', withFacts({ diagnosis: { smSubtype: 'SM-AHN' } }), 'fires'],
    ['MCL', withFacts({ diagnosis: { smSubtype: 'MCL' } }), 'fires'],
    ['ASM', withFacts({ diagnosis: { smSubtype: 'ASM' } }), 'no'],
    ['subtype unknown', withFacts({ diagnosis: { smSubtype: 'unknown' } }), 'undecided'],
    ['no diagnosis', withFacts({ diagnosis: undefined }), 'undecided'],
  ],
  'pregnancy-embryofetal-toxicity': [
    ['pregnant, imatinib ordered', withFacts({ patient: { pregnant: true } }), 'fires'],
    ['not pregnant', withFacts({ patient: { pregnant: false } }), 'no'],
    ['pregnant, no order', withFacts({ patient: { pregnant: true }, order: undefined }), 'no'],
    ['pregnant, another drug ordered', withFacts({ patient: { pregnant: true }, order: { drug: 'dasatinib' } }), 'no'],
    ['pregnancy status absent', withFacts({ patient: { pregnant: undefined } }), 'undecided'],
  ],
  'fip1l1-pdgfra-starting-dose': [
    ['fusion, 400 mg/day', mol({ fip1l1Pdgfra: 'detected' }), 'fires'],
    ['fusion, 100.5 mg/day', withFacts({ molecular: { fip1l1Pdgfra: 'detected' }, order: { dailyDoseMg: 100.5 } }), 'fires'],
    ['fusion, exactly 100 mg/day', withFacts({ molecular: { fip1l1Pdgfra: 'detected' }, order: { dailyDoseMg: 100 } }), 'no'],
    ['no fusion, 400 mg/day', mol({ fip1l1Pdgfra: 'not-detected' }), 'no'],
    ['fusion, no order', withFacts({ molecular: { fip1l1Pdgfra: 'detected' }, order: undefined }), 'no'],
    ['fusion, dose not given', withFacts({ molecular: { fip1l1Pdgfra: 'detected' }, order: { dailyDoseMg: undefined } }), 'undecided'],
    ['fusion status unknown, 400 mg/day', mol({ fip1l1Pdgfra: 'unknown' }), 'undecided'],
  ],
  'trial-regimen-prednisone': [
    ['proposed, no prednisone', proposed({ order: { status: 'proposed', prednisoneCoTherapy: false } }), 'fires'],
    ['proposed, prednisone not recorded', proposed({ order: { status: 'proposed', prednisoneCoTherapy: undefined } }), 'fires'],
    ['proposed, prednisone planned', proposed({}), 'no'],
    ['active, no prednisone', withFacts({ order: { prednisoneCoTherapy: false } }), 'no'],
    ['status not given', withFacts({ order: { status: undefined, prednisoneCoTherapy: false } }), 'undecided'],
  ],
  'eosinophilia-cardiac-screen': [
    ['eosinophils exactly 1500, no echo', proposed({ labs: { eosinophilsPerMicroliter: 1500 }, cardiac: { echocardiogram: undefined } }), 'fires'],
    ['eosinophils 1800, echo not done', proposed({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: { echocardiogram: 'not-done' } }), 'fires'],
    ['fusion, eosinophils absent, troponin not done', proposed({ molecular: { fip1l1Pdgfra: 'detected' }, labs: { eosinophilsPerMicroliter: undefined }, cardiac: { troponin: 'not-done' } }), 'fires'],
    ['eosinophils 1499, no fusion, no cardiac tests', proposed({ labs: { eosinophilsPerMicroliter: 1499 }, cardiac: undefined }), 'no'],
    ['eosinophils 1800, echo and troponin normal', proposed({ labs: { eosinophilsPerMicroliter: 1800 } }), 'no'],
    ['eosinophils 1800, order already active', withFacts({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: undefined }), 'no'],
    ['eosinophils absent, no fusion, no echo', proposed({ labs: { eosinophilsPerMicroliter: undefined }, cardiac: undefined }), 'undecided'],
    ['eosinophils 1800, no cardiac tests, status not given', withFacts({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: undefined, order: { status: undefined } }), 'undecided'],
  ],
  'eosinophilia-cardiac-steroids': [
    ['eosinophils exactly 1500, abnormal echo', proposed({ labs: { eosinophilsPerMicroliter: 1500 }, cardiac: { echocardiogram: 'abnormal' } }), 'fires'],
    ['fusion, troponin elevated', proposed({ molecular: { fip1l1Pdgfra: 'detected' }, cardiac: { troponin: 'elevated' } }), 'fires'],
    ['eosinophils 1800, both normal', proposed({ labs: { eosinophilsPerMicroliter: 1800 } }), 'no'],
    ['eosinophils 1499, no fusion, abnormal echo', proposed({ labs: { eosinophilsPerMicroliter: 1499 }, cardiac: { echocardiogram: 'abnormal' } }), 'no'],
    ['eosinophils 1800, abnormal echo, order active', withFacts({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: { echocardiogram: 'abnormal' } }), 'no'],
    ['eosinophils 1800, no cardiac tests', proposed({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: undefined }), 'undecided'],
    ['eosinophils 1800, echo normal, troponin absent', proposed({ labs: { eosinophilsPerMicroliter: 1800 }, cardiac: { troponin: undefined } }), 'undecided'],
  ],
  'renal-impairment-mild': [
    ['CrCl exactly 40, 601 mg/day', crcl(40, 601), 'fires'],
    ['CrCl 59.9, 800 mg/day', crcl(59.9, 800), 'fires'],
    ['CrCl exactly 60, 800 mg/day', crcl(60, 800), 'no'],
    ['CrCl 39.9, 800 mg/day', crcl(39.9, 800), 'no'],
    ['CrCl 50, exactly 600 mg/day', crcl(50, 600), 'no'],
    ['CrCl absent', crcl(undefined, 800), 'undecided'],
    ['CrCl 50, dose not given', withFacts({ patient: { creatinineClearanceMlMin: 50 }, order: { dailyDoseMg: undefined } }), 'undecided'],
  ],
  'renal-impairment-moderate': [
    ['CrCl exactly 20', crcl(20), 'fires'],
    ['CrCl 39.9', crcl(39.9), 'fires'],
    ['CrCl exactly 40', crcl(40), 'no'],
    ['CrCl 19.9', crcl(19.9), 'no'],
    ['CrCl absent', crcl(undefined), 'undecided'],
  ],
  'renal-impairment-severe': [
    ['CrCl 19.9', crcl(19.9), 'fires'],
    ['CrCl 0', crcl(0), 'fires'],
    ['CrCl exactly 20', crcl(20), 'no'],
    ['CrCl absent', crcl(undefined), 'undecided'],
  ],
  'hepatic-impairment-severe': [
    ['severe', withFacts({ patient: { hepaticImpairment: 'severe' } }), 'fires'],
    ['moderate', withFacts({ patient: { hepaticImpairment: 'moderate' } }), 'no'],
    ['unknown', withFacts({ patient: { hepaticImpairment: 'unknown' } }), 'undecided'],
    ['absent', withFacts({ patient: { hepaticImpairment: undefined } }), 'undecided'],
  ],
  'strong-cyp3a4-inducer': [
    ['rifampin', withFacts({ medications: { strongCyp3a4Inducers: ['rifampin'] } }), 'fires'],
    ['none', withFacts({ medications: { strongCyp3a4Inducers: [] } }), 'no'],
    ['not reported', withFacts({ medications: undefined }), 'undecided'],
  ],
  'baseline-monitoring': [
    ['proposed order', proposed({}), 'fires'],
    ['active order', withFacts({}), 'no'],
    ['no order', withFacts({ order: undefined }), 'no'],
    ['status not given', withFacts({ order: { status: undefined } }), 'undecided'],
  ],
  'response-tryptase': [
    ['100 -> 79.9 (20.1% fall)', tryptase(100, 79.9), 'fires'],
    ['120 -> 95.9', tryptase(120, 95.9), 'fires'],
    ['1e307 -> 0 (huge, yet valid)', tryptase(1e307, 0), 'fires'],
    ['100 -> 80 (exactly 20%)', tryptase(100, 80), 'no'],
    ['120 -> 96 (exactly 20%)', tryptase(120, 96), 'no'],
    ['100 -> 130 (rise)', tryptase(100, 130), 'no'],
    ['0 -> 0', tryptase(0, 0), 'no'],
    ['baseline missing', tryptase(undefined, 50), 'undecided'],
    ['current missing', tryptase(100, undefined), 'undecided'],
    ['no treatment course', withFacts({}), 'no'],
  ],
  'response-n-methylhistamine': [
    ['410 -> 409', course({ baseline: { urinaryNMethylhistamine: 410 }, current: { urinaryNMethylhistamine: 409 } }), 'fires'],
    ['410 -> 410', course({ baseline: { urinaryNMethylhistamine: 410 }, current: { urinaryNMethylhistamine: 410 } }), 'no'],
    ['410 -> 500', course({ baseline: { urinaryNMethylhistamine: 410 }, current: { urinaryNMethylhistamine: 500 } }), 'no'],
    ['current missing', course({ current: { urinaryNMethylhistamine: undefined } }), 'undecided'],
  ],
  'response-bone-marrow': [
    ['30% -> 29%', course({ current: { boneMarrowMastCellPercent: 29 } }), 'fires'],
    ['30% -> 30%', course({}), 'no'],
    ['30% -> 35%', course({ current: { boneMarrowMastCellPercent: 35 } }), 'no'],
    ['baseline missing', course({ baseline: { boneMarrowMastCellPercent: undefined } }), 'undecided'],
  ],
  'response-skin': [
    ['improved', course({ skinLesions: 'improved' }), 'fires'],
    ['unchanged', course({ skinLesions: 'unchanged' }), 'no'],
    ['worsened', course({ skinLesions: 'worsened' }), 'no'],
    ['absent at baseline', course({ skinLesions: 'absent' }), 'no'],
    ['not recorded', course({ skinLesions: undefined }), 'undecided'],
  ],
  'response-organomegaly': [
    ['improved', course({ hepatosplenomegaly: 'improved' }), 'fires'],
    ['worsened', course({ hepatosplenomegaly: 'worsened' }), 'no'],
    ['absent at baseline', course({ hepatosplenomegaly: 'absent' }), 'no'],
    ['not recorded', course({ hepatosplenomegaly: undefined }), 'undecided'],
  ],
  'response-symptoms': [
    ['improved', course({ symptoms: 'improved' }), 'fires'],
    ['unchanged', course({ symptoms: 'unchanged' }), 'no'],
    ['absent at baseline', course({ symptoms: 'absent' }), 'no'],
    ['not recorded', course({ symptoms: undefined }), 'undecided'],
  ],
  'response-multi-endpoint': [
    ['two endpoints improved', course({ skinLesions: 'improved', symptoms: 'improved' }), 'fires'],
    ['tryptase and bone marrow improved', course({ current: { serumTryptaseNgMl: 50, boneMarrowMastCellPercent: 20 } }), 'fires'],
    ['one endpoint improved', course({ symptoms: 'improved' }), 'no'],
    ['no treatment course', withFacts({}), 'no'],
  ],
  'response-none': [
    ['exactly 3 months, 2 evaluable, none improved', sparseCourse({ skinLesions: 'unchanged', symptoms: 'worsened' }), 'fires'],
    ['4 months, 6 evaluable, none improved', course({}), 'fires'],
    ['2.9 months, none improved', course({ monthsOnImatinib: 2.9 }), 'no'],
    ['3 months, 1 evaluable, none improved', sparseCourse({ skinLesions: 'unchanged' }), 'no'],
    ['4 months, one endpoint improved', course({ symptoms: 'improved' }), 'no'],
    ['months on imatinib not given', course({ monthsOnImatinib: undefined }), 'undecided'],
  ],
  'response-reassess-due': [
    ['3 months, 1 evaluable', sparseCourse({ skinLesions: 'unchanged' }), 'fires'],
    ['3 months, nothing evaluable', sparseCourse({}), 'fires'],
    ['3 months, 2 evaluable', sparseCourse({ skinLesions: 'unchanged', symptoms: 'improved' }), 'no'],
    ['2.9 months, nothing evaluable', sparseCourse({ monthsOnImatinib: 2.9 }), 'no'],
    ['months on imatinib not given', sparseCourse({ monthsOnImatinib: undefined }), 'undecided'],
  ],
};

/** The rule ids of shared/spec/knowledge-base.md (v1), which clients and tests rely on. */
const SPEC_RULE_IDS = [
  'fip1l1-pdgfra-favourable', 'kit-d816v-caveat', 'kit-status-unknown', 'kit-d816v-negative-candidate',
  'kit-imatinib-sensitive-mutation', 'subtype-outside-label', 'fip1l1-pdgfra-starting-dose', 'trial-regimen-prednisone',
  'eosinophilia-cardiac-screen', 'eosinophilia-cardiac-steroids', 'pregnancy-embryofetal-toxicity', 'renal-impairment-mild',
  'renal-impairment-moderate', 'renal-impairment-severe', 'hepatic-impairment-severe', 'strong-cyp3a4-inducer',
  'baseline-monitoring', 'response-tryptase', 'response-n-methylhistamine', 'response-bone-marrow', 'response-skin',
  'response-organomegaly', 'response-symptoms', 'response-multi-endpoint', 'response-none', 'response-reassess-due',
];

describe('knowledge base rules', () => {
  it('has a case table for exactly the rule ids of the spec', () => {
    expect(Object.keys(cases).sort()).toEqual([...SPEC_RULE_IDS].sort());
  });

  it('tests every rule both ways: at least one case that fires and one that does not', () => {
    for (const [ruleId, table] of Object.entries(cases)) {
      const expectations = new Set(table.map(([, , expected]) => expected));
      expect(expectations.has('fires'), ruleId).toBe(true);
      expect(expectations.has('no'), ruleId).toBe(true);
    }
  });

  it('finds nothing to check or to report missing in the quiet patient but the KIT D816V-negative finding', async () => {
    const result = await evaluate(quietPatient);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['kit-d816v-negative-candidate']);
    expect(result.missingFacts).toEqual([]);
  });

  for (const [ruleId, table] of Object.entries(cases)) {
    describe(ruleId, () => {
      const rows = table.map(([description, facts, expected]) => [description, expected, facts] as const);
      it.each(rows)('%s: %s', async (_description, expected, facts) => {
        expect(outcome(await evaluate(facts), ruleId)).toBe(expected);
      });
    });
  }
});

describe('README', () => {
  it('lists every rule id', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

    for (const id of SPEC_RULE_IDS) expect(readme, id).toContain(`\`${id}\``);
  });
});
