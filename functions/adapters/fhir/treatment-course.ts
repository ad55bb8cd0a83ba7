import type { Observation } from 'fhir/r4';
import type { EndpointMeasures, PatientFacts } from '../../core/index.js';
import { HISTORY, type LabCodes } from './codes.js';
import { effectiveTime, finalResults, inRange, inUnits, unitOf } from './observations.js';
import type { courseStart } from './medications.js';
import { codings } from './resources.js';

/**
 * The treatment course from the record (knowledge-base spec, Response): how long the patient has
 * been on imatinib, and the trial's measured endpoints before and since the start. Skin lesions,
 * liver and spleen size and symptoms are not coded in a way this mapping can read; they stay
 * unknown, and the answer asks for them.
 */

/** A baseline counts if taken within this many days before the start (or on its day, for a start given as a date). */
const BASELINE_WINDOW_DAYS = 90;
/** A current value counts if taken after the start and within this many days of the call. */
const CURRENT_WINDOW_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The mean length of a month, so that 12 months is a year. */
const MONTH_MS = (365.25 / 12) * DAY_MS;

type Measure = keyof EndpointMeasures;

/**
 * What makes two results the same measure: their code, and their unit unless the fact has a unit to
 * convert them to (tryptase in ng/mL and in ug/L compare; N-methylhistamine in two units never does).
 */
const kindOf = (o: Observation, group: LabCodes) =>
  `${codings(o.code).find((c) => c.code)?.code ?? ''} ${Object.keys(group.units).length > 0 ? '' : (unitOf(o.valueQuantity) ?? '')}`;

/** A result's value in the fact's unit (or as given, for a measure compared only with itself). */
function valueOf(observation: Observation | undefined, group: LabCodes): number | undefined {
  const quantity = observation?.valueQuantity;
  if (quantity?.value === undefined) return undefined;
  const value = Object.keys(group.units).length === 0 ? inRange(quantity.value, 0) : inUnits(quantity, group.units);
  return value !== undefined && value <= (group.max ?? Number.MAX_VALUE) ? value : undefined;
}

/**
 * Baseline and current values of one measure: the latest result after the start (within the
 * current window) and the latest on or before the start (within the baseline window) of the same
 * kind, or of any kind when there is no current one.
 */
function measure(
  observations: readonly Observation[],
  group: LabCodes,
  start: CourseStart,
  now: number,
): { baseline?: number; current?: number } {
  const results = finalResults(observations, group);
  const current = results.find(
    (o) =>
      effectiveTime(o)! > start.baselineThrough &&
      effectiveTime(o)! <= now &&
      now - effectiveTime(o)! <= CURRENT_WINDOW_DAYS * DAY_MS,
  );
  const baseline = results.find(
    (o) =>
      effectiveTime(o)! <= start.baselineThrough &&
      start.at - effectiveTime(o)! <= BASELINE_WINDOW_DAYS * DAY_MS &&
      (current === undefined || kindOf(o, group) === kindOf(current, group)),
  );
  const out: { baseline?: number; current?: number } = {};
  const b = valueOf(baseline, group);
  const c = valueOf(current, group);
  if (b !== undefined) out.baseline = b;
  if (c !== undefined) out.current = c;
  return out;
}

type CourseStart = NonNullable<ReturnType<typeof courseStart>>;

/** The treatment course since `start` (courseStart), or undefined when no start is known. */
export function treatmentCourseOf(
  observations: readonly Observation[],
  start: CourseStart | undefined,
  now: Date,
): PatientFacts['treatmentCourse'] {
  if (start === undefined || start.at > now.getTime()) return undefined;
  const baseline: EndpointMeasures = {};
  const current: EndpointMeasures = {};
  for (const [name, group] of Object.entries(HISTORY) as [Measure, LabCodes][]) {
    const values = measure(observations, group, start, now.getTime());
    if (values.baseline !== undefined) baseline[name] = values.baseline;
    if (values.current !== undefined) current[name] = values.current;
  }
  return {
    monthsOnImatinib: Math.floor(((now.getTime() - start.at) / MONTH_MS) * 10) / 10,
    ...(Object.keys(baseline).length > 0 ? { baseline } : {}),
    ...(Object.keys(current).length > 0 ? { current } : {}),
  };
}
