import type { Observation, Quantity } from 'fhir/r4';
import { INTERPRETATION, SYSTEM, type LabCodes } from './codes.js';
import { readingAbove, readingBelow, readingOf, scaled, type Reading } from './comparators.js';
import { codesOf, codings, systemOf, timeOf } from './resources.js';
import { ucumOf, unitFactor } from './units.js';

/**
 * Reading results: which one counts (final, current, most recent), in which unit, and what its
 * reference range or interpretation says (facts.md, From FHIR). Whatever cannot be read with
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

/** A counted result and when it was taken (-Infinity when the record does not say: older than any window). */
export interface TimedResult {
  observation: Observation;
  at: number;
}

/** The record's counted results by code, built once per call: `results(group)` gives a group's, newest first. */
export interface ObservationIndex {
  results(group: LabCodes): readonly TimedResult[];
}

/**
 * Indexes the final (or amended, corrected) results by their LOINC codes, every coding counted under
 * its URI or OID, so each fact looks up its own codes instead of scanning the whole record again (a
 * record may hold 10,000 results, and a call may check 100 orders). A result without any time sorts
 * as the oldest: it is never current, but a variant result still counts.
 */
export function indexObservations(observations: readonly Observation[]): ObservationIndex {
  const byCode = new Map<string, TimedResult[]>();
  for (const observation of observations) {
    if (!FINAL_STATUSES.includes(observation.status)) continue;
    const at = effectiveTime(observation) ?? -Infinity;
    for (const code of new Set(codesOf(observation.code, SYSTEM.loinc))) {
      const list = byCode.get(code) ?? [];
      list.push({ observation, at });
      byCode.set(code, list);
    }
  }
  const memo = new Map<LabCodes, TimedResult[]>();
  return {
    results(group) {
      const known = memo.get(group);
      if (known) return known;
      const merged = [...new Set(group.loinc.flatMap((code) => byCode.get(code) ?? []))].sort((a, b) =>
        a.at === b.at ? 0 : b.at > a.at ? 1 : -1,
      );
      memo.set(group, merged);
      return merged;
    },
  };
}

/**
 * The most recent result of the group not dated after `now`, if it was taken within `days` of it:
 * an older one says nothing about today, so the fact stays unknown (never an older value instead).
 */
export function currentResult(index: ObservationIndex, group: LabCodes, now: Date, days = CURRENT_DAYS): Observation | undefined {
  const latest = index.results(group).find((r) => r.at <= now.getTime());
  return latest !== undefined && now.getTime() - latest.at <= days * DAY_MS ? latest.observation : undefined;
}

/** A finite number within [min, max], or undefined. */
export const inRange = (value: number | undefined, min: number, max = Number.MAX_VALUE): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= min && value <= max ? value : undefined;

/** A reading rounded to 6 decimals (a converted 1.8 K/uL is 1800, not 1800.0000000000002), finite and not negative. */
function cleaned(reading: Reading): Reading | undefined {
  const value = inRange(Number(reading.value.toFixed(6)), 0);
  return value === undefined ? undefined : { ...reading, value };
}

/**
 * A quantity in the UCUM unit `unit`: its unit read as a UCUM code (units.ts) and converted by the
 * UCUM library's factor; a unit of another kind, or one not known, leaves it unknown.
 */
export function readingIn(quantity: Quantity | undefined, unit: string): Reading | undefined {
  const reading = readingOf(quantity);
  const from = ucumOf(quantity);
  const factor = from === undefined ? undefined : unitFactor(from, unit);
  return reading === undefined || factor === undefined ? undefined : cleaned(scaled(reading, factor));
}

/**
 * A range bound in the result's own unit: a bound without a unit takes the value's; a bound in
 * another unit of the same kind is converted (mg/L into mg/dL); anything else is not read.
 */
function boundInValueUnit(bound: Quantity | undefined, value: Quantity | undefined): number | undefined {
  if (bound?.value === undefined || bound.comparator !== undefined || !Number.isFinite(bound.value)) return undefined;
  const boundUnit = bound.code ?? bound.unit;
  const valueUnit = value?.code ?? value?.unit;
  if (boundUnit === undefined || boundUnit === valueUnit) return bound.value;
  const [from, to] = [ucumOf(bound), ucumOf(value)];
  const factor = from === undefined || to === undefined ? undefined : unitFactor(from, to);
  return factor === undefined ? undefined : bound.value * factor;
}

/** The result's own upper limit of normal, in the result's unit; a range given only as text has none. */
function upperLimit(observation: Observation): number | undefined {
  const high = observation.referenceRange?.find((r) => r.high?.value !== undefined)?.high;
  const limit = boundInValueUnit(high, observation.valueQuantity);
  return limit !== undefined && limit > 0 ? limit : undefined;
}

function lowerLimit(observation: Observation): number | undefined {
  const low = observation.referenceRange?.find((r) => r.low?.value !== undefined)?.low;
  return boundInValueUnit(low, observation.valueQuantity);
}

/** The result divided by the upper limit of normal of its own reference range (a bounded result stays bounded); no range, no ratio. */
export function timesUpperLimit(observation: Observation | undefined): Reading | undefined {
  const reading = readingOf(observation?.valueQuantity);
  const limit = observation && upperLimit(observation);
  return reading === undefined || limit === undefined ? undefined : cleaned(scaled(reading, 1 / limit));
}

export type Interpretation = 'normal' | 'high' | 'low' | 'abnormal';

/** What the result's interpretation codes say, or undefined when it has none this mapping knows. */
export function interpretationOf(observation: Observation): Interpretation | undefined {
  const codes = (observation.interpretation ?? [])
    .flatMap(codings)
    .filter((c) => systemOf(c.system) === SYSTEM.interpretation)
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
  const reading = readingOf(observation.valueQuantity);
  const limit = upperLimit(observation);
  return reading === undefined || limit === undefined ? undefined : readingAbove(reading, limit);
}

/** Below its reference range (true), within or above it (false), or unknown: by interpretation first. */
export function belowRange(observation: Observation): boolean | undefined {
  const said = interpretationOf(observation);
  if (said === 'low' || said === 'abnormal') return true;
  if (said === 'normal' || said === 'high') return false;
  const reading = readingOf(observation.valueQuantity);
  const limit = lowerLimit(observation);
  return reading === undefined || limit === undefined ? undefined : readingBelow(reading, limit);
}
