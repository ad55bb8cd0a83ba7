import type { Almanac } from 'json-rules-engine';
import { RULE_OUTCOMES, type RuleOutcome } from './three-valued.js';

/**
 * Facts computed from other facts, for what a JSON condition cannot express: a relative change
 * between two values, and a count over other rules' outcomes. They are generic: rules choose what
 * to compute through `params`, so adding a rule never needs code.
 */

/** The per-run almanac: json-rules-engine's, which can also tell how a rule already run came out. */
export interface OutcomeLedger {
  outcome(ruleId: string): RuleOutcome;
}

export interface DerivedFact {
  id: string;
  /** The facts the value is computed from, as dotted paths (`ruleOutcomes.<id>` for outcomes). */
  inputs(params: Record<string, unknown>): string[];
  calculate(params: Record<string, unknown>, almanac: Almanac): unknown;
  /** Checks a rule's params at build time; returns what is wrong, if anything. */
  checkParams(params: unknown, ruleIds: ReadonlySet<string>): string | undefined;
}

const MEASURES = ['serumTryptaseNgMl', 'urinaryNMethylhistamine', 'boneMarrowMastCellPercent'] as const;

/**
 * Fall from baseline to current, in percent of baseline (positive when the value went down).
 * Unknown when either value is missing; 0 when the baseline is 0, as nothing can fall below it.
 * Dividing first keeps huge (schema-valid) values finite; round cases stay exact (120 -> 96 is 20).
 */
export function percentFall(baseline: unknown, current: unknown): number | undefined {
  if (typeof baseline !== 'number' || typeof current !== 'number') return undefined;
  if (baseline === 0) return 0;
  return ((baseline - current) / baseline) * 100;
}

const percentFallFromBaseline: DerivedFact = {
  id: 'percentFallFromBaseline',
  inputs: (params) => [`treatmentCourse.baseline.${String(params.measure)}`, `treatmentCourse.current.${String(params.measure)}`],
  calculate: async (params, almanac) => {
    const course = await almanac.factValue<Record<string, Record<string, unknown> | undefined> | undefined>('treatmentCourse');
    const measure = String(params.measure);
    return percentFall(course?.baseline?.[measure], course?.current?.[measure]);
  },
  checkParams: (params) => {
    const measure = (params as { measure?: unknown } | undefined)?.measure;
    return (MEASURES as readonly unknown[]).includes(measure) && Object.keys(params as object).length === 1
      ? undefined
      : `params must be {"measure": one of ${MEASURES.join(', ')}}`;
  },
};

const countOfRules: DerivedFact = {
  id: 'countOfRules',
  inputs: (params) => (params.rules as string[]).map((id) => `ruleOutcomes.${id}`),
  calculate: (params, almanac) => {
    const ledger = almanac as unknown as OutcomeLedger;
    const wanted = params.withOutcome as RuleOutcome[];
    return (params.rules as string[]).filter((id) => wanted.includes(ledger.outcome(id))).length;
  },
  checkParams: (params, ruleIds) => {
    const { rules, withOutcome, ...rest } = (params ?? {}) as { rules?: unknown; withOutcome?: unknown };
    const shape = `params must be {"rules": [rule ids], "withOutcome": [some of ${RULE_OUTCOMES.join(', ')}]}`;
    if (Object.keys(rest).length > 0 || !Array.isArray(rules) || !Array.isArray(withOutcome)) return shape;
    if (rules.length === 0 || withOutcome.length === 0) return shape;
    const unknownRule = rules.find((id) => typeof id !== 'string' || !ruleIds.has(id));
    if (unknownRule !== undefined) return `countOfRules names an unknown rule: ${String(unknownRule)}`;
    const unknownOutcome = withOutcome.find((o) => !(RULE_OUTCOMES as readonly unknown[]).includes(o));
    return unknownOutcome === undefined ? undefined : `unknown outcome: ${String(unknownOutcome)}`;
  },
};

export const derivedFacts: readonly DerivedFact[] = [percentFallFromBaseline, countOfRules];

export const derivedFactsById: ReadonlyMap<string, DerivedFact> = new Map(derivedFacts.map((f) => [f.id, f]));
