import { Operator } from 'json-rules-engine';

/**
 * Operators the knowledge base may use. They replace json-rules-engine's defaults of the same
 * name so that a fact which is absent or "unknown" never satisfies a comparison: stock `notEqual`
 * would call an unknown KIT status "not detected". Only `known` looks at unknown values, so a rule
 * that wants to act on "unknown" has to say so.
 */

/** A value is known when it is present and not the explicit "unknown" of a value set. */
export function isKnown(value: unknown): boolean {
  return value !== undefined && value !== null && value !== 'unknown';
}

const isKnownNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isKnownArray = (value: unknown): boolean => Array.isArray(value);

type Comparison = (factValue: never, expected: never) => boolean;

interface OperatorSpec {
  compare: Comparison;
  accepts: (factValue: unknown) => boolean;
  /** Shape of the value a rule must give: used by the rule-file checks. */
  expects: 'scalar' | 'number' | 'list' | 'boolean';
  /** What the fact must be for the operator to mean anything: used by the rule-file checks. */
  factType?: 'number' | 'list';
}

const specs: Record<string, OperatorSpec> = {
  equal: { compare: (a: unknown, b: unknown) => a === b, accepts: isKnown, expects: 'scalar' },
  notEqual: { compare: (a: unknown, b: unknown) => a !== b, accepts: isKnown, expects: 'scalar' },
  in: { compare: (a: unknown, b: unknown[]) => b.includes(a), accepts: isKnown, expects: 'list' },
  notIn: { compare: (a: unknown, b: unknown[]) => !b.includes(a), accepts: isKnown, expects: 'list' },
  contains: { compare: (a: unknown[], b: unknown) => a.includes(b), accepts: isKnownArray, expects: 'scalar', factType: 'list' },
  doesNotContain: {
    compare: (a: unknown[], b: unknown) => !a.includes(b),
    accepts: isKnownArray,
    expects: 'scalar',
    factType: 'list',
  },
  lessThan: { compare: (a: number, b: number) => a < b, accepts: isKnownNumber, expects: 'number', factType: 'number' },
  lessThanInclusive: { compare: (a: number, b: number) => a <= b, accepts: isKnownNumber, expects: 'number', factType: 'number' },
  greaterThan: { compare: (a: number, b: number) => a > b, accepts: isKnownNumber, expects: 'number', factType: 'number' },
  greaterThanInclusive: {
    compare: (a: number, b: number) => a >= b,
    accepts: isKnownNumber,
    expects: 'number',
    factType: 'number',
  },
  /** Whether a list has items (`true`) or is empty (`false`); unknown when the list is not known. */
  hasItems: {
    compare: (a: unknown[], b: boolean) => a.length > 0 === b,
    accepts: isKnownArray,
    expects: 'boolean',
    factType: 'list',
  },
  /**
   * Whether a number is whole (`true`) or has a fractional part (`false`): a count per microlitre
   * sent as 1.8 was sent in 10^9/L (lab-value-implausible). Unknown when the number is not known.
   */
  wholeNumber: {
    compare: (a: number, b: boolean) => Number.isInteger(a) === b,
    accepts: isKnownNumber,
    expects: 'boolean',
    factType: 'number',
  },
  known: { compare: (a: unknown, b: boolean) => isKnown(a) === b, accepts: () => true, expects: 'boolean' },
};

/** Operator names a rule file may use, with the shape of value each expects. */
export const operatorValueShapes: Readonly<Record<string, OperatorSpec['expects']>> = Object.fromEntries(
  Object.entries(specs).map(([name, spec]) => [name, spec.expects]),
);

/** The kind of fact each operator needs, where it needs one (a list for `hasItems`, a number for `lessThan`). */
export const operatorFactTypes: Readonly<Record<string, 'number' | 'list'>> = Object.fromEntries(
  Object.entries(specs).flatMap(([name, spec]) => (spec.factType ? [[name, spec.factType]] : [])),
);

/** Operators whose value is never unknown: their leaf is decided even when the fact is absent. */
export const unknownAwareOperators: ReadonlySet<string> = new Set(['known']);

export const numericOperators: ReadonlySet<string> = new Set(
  Object.entries(specs)
    .filter(([, spec]) => spec.expects === 'number')
    .map(([name]) => name),
);

export function createOperators(): Operator[] {
  return Object.entries(specs).map(
    ([name, spec]) => new Operator(name, spec.compare as (a: unknown, b: unknown) => boolean, spec.accepts),
  );
}
