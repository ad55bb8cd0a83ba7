import type { Quantity } from 'fhir/r4';
import comparisons from './generated/fact-comparisons.json' with { type: 'json' };
import { lookup } from './lookup.js';

/**
 * Results reported with a comparator (`<0.1`, `>=1500`): facts.md, From FHIR (v3). The facts carry
 * plain numbers, so a bounded result is passed on as its bound only where that cannot change an
 * answer: when, for every comparison the rules make of the fact (generated/fact-comparisons.json,
 * written from the rule files by `npm run generate`), the bound decides exactly as every value the
 * result allows would. Neutrophils `<500`/uL are below 1000 whatever their value; tryptase `<20`
 * against a threshold of 11.4 is not settled, and stays unknown.
 */

export type Comparator = NonNullable<Quantity['comparator']>;

/** A result's value, with the comparator it was reported with (none: the value itself). */
export interface Reading {
  value: number;
  comparator?: Comparator;
}

const COMPARATORS: readonly string[] = ['<', '<=', '>', '>='];

/** The reading of a quantity's value and comparator; undefined for a comparator FHIR R4 does not define. */
export function readingOf(quantity: Pick<Quantity, 'value' | 'comparator'> | undefined): Reading | undefined {
  if (quantity?.value === undefined || !Number.isFinite(quantity.value)) return undefined;
  if (quantity.comparator === undefined) return { value: quantity.value };
  return COMPARATORS.includes(quantity.comparator) ? { value: quantity.value, comparator: quantity.comparator } : undefined;
}

/** The values a reading allows: from `low` to `high`, each end in or out. Facts are never negative. */
interface Interval {
  low: number;
  lowIn: boolean;
  high: number;
  highIn: boolean;
}

function intervalOf({ value, comparator }: Reading): Interval {
  switch (comparator) {
    case '<':
      return { low: 0, lowIn: true, high: value, highIn: false };
    case '<=':
      return { low: 0, lowIn: true, high: value, highIn: true };
    case '>':
      return { low: value, lowIn: false, high: Infinity, highIn: false };
    case '>=':
      return { low: value, lowIn: true, high: Infinity, highIn: false };
    default:
      return { low: value, lowIn: true, high: value, highIn: true };
  }
}

type Comparison = { operator: string; value?: number };

/** What a comparison says of every value of the interval: always true, always false, or undefined (it depends). */
function overInterval({ operator, value: t }: Comparison, i: Interval): boolean | undefined {
  if (t === undefined) return undefined;
  const below = i.high < t || (i.high === t && !i.highIn); // every value < t
  const atMost = i.high <= t; // every value <= t
  const above = i.low > t || (i.low === t && !i.lowIn); // every value > t
  const atLeast = i.low >= t; // every value >= t
  switch (operator) {
    case 'lessThan':
      return below ? true : atLeast ? false : undefined;
    case 'lessThanInclusive':
      return atMost ? true : above ? false : undefined;
    case 'greaterThan':
      return above ? true : atMost ? false : undefined;
    case 'greaterThanInclusive':
      return atLeast ? true : below ? false : undefined;
    default:
      return undefined;
  }
}

const AT_POINT: Readonly<Record<string, (v: number, t: number) => boolean>> = {
  lessThan: (v, t) => v < t,
  lessThanInclusive: (v, t) => v <= t,
  greaterThan: (v, t) => v > t,
  greaterThanInclusive: (v, t) => v >= t,
};

const atPoint = ({ operator, value: t }: Comparison, v: number) =>
  t === undefined ? undefined : lookup(AT_POINT, operator)?.(v, t);

const COMPARISONS = comparisons as Readonly<Record<string, readonly Comparison[]>>;

/**
 * The number to give `fact` for a reading: its value when it has no comparator; its bound when every
 * comparison the rules make of the fact comes out the same on the bound as on every value the
 * reading allows; otherwise undefined (the fact is unknown, and reported missing).
 */
export function settledValue(reading: Reading | undefined, fact: string): number | undefined {
  if (reading === undefined) return undefined;
  if (reading.comparator === undefined) return reading.value;
  const interval = intervalOf(reading);
  const settled = (lookup(COMPARISONS, fact) ?? []).every((comparison) => {
    const always = overInterval(comparison, interval);
    return always !== undefined && atPoint(comparison, reading.value) === always;
  });
  return settled ? reading.value : undefined;
}

/** A reading multiplied by a positive factor (a unit conversion, a ratio to a limit): the comparator stays. */
export const scaled = (reading: Reading, factor: number): Reading => ({ ...reading, value: reading.value * factor });

/**
 * Whether a reading is above `limit` (true), at or below it (false), or unknown: a bounded reading
 * decides only when its bound settles it (`<0.01` against 0.04 is not above).
 */
export function readingAbove(reading: Reading, limit: number): boolean | undefined {
  return overInterval({ operator: 'greaterThan', value: limit }, intervalOf(reading));
}

/** Whether a reading is below `limit` (true), at or above it (false), or unknown. */
export function readingBelow(reading: Reading, limit: number): boolean | undefined {
  return overInterval({ operator: 'lessThan', value: limit }, intervalOf(reading));
}
