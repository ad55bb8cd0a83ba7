/**
 * The 26 rules of rules/*.json written out by hand as plain TypeScript: no json-rules-engine, no
 * promises, one small array per call. It has two jobs:
 *
 * - the performance limit of the bench (scripts/bench.ts): what evaluating this knowledge base costs
 *   when nothing but the logic runs;
 * - the differential oracle of test/core/differential.test.ts: evaluate() must fire exactly these
 *   rules, in this order, for any valid PatientFacts.
 *
 * It is written from the rule files and the README's semantics, not from the core's code, so the two
 * can catch each other out. When a rule file changes, change its function here too (the differential
 * test fails until you do).
 *
 * Semantics (README, "How a rule is written"): a fact is unknown when absent or "unknown"; every
 * comparison on an unknown fact is unknown, and only `known` looks at unknown values. `all`/`any`
 * follow Kleene logic. A rule fires only when its "applies when" and "fires when" are both TRUE.
 */
import type { PatientFacts } from '../../functions/core/types.js';

/** Three-valued truth: null is "unknown". */
type Truth = boolean | null;

/** How a rule came out: the outcomes `countOfRules` counts (functions/core/three-valued.ts). */
type Outcome = 'fired' | 'not-fired' | 'not-applicable' | 'undecided';

// --- Leaves: the operators of functions/core/operators.ts, three-valued --------------------------

const known = (value: unknown): boolean => value !== undefined && value !== null && value !== 'unknown';

const equal = (value: unknown, expected: unknown): Truth => (known(value) ? value === expected : null);
const notEqual = (value: unknown, expected: unknown): Truth => (known(value) ? value !== expected : null);

/** Numeric comparisons are decided on known values; a known value that is not a finite number is false. */
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const lessThan = (value: unknown, limit: number): Truth => (known(value) ? isFiniteNumber(value) && value < limit : null);
const greaterThan = (value: unknown, limit: number): Truth => (known(value) ? isFiniteNumber(value) && value > limit : null);
const atLeast = (value: unknown, limit: number): Truth => (known(value) ? isFiniteNumber(value) && value >= limit : null);

const contains = (list: readonly unknown[] | undefined, item: unknown): Truth =>
  list === undefined ? null : list.includes(item);

// --- Kleene connectives ----------------------------------------------------------------------------

function and(a: Truth, b: Truth, c: Truth = true): Truth {
  if (a === false || b === false || c === false) return false;
  return a === null || b === null || c === null ? null : true;
}

function or(a: Truth, b: Truth, c: Truth = false, d: Truth = false): Truth {
  if (a === true || b === true || c === true || d === true) return true;
  return a === null || b === null || c === null || d === null ? null : false;
}

/** functions/core/three-valued.ts `outcomeOf`, on the two branches' truth. */
function outcomeOf(applies: Truth, fires: Truth): Outcome {
  if (applies === false || fires === false) return applies === true ? 'not-fired' : 'not-applicable';
  return applies === true && fires === true ? 'fired' : 'undecided';
}

/** The `percentFallFromBaseline` derived fact (functions/core/derived-facts.ts). */
function percentFall(baseline: number | undefined, current: number | undefined): number | undefined {
  if (baseline === undefined || current === undefined) return undefined;
  if (baseline === 0) return 0;
  return ((baseline - current) * 100) / baseline;
}

// --- Therapy selection: no "applies when" --------------------------------------------------------

type Molecular = NonNullable<PatientFacts['molecular']>;

/** "FIP1L1-PDGFRA is not detected, or its status is not known". */
const fusionNotDetected = (m: Molecular | undefined): Truth => or(!known(m?.fip1l1Pdgfra), notEqual(m?.fip1l1Pdgfra, 'detected'));

const kitD816vCaveat = (f: PatientFacts) => equal(f.molecular?.kitD816V, 'detected');
const fip1l1PdgfraFavourable = (f: PatientFacts) => equal(f.molecular?.fip1l1Pdgfra, 'detected');
const kitStatusUnknown = (f: PatientFacts) => and(!known(f.molecular?.kitD816V), fusionNotDetected(f.molecular));
const kitD816vNegativeCandidate = (f: PatientFacts) =>
  and(equal(f.molecular?.kitD816V, 'not-detected'), fusionNotDetected(f.molecular));
const kitImatinibSensitiveMutation = (f: PatientFacts) =>
  or(contains(f.molecular?.kitOtherMutations, 'F522C'), contains(f.molecular?.kitOtherMutations, 'K509I'));

const SUBTYPES_OUTSIDE_LABEL: readonly unknown[] = ['ISM', 'SSM', 'SM-AHN', 'MCL'];
const subtypeOutsideLabel = (f: PatientFacts): Truth =>
  known(f.diagnosis?.smSubtype) ? SUBTYPES_OUTSIDE_LABEL.includes(f.diagnosis?.smSubtype) : null;

// --- Order checks: apply when an imatinib order is present (always decided) ------------------

const isImatinibOrdered = (f: PatientFacts): boolean => known(f.order?.drug) && f.order?.drug === 'imatinib';

const proposed = (f: PatientFacts) => equal(f.order?.status, 'proposed');
const highEosinophilBurden = (f: PatientFacts) =>
  or(atLeast(f.labs?.eosinophilsPerMicroliter, 1500), equal(f.molecular?.fip1l1Pdgfra, 'detected'));

const pregnancyEmbryofetalToxicity = (f: PatientFacts) => equal(f.patient?.pregnant, true);
const eosinophiliaCardiacSteroids = (f: PatientFacts) =>
  and(
    highEosinophilBurden(f),
    proposed(f),
    or(equal(f.cardiac?.echocardiogram, 'abnormal'), equal(f.cardiac?.troponin, 'elevated')),
  );
const eosinophiliaCardiacScreen = (f: PatientFacts) =>
  and(
    highEosinophilBurden(f),
    proposed(f),
    or(
      !known(f.cardiac?.echocardiogram),
      equal(f.cardiac?.echocardiogram, 'not-done'),
      !known(f.cardiac?.troponin),
      equal(f.cardiac?.troponin, 'not-done'),
    ),
  );
const fip1l1PdgfraStartingDose = (f: PatientFacts) =>
  and(equal(f.molecular?.fip1l1Pdgfra, 'detected'), greaterThan(f.order?.dailyDoseMg, 100));
const renalImpairmentSevere = (f: PatientFacts) => lessThan(f.patient?.creatinineClearanceMlMin, 20);
const renalImpairmentModerate = (f: PatientFacts) =>
  and(atLeast(f.patient?.creatinineClearanceMlMin, 20), lessThan(f.patient?.creatinineClearanceMlMin, 40));
const renalImpairmentMild = (f: PatientFacts) =>
  and(
    atLeast(f.patient?.creatinineClearanceMlMin, 40),
    lessThan(f.patient?.creatinineClearanceMlMin, 60),
    greaterThan(f.order?.dailyDoseMg, 600),
  );
const hepaticImpairmentSevere = (f: PatientFacts) => equal(f.patient?.hepaticImpairment, 'severe');
const strongCyp3a4Inducer = (f: PatientFacts) => greaterThan(f.medications?.strongCyp3a4Inducers?.length, 0);
const trialRegimenPrednisone = (f: PatientFacts) =>
  and(proposed(f), or(!known(f.order?.prednisoneCoTherapy), equal(f.order?.prednisoneCoTherapy, false)));
const baselineMonitoring = proposed;

// --- Response: apply when a treatment course is present ------------------------------------------

type Course = NonNullable<PatientFacts['treatmentCourse']>;
type Measure = 'serumTryptaseNgMl' | 'urinaryNMethylhistamine' | 'boneMarrowMastCellPercent';

const fallOf = (c: Course, measure: Measure) => percentFall(c.baseline?.[measure], c.current?.[measure]);

/** A numeric endpoint: applies to every course; fires on a fall above `threshold` percent. */
const measuredEndpoint = (c: Course, measure: Measure, threshold: number): Outcome =>
  outcomeOf(true, greaterThan(fallOf(c, measure), threshold));

/** A graded endpoint: does not apply when the finding was absent at baseline; fires when improved. */
const gradedEndpoint = (change: Course['skinLesions']): Outcome =>
  outcomeOf(notEqual(change, 'absent'), equal(change, 'improved'));

/** The six endpoint rules' outcomes, in rule order (tryptase, N-methylhistamine, marrow, skin, organs, symptoms). */
function endpointOutcomes(c: Course): readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome] {
  return [
    measuredEndpoint(c, 'serumTryptaseNgMl', 20),
    measuredEndpoint(c, 'urinaryNMethylhistamine', 0),
    measuredEndpoint(c, 'boneMarrowMastCellPercent', 0),
    gradedEndpoint(c.skinLesions),
    gradedEndpoint(c.hepatosplenomegaly),
    gradedEndpoint(c.symptoms),
  ];
}

const RESPONSE_ENDPOINT_IDS = [
  'response-tryptase',
  'response-n-methylhistamine',
  'response-bone-marrow',
  'response-skin',
  'response-organomegaly',
  'response-symptoms',
] as const;

// --- All rules, in the order evaluate() lists findings ---------------------------------------------

/**
 * The ids of the rules that fire for `facts`, critical first, then warning, then info, each by rule
 * priority (descending) and then id: the order of `evaluate(facts).findings`. Expects valid facts.
 */
export function handwrittenFiredRuleIds(facts: PatientFacts): string[] {
  const fired: string[] = [];
  const ordered = isImatinibOrdered(facts);
  const course = facts.treatmentCourse;

  let endpoints: readonly Outcome[] | undefined;
  let improved = 0;
  let evaluable = 0;
  if (course !== undefined) {
    endpoints = endpointOutcomes(course);
    for (const outcome of endpoints) {
      if (outcome === 'fired') improved++;
      if (outcome === 'fired' || outcome === 'not-fired') evaluable++;
    }
  }
  const threeMonthsOn = course === undefined ? null : atLeast(course.monthsOnImatinib, 3);

  // critical
  if (ordered && pregnancyEmbryofetalToxicity(facts) === true) fired.push('pregnancy-embryofetal-toxicity'); // 890
  if (ordered && eosinophiliaCardiacSteroids(facts) === true) fired.push('eosinophilia-cardiac-steroids'); // 880

  // warning
  if (kitD816vCaveat(facts) === true) fired.push('kit-d816v-caveat'); // 960
  if (ordered && eosinophiliaCardiacScreen(facts) === true) fired.push('eosinophilia-cardiac-screen'); // 870
  if (ordered && renalImpairmentSevere(facts) === true) fired.push('renal-impairment-severe'); // 850
  if (ordered && renalImpairmentModerate(facts) === true) fired.push('renal-impairment-moderate'); // 845
  if (ordered && renalImpairmentMild(facts) === true) fired.push('renal-impairment-mild'); // 840
  if (ordered && hepaticImpairmentSevere(facts) === true) fired.push('hepatic-impairment-severe'); // 830
  if (ordered && strongCyp3a4Inducer(facts) === true) fired.push('strong-cyp3a4-inducer'); // 820
  // response-none (490): >= 3 months, >= 2 endpoints evaluable, none improved
  if (course !== undefined && and(threeMonthsOn, evaluable >= 2, improved === 0) === true) fired.push('response-none');

  // info
  if (fip1l1PdgfraFavourable(facts) === true) fired.push('fip1l1-pdgfra-favourable'); // 950
  if (kitStatusUnknown(facts) === true) fired.push('kit-status-unknown'); // 940
  if (kitD816vNegativeCandidate(facts) === true) fired.push('kit-d816v-negative-candidate'); // 930
  if (kitImatinibSensitiveMutation(facts) === true) fired.push('kit-imatinib-sensitive-mutation'); // 920
  if (subtypeOutsideLabel(facts) === true) fired.push('subtype-outside-label'); // 910
  if (ordered && fip1l1PdgfraStartingDose(facts) === true) fired.push('fip1l1-pdgfra-starting-dose'); // 860
  if (ordered && trialRegimenPrednisone(facts) === true) fired.push('trial-regimen-prednisone'); // 810
  if (ordered && baselineMonitoring(facts) === true) fired.push('baseline-monitoring'); // 700
  if (endpoints !== undefined) {
    // 600 down to 550, in RESPONSE_ENDPOINT_IDS order
    for (let i = 0; i < RESPONSE_ENDPOINT_IDS.length; i++) {
      if (endpoints[i] === 'fired') fired.push(RESPONSE_ENDPOINT_IDS[i]!);
    }
    if (improved >= 2) fired.push('response-multi-endpoint'); // 500
    // response-reassess-due (480): >= 3 months, fewer than 2 endpoints evaluable
    if (and(threeMonthsOn, evaluable < 2) === true) fired.push('response-reassess-due');
  }
  return fired;
}
