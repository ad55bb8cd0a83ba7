import type { Observation } from 'fhir/r4';
import type { EndpointMeasures, PatientFacts } from '../../core/index.js';
import { HISTORY, SYSTEM, type LabCodes } from './codes.js';
import { readingOf } from './comparators.js';
import type { ImatinibCourse } from './imatinib-history.js';
import { inRange, readingIn, type ObservationIndex, type TimedResult } from './observations.js';
import { codesOf } from './resources.js';
import { ucumOf } from './units.js';

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
 * What makes two results the same measure: the group's LOINC code it carries (whatever other codes
 * come before it), and its unit unless the fact has a unit to convert to (tryptase in ng/mL and in
 * ug/L compare; N-methylhistamine in two units never does).
 */
const kindOf = (o: Observation, group: LabCodes) =>
  `${codesOf(o.code, SYSTEM.loinc).find((code) => group.loinc.includes(code)) ?? ''} ${group.unit !== undefined ? '' : (ucumOf(o.valueQuantity) ?? o.valueQuantity?.unit ?? '')}`;

/**
 * A result's value in the fact's unit (or as given, for a measure compared only with itself). A
 * bounded result (`<5`) is never a baseline or a current value: a change cannot be measured from it.
 */
function valueOf(observation: Observation | undefined, group: LabCodes): number | undefined {
  const reading =
    group.unit !== undefined ? readingIn(observation?.valueQuantity, group.unit) : readingOf(observation?.valueQuantity);
  if (reading === undefined || reading.comparator !== undefined) return undefined;
  return inRange(reading.value, 0, group.max);
}

/** What the record allows the course to say about its results. */
export interface CourseEvidence {
  index: ObservationIndex;
  /**
   * The time of the oldest result read of the endpoint history when its pages were cut by the
   * bound: results older than this may be missing, so nothing older can be taken as the last
   * before the start. Undefined when the history was read whole.
   */
  historyCutAt?: number;
}

/**
 * Baseline and current values of one measure: the latest result after the start (within the
 * current window) and the latest on or before the start (within the baseline window, after any
 * earlier course, and within what the history holds) of the same kind, or of any kind when there is
 * no current one.
 */
function measure(
  results: readonly TimedResult[],
  group: LabCodes,
  course: ImatinibCourse & { start: NonNullable<ImatinibCourse['start']> },
  now: number,
  historyCutAt: number | undefined,
): { baseline?: number; current?: number } {
  const { start } = course;
  const current = results.find(
    (r) => r.at > start.baselineThrough && r.at <= now && now - r.at <= CURRENT_WINDOW_DAYS * DAY_MS,
  )?.observation;
  const candidate = results.find(
    (r) =>
      r.at <= start.baselineThrough &&
      start.at - r.at <= BASELINE_WINDOW_DAYS * DAY_MS &&
      (current === undefined || kindOf(r.observation, group) === kindOf(current, group)),
  );
  const trusted =
    candidate !== undefined &&
    course.settled &&
    (course.baselineAfter === undefined || candidate.at > course.baselineAfter) &&
    (historyCutAt === undefined || candidate.at >= historyCutAt);
  const out: { baseline?: number; current?: number } = {};
  const b = trusted ? valueOf(candidate.observation, group) : undefined;
  const c = valueOf(current, group);
  if (b !== undefined) out.baseline = b;
  if (c !== undefined) out.current = c;
  return out;
}

/**
 * The treatment course of `course` (imatinibCourse), or undefined when no start is known. Months on
 * imatinib and baselines only when the record settles the start: an unsettled start may be later
 * than the true one, which would make an on-treatment value a "baseline".
 */
export function treatmentCourseOf(evidence: CourseEvidence, course: ImatinibCourse, now: Date): PatientFacts['treatmentCourse'] {
  const { start } = course;
  if (start === undefined || start.at > now.getTime()) return undefined;
  const baseline: EndpointMeasures = {};
  const current: EndpointMeasures = {};
  for (const [name, group] of Object.entries(HISTORY) as [Measure, LabCodes][]) {
    const values = measure(evidence.index.results(group), group, { ...course, start }, now.getTime(), evidence.historyCutAt);
    if (values.baseline !== undefined) baseline[name] = values.baseline;
    if (values.current !== undefined) current[name] = values.current;
  }
  const months = Math.floor(((now.getTime() - start.at) / MONTH_MS) * 10) / 10;
  const treatmentCourse = {
    ...(course.settled ? { monthsOnImatinib: months } : {}),
    ...(Object.keys(baseline).length > 0 ? { baseline } : {}),
    ...(Object.keys(current).length > 0 ? { current } : {}),
  };
  return Object.keys(treatmentCourse).length > 0 ? treatmentCourse : undefined;
}
