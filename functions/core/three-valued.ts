import { isKnown, unknownAwareOperators } from './operators.js';

/**
 * Three-valued reading of json-rules-engine's evaluated conditions (Kleene logic), so that a
 * missing fact leaves a rule undecided instead of deciding it "no" (knowledge-base spec, Rules).
 *
 * A leaf is unknown when its fact value is absent or "unknown", unless its operator is one that
 * asks about unknown values (`known`). `all` is false if any part is false, else unknown if any
 * part is unknown; `any` is true if any part is true, else unknown if any part is unknown. Rules
 * cannot use `not` (the rule schema forbids it), so the engine's own true/false agrees with this
 * reading whenever this reading is decided.
 */

export type Truth = boolean | null;

/** A node of a json-rules-engine RuleResult condition tree, as the engine leaves it after a run. */
export interface ConditionResult {
  name?: string;
  all?: ConditionResult[];
  any?: ConditionResult[];
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
  params?: Record<string, unknown>;
  factResult?: unknown;
  result?: boolean;
}

export function isLeaf(node: ConditionResult): boolean {
  return node.all === undefined && node.any === undefined;
}

export function truthOf(node: ConditionResult): Truth {
  if (node.all !== undefined) return combine(node.all.map(truthOf), false);
  if (node.any !== undefined) return combine(node.any.map(truthOf), true);
  return leafTruth(node);
}

export function leafTruth(leaf: ConditionResult): Truth {
  if (leaf.result === undefined) return null;
  if (unknownAwareOperators.has(leaf.operator ?? '')) return leaf.result;
  return isKnown(leaf.factResult) ? leaf.result : null;
}

/**
 * Combines the truths of a branch's parts: `all` (decisive = false) is decided by any false part,
 * `any` (decisive = true) by any true part; otherwise unknown parts leave it unknown.
 */
export function combine(truths: readonly Truth[], decisive: boolean): Truth {
  let sawUnknown = false;
  for (const truth of truths) {
    if (truth === decisive) return decisive;
    if (truth === null) sawUnknown = true;
  }
  return sawUnknown ? null : !decisive;
}

/** The unknown leaves that keep `node` undecided: the facts worth asking for. */
export function undecidingLeaves(node: ConditionResult, into: ConditionResult[] = []): ConditionResult[] {
  if (truthOf(node) !== null) return into;
  if (isLeaf(node)) {
    into.push(node);
  } else {
    for (const child of node.all ?? node.any ?? []) undecidingLeaves(child, into);
  }
  return into;
}

/**
 * How a rule came out in one run:
 * - `fired`: it applies and its conditions hold;
 * - `not-fired`: it applies and its conditions are decided false (an evaluable endpoint that did
 *   not improve, say);
 * - `not-applicable`: its "applies when" branch is false (no imatinib order, skin lesions absent at
 *   baseline, ...);
 * - `undecided`: a missing fact could still change the answer.
 */
export type RuleOutcome = 'fired' | 'not-fired' | 'not-applicable' | 'undecided';

export const RULE_OUTCOMES: readonly RuleOutcome[] = ['fired', 'not-fired', 'not-applicable', 'undecided'];

export function outcomeOf(conditions: ConditionResult): RuleOutcome {
  const [appliesWhen, firesWhen] = conditions.all ?? [];
  if (appliesWhen === undefined || firesWhen === undefined) return 'undecided';
  const applies = truthOf(appliesWhen);
  const fires = truthOf(firesWhen);
  if (applies === false || fires === false) return applies === true ? 'not-fired' : 'not-applicable';
  if (applies === true && fires === true) return 'fired';
  return 'undecided';
}
