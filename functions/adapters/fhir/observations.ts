import type { Observation, Quantity } from 'fhir/r4';
import { INTERPRETATION, SYSTEM, type LabCodes, type UnitFactors } from './codes.js';
import { codings, hasCode, timeOf } from './resources.js';
import { lookup } from './lookup.js';

/**
 * Reading results: which one counts (final, current, most recent), in which unit, and what its
 * reference range or interpretation says (facts.md, "From FHIR"). Whatever cannot be read with
 * certainty is undefined, never a guess.
 */

/** A result counts for `labs` only if taken within this many days of the call (facts.md v2). */
const CURRENT_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;
const FINAL_STATUSES: readonly string[] = ['final', 'amended', 'corrected'];

/** When the result was taken: its effective time (the end of a period), else when it was issued. */
export function effectiveTime(observation: Observation): number | undefined {
  const period = observation.effectivePeriod;
  return timeOf(
    observation.effectiveDateTime ?? observation.effectiveInstant ?? period?.end ?? period?.start ?? observation.issued,
  );
}

/** Final (or amended, corrected) results with one of the group's codes and a known time, newest first. */
export function finalResults(observations: readonly Observation[], group: LabCodes): Observation[] {
  return observations
    .filter(
      (o) => FINAL_STATUSES.includes(o.status) && hasCode(o.code, SYSTEM.loinc, group.loinc) && effectiveTime(o) !== undefined,
    )
    .sort((a, b) => effectiveTime(b)! - effectiveTime(a)!);
}

/**
 * The most recent final result of the group, if it was taken within `days` of `now` (and not after
 * it): an older one says nothing about today, so the fact stays unknown.
 */
export function currentResult(
  observations: readonly Observation[],
  group: LabCodes,
  now: Date,
  days = CURRENT_DAYS,
): Observation | undefined {
  const latest = finalResults(observations, group).find((o) => effectiveTime(o)! <= now.getTime());
  return latest !== undefined && now.getTime() - effectiveTime(latest)! <= days * DAY_MS ? latest : undefined;
}

/** A finite number within [min, max], or undefined. */
export const inRange = (value: number | undefined, min: number, max = Number.MAX_VALUE): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= min && value <= max ? value : undefined;

/** The unit of a quantity: its UCUM code, else its unit text. */
export const unitOf = (quantity: Quantity | undefined) => quantity?.code ?? quantity?.unit;

/** A quantity in the fact's unit, where UCUM gives the factor; any other unit leaves it unknown. */
export function inUnits(quantity: Quantity | undefined, factors: UnitFactors): number | undefined {
  if (quantity?.value === undefined) return undefined;
  const factor = lookup(factors, unitOf(quantity));
  return factor === undefined ? undefined : inRange(Number((quantity.value * factor).toFixed(6)), 0);
}

/** The result's own upper limit of normal, in the result's own unit. */
function upperLimit(observation: Observation): number | undefined {
  const high = observation.referenceRange?.find((r) => r.high?.value !== undefined)?.high;
  const unit = unitOf(observation.valueQuantity);
  return high?.value !== undefined && high.value > 0 && unit !== undefined && unitOf(high) === unit ? high.value : undefined;
}

function lowerLimit(observation: Observation): number | undefined {
  const low = observation.referenceRange?.find((r) => r.low?.value !== undefined)?.low;
  const unit = unitOf(observation.valueQuantity);
  return low?.value !== undefined && unit !== undefined && unitOf(low) === unit ? low.value : undefined;
}

/** The result divided by the upper limit of normal of its own reference range; no range, no ratio. */
export function timesUpperLimit(observation: Observation | undefined): number | undefined {
  const value = observation?.valueQuantity?.value;
  const limit = observation && upperLimit(observation);
  return value === undefined || limit === undefined ? undefined : inRange(Number((value / limit).toFixed(6)), 0);
}

export type Interpretation = 'normal' | 'high' | 'low' | 'abnormal';

/** What the result's interpretation codes say, or undefined when it has none this mapping knows. */
export function interpretationOf(observation: Observation): Interpretation | undefined {
  const codes = (observation.interpretation ?? [])
    .flatMap(codings)
    .filter((c) => c.system === SYSTEM.interpretation)
    .map((c) => c.code ?? '');
  if (codes.some((c) => INTERPRETATION.high.includes(c))) return 'high';
  if (codes.some((c) => INTERPRETATION.low.includes(c))) return 'low';
  if (codes.some((c) => INTERPRETATION.abnormal.includes(c))) return 'abnormal';
  if (codes.some((c) => INTERPRETATION.normal.includes(c))) return 'normal';
  return undefined;
}

/** Above its reference range (true), within or below it (false), or unknown: by interpretation first. */
export function aboveRange(observation: Observation): boolean | undefined {
  const said = interpretationOf(observation);
  if (said === 'high' || said === 'abnormal') return true;
  if (said === 'normal' || said === 'low') return false;
  const value = observation.valueQuantity?.value;
  const limit = upperLimit(observation);
  return value === undefined || limit === undefined ? undefined : value > limit;
}

/** Below its reference range (true), within or above it (false), or unknown: by interpretation first. */
export function belowRange(observation: Observation): boolean | undefined {
  const said = interpretationOf(observation);
  if (said === 'low' || said === 'abnormal') return true;
  if (said === 'normal' || said === 'high') return false;
  const value = observation.valueQuantity?.value;
  const limit = lowerLimit(observation);
  return value === undefined || limit === undefined ? undefined : value < limit;
}
