import fc from 'fast-check';
import type { EndpointMeasures, PatientFacts } from '../../functions/core/types.js';
import { aroundThresholds, namedKitVariants, valueSetNames } from './rule-values.js';

/**
 * Valid PatientFacts for property tests: every section and field optional, values clustered on
 * both sides of every threshold of the rule files, value sets including "unknown" where the
 * contract allows it. Beside the values chosen here by hand, the thresholds, drugs and KIT variants
 * of the rule files themselves (rule-values.ts), so that a rule added to rules/ is reached too.
 */

/** Mostly the values at and around `points`, sometimes any number in [min, max]. */
function near(points: number[], min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...points) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) },
  );
}

/** `near` the hand-picked points and both sides of each threshold the rules give the fact at `dottedPath`. */
function nearRules(dottedPath: string, points: number[], min: number, max: number): fc.Arbitrary<number> {
  const fromRules = aroundThresholds(dottedPath).filter((t) => t >= min && t <= max);
  return near([...new Set([...points, ...fromRules])], min, max);
}

/** Optional keys: fast-check leaves each key out of the object some of the time. */
const optionalRecord = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) => fc.record(model, { requiredKeys: [] });

const detection = fc.constantFrom('detected', 'not-detected', 'unknown' as const);
const endpointChange = fc.constantFrom('improved', 'unchanged', 'worsened', 'absent' as const);

const patient = optionalRecord({
  ageYears: nearRules('patient.ageYears', [0, 12, 17.9, 18, 31, 58, 77, 130], 0, 130),
  sex: fc.constantFrom('female', 'male', 'other', 'unknown' as const),
  pregnant: fc.boolean(),
  reproductivePotential: fc.boolean(),
  creatinineClearanceMlMin: nearRules(
    'patient.creatinineClearanceMlMin',
    [0, 19.9, 19.99, 20, 20.1, 39.9, 39.99, 40, 40.1, 59.9, 59.99, 60, 60.1, 90, 120],
    0,
    200,
  ),
  hepaticImpairment: fc.constantFrom('none', 'mild', 'moderate', 'severe', 'unknown' as const),
});

const diagnosis = optionalRecord({ smSubtype: fc.constantFrom('ISM', 'BMM', 'SSM', 'ASM', 'SM-AHN', 'MCL', 'unknown' as const) });

/** KIT variants in every notation the contract accepts, at and around exon 17 (codons 788-828), and some it cannot read. */
const handPickedKitVariant = fc.constantFrom(
  'F522C', 'K509I', 'V560G', 'del419', 'D816H', 'f522c', 'p.Phe522Cys', 'Phe522Cys', 'p.(K509I)', 'D816V', 'p.Asp816Val',
  'D816Y', 'V788I', 'S828N', 'K787N', 'S829N', 'D816_I817insV', 'V560del', 'c.2447A>T', 'c.2446G>C', 'KIT p.D816V', 'exon 11 deletion',
); // prettier-ignore

const kitVariant = fc.oneof(
  { weight: 3, arbitrary: handPickedKitVariant },
  { weight: 1, arbitrary: fc.constantFrom(...namedKitVariants) },
);

/** Medication names: members of the value sets in several spellings, combinations, and drugs in no set. */
const handPickedMedicationName = fc.constantFrom(
  'rifampin', 'Rifampicin 600 mg', "St. John's Wort", 'carbamazepine', 'phenytoin', 'dexamethasone', 'rifabutin',
  'ketoconazole', 'lopinavir/ritonavir', 'grapefruit juice', 'tacrolimus oral capsule', 'simvastatin', 'hydroquinidine',
  'warfarin sodium', 'levothyroxine', 'liothyronine', 'apixaban', 'metformin', 'omeprazole',
); // prettier-ignore

/** Or any name of a value set of knowledge-base.json: a set first, so that a set of one drug is drawn as often as a large one. */
const medicationName = fc.oneof(
  { weight: 3, arbitrary: handPickedMedicationName },
  { weight: 1, arbitrary: fc.constantFrom(...valueSetNames).chain((names) => fc.constantFrom(...names)) },
);

const molecular = optionalRecord({
  kitD816V: detection,
  kitOtherMutations: fc.array(kitVariant, { maxLength: 3 }),
  fip1l1Pdgfra: detection,
});

const labs = optionalRecord({
  serumTryptaseNgMl: nearRules('labs.serumTryptaseNgMl', [0, 20, 80, 210], 0, 1000),
  eosinophilsPerMicroliter: nearRules(
    'labs.eosinophilsPerMicroliter',
    [0, 300, 1499, 1499.9, 1500, 1500.1, 1501, 4200],
    0,
    10_000,
  ),
  neutrophilsPerMicroliter: nearRules('labs.neutrophilsPerMicroliter', [0, 500, 999, 999.9, 1000, 1000.1, 3200], 0, 20_000),
  plateletsPerMicroliter: nearRules('labs.plateletsPerMicroliter', [0, 20_000, 49_999, 50_000, 50_001, 210_000], 0, 1_000_000),
  bilirubinTimesUln: nearRules('labs.bilirubinTimesUln', [0, 0.8, 2.9, 3, 3.01, 3.1, 10], 0, 50),
  altTimesUln: nearRules('labs.altTimesUln', [0, 1.1, 4.9, 5, 5.01, 8], 0, 50),
  astTimesUln: nearRules('labs.astTimesUln', [0, 0.9, 4.9, 5, 5.01, 8], 0, 50),
});

const cardiac = optionalRecord({
  echocardiogram: fc.constantFrom('normal', 'abnormal', 'not-done' as const),
  troponin: fc.constantFrom('normal', 'elevated', 'not-done' as const),
});

const medications = optionalRecord({
  active: fc.array(medicationName, { maxLength: 3 }),
  strongCyp3a4Inducers: fc.array(fc.constantFrom('rifampin', 'carbamazepine', 'phenytoin', 'dexamethasone'), { maxLength: 2 }),
  // v3: a restart or a first start, and names the record gave without a code that nothing matched
  imatinibBefore: fc.boolean(),
  unidentified: fc.array(fc.constantFrom('rifampine 600', 'Rx compound 12', '<b>herbal</b> tea'), { maxLength: 2 }),
});

const order = fc.record(
  {
    drug: fc.oneof(
      { weight: 6, arbitrary: fc.constant('imatinib') },
      { weight: 1, arbitrary: fc.constantFrom('Imatinib', 'imatinib mesylate', 'Gleevec', 'GLIVEC') },
    ),
    dailyDoseMg: nearRules(
      'order.dailyDoseMg',
      [0.5, 50, 50.1, 99.9, 100, 100.5, 101, 200, 200.5, 400, 400.5, 599.9, 600, 600.5, 601, 800, 800.5, 4000],
      Number.MIN_VALUE,
      5000,
    ),
    status: fc.constantFrom('proposed', 'active' as const),
    startsTherapy: fc.boolean(),
    prednisoneCoTherapy: fc.boolean(),
  },
  { requiredKeys: ['drug'] },
);

type Measure = keyof EndpointMeasures;
type Pair = { baseline?: number; current?: number };

/**
 * Baseline and current of one measure: exact 20% falls (100 -> 80, 120 -> 96), falls a hair
 * either side, no change, rises, a zero baseline, and either value missing.
 */
function measurePair(max: number): fc.Arbitrary<Pair> {
  const exact = fc.constantFrom<[number, number]>(
    [100, 80],
    [120, 96],
    [50, 40],
    [125, 100],
    [10, 8],
    [0.5, 0.4],
    [100, 79.9],
    [100, 80.1],
    [120, 95.9],
    [410, 409],
    [410, 410],
    [410, 500],
    [30, 29],
    [30, 30],
    [0, 0],
    [0, 5],
    [5, 0],
  );
  const scaled = fc
    .tuple(
      near([0, 1, 10, 30, 100, 120, 410], 0, max),
      fc.constantFrom(0, 0.5, 0.79, 0.799, 0.8, 0.801, 0.81, 0.99, 1, 1.01, 1.5),
    )
    .map(([baseline, factor]): [number, number] => [baseline, Math.min(max, baseline * factor)]);
  const any = fc.tuple(fc.double({ min: 0, max, noNaN: true }), fc.double({ min: 0, max, noNaN: true }));
  const values = fc.oneof(exact, scaled, any).map(([b, c]) => [Math.min(b, max), Math.min(c, max)] as const);
  return fc
    .tuple(values, fc.constantFrom('both', 'both', 'both', 'baseline only', 'current only', 'neither'))
    .map(([[baseline, current], present]): Pair => ({
      ...(present === 'both' || present === 'baseline only' ? { baseline } : {}),
      ...(present === 'both' || present === 'current only' ? { current } : {}),
    }));
}

const MEASURES: Measure[] = ['serumTryptaseNgMl', 'urinaryNMethylhistamine', 'boneMarrowMastCellPercent'];

const endpointMeasures = fc
  .tuple(measurePair(1e6), measurePair(1e6), measurePair(100), fc.boolean(), fc.boolean())
  .map(([tryptase, methylhistamine, marrow, keepEmptyBaseline, keepEmptyCurrent]) => {
    const pairs = [tryptase, methylhistamine, marrow];
    const baseline: EndpointMeasures = {};
    const current: EndpointMeasures = {};
    MEASURES.forEach((measure, i) => {
      if (pairs[i]!.baseline !== undefined) baseline[measure] = pairs[i]!.baseline;
      if (pairs[i]!.current !== undefined) current[measure] = pairs[i]!.current;
    });
    return {
      ...(Object.keys(baseline).length > 0 || keepEmptyBaseline ? { baseline } : {}),
      ...(Object.keys(current).length > 0 || keepEmptyCurrent ? { current } : {}),
    };
  });

const treatmentCourse = fc
  .tuple(
    optionalRecord({
      monthsOnImatinib: nearRules('treatmentCourse.monthsOnImatinib', [0, 0.5, 1, 2.9, 2.99, 3, 3.01, 4, 6, 12], 0, 60),
      skinLesions: endpointChange,
      hepatosplenomegaly: endpointChange,
      symptoms: endpointChange,
    }),
    endpointMeasures,
  )
  .map(([course, measures]) => ({ ...course, ...measures }));

/** A valid PatientFacts: every section and field optional. */
export const patientFacts: fc.Arbitrary<PatientFacts> = optionalRecord({
  patient,
  diagnosis,
  molecular,
  labs,
  cardiac,
  medications,
  order,
  treatmentCourse,
});
