import { conditionPath, readDottedPath } from './fact-paths.js';
import { APPLIES_WHEN, isFactCondition, type Condition, type FactCondition, type RunnableRule } from './rule-definition.js';
import type { ConditionResult } from './three-valued.js';
import type { PatientFacts } from './types.js';

/** A `known: true` leaf at the top of "applies when": the rule cannot apply without that fact. */
export function isGate(condition: Condition): condition is FactCondition {
  return isFactCondition(condition) && condition.operator === 'known' && condition.value === true;
}

/** A gate leaf taken out of a rule for an engine whose runs all pass it, and where it stood. */
interface TakenGate {
  index: number;
  leaf: FactCondition;
  path: string;
}

/**
 * How an engine runs a rule, and how to make its result whole again. In an engine built for facts
 * that pass a rule's gates, its `known: true` gate leaves are true on every run: they are taken out
 * of the tree json-rules-engine copies and walks on each run, and so is an "applies when" branch
 * left empty (always true), and put back, true, into each result. The result is then what the
 * whole rule would have given.
 */
export class RunShape {
  readonly conditions: Condition;
  readonly #taken: TakenGate[] = [];
  readonly #appliesWhenDropped: boolean;

  constructor(rule: RunnableRule) {
    const [appliesWhen, firesWhen] = rule.conditions.all;
    const kept = appliesWhen.all.filter((condition, index) => {
      if (isGate(condition)) this.#taken.push({ index, leaf: condition, path: conditionPath(condition) });
      return !isGate(condition);
    });
    this.#appliesWhenDropped = kept.length === 0;
    this.conditions = this.#appliesWhenDropped ? firesWhen : { all: [{ ...appliesWhen, all: kept }, firesWhen] };
  }

  whole(conditions: ConditionResult, facts: PatientFacts): ConditionResult {
    if (this.#taken.length === 0 && !this.#appliesWhenDropped) return conditions;
    const appliesWhen: ConditionResult = this.#appliesWhenDropped
      ? { name: APPLIES_WHEN, all: [], result: true }
      : conditions.all![0]!;
    for (const { index, leaf, path } of this.#taken) {
      const { name, fact, operator, value } = leaf;
      const restored: ConditionResult = { name, fact, operator, value, factResult: readDottedPath(facts, path), result: true };
      if (leaf.path !== undefined) restored.path = leaf.path;
      appliesWhen.all!.splice(index, 0, restored);
    }
    return this.#appliesWhenDropped ? { all: [appliesWhen, conditions], result: conditions.result } : conditions;
  }
}
