import { Almanac, Engine, type RuleResult } from 'json-rules-engine';
import { derivedFacts, type OutcomeLedger } from './derived-facts.js';
import { resolvePath } from './fact-paths.js';
import { createOperators } from './operators.js';
import type { RuleDefinition } from './rule-definition.js';
import { outcomeOf, type ConditionResult, type RuleOutcome } from './three-valued.js';
import type { PatientFacts } from './types.js';

/** One rule's result from one run. */
export interface RuleRun {
  ruleId: string;
  outcome: RuleOutcome;
  conditions: ConditionResult;
}

/** Per-run state lives here, never on the engine, so runs cannot see each other's facts. */
class RunAlmanac extends Almanac implements OutcomeLedger {
  readonly outcomes = new Map<string, RuleOutcome>();
  readonly runs: RuleRun[] = [];

  constructor() {
    super({ allowUndefinedFacts: true, pathResolver: resolvePath });
  }

  record(ruleResult: RuleResult): void {
    const conditions = ruleResult.conditions as ConditionResult;
    const outcome = outcomeOf(conditions);
    this.outcomes.set(ruleResult.name, outcome);
    this.runs.push({ ruleId: ruleResult.name, outcome, conditions });
  }
}

function recordOutcome(_event: unknown, almanac: Almanac, ruleResult: RuleResult): void {
  (almanac as RunAlmanac).record(ruleResult);
}

/**
 * The json-rules-engine engine for a set of rules, built once and run many times.
 *
 * Each rule's event is reduced to its type: json-rules-engine deep-copies a rule's event into
 * every result of every run, and the finding's content is looked up by rule id afterwards anyway.
 *
 * Runs are queued: json-rules-engine keeps its run status on the engine, so a run that finishes
 * while another is between priority groups would make the engine skip the other's remaining rules.
 */
export class RuleEngine {
  readonly #engine: Engine;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(rules: readonly RuleDefinition[]) {
    const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const operator of createOperators()) engine.addOperator(operator);
    for (const fact of derivedFacts) engine.addFact(fact.id, fact.calculate, { cache: false });
    for (const rule of rules) {
      engine.addRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions,
        event: { type: rule.name },
      });
    }
    engine.on('success', recordOutcome);
    engine.on('failure', recordOutcome);
    this.#engine = engine;
  }

  /** Runs every rule on the facts; results come in rule-evaluation order. */
  run(facts: PatientFacts): Promise<RuleRun[]> {
    const almanac = new RunAlmanac();
    const run = this.#tail.then(() => this.#engine.run(facts as Record<string, unknown>, { almanac }));
    this.#tail = run.catch(() => undefined);
    return run.then(() => almanac.runs);
  }
}
