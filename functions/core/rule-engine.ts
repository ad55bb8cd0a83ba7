import { Almanac, Engine, Fact, type RuleResult } from 'json-rules-engine';
import { derivedFacts, type RunContext } from './derived-facts.js';
import { conditionPath, readDottedPath, resolvePath } from './fact-paths.js';
import { createOperators, isKnown } from './operators.js';
import { APPLIES_WHEN, childrenOf, isFactCondition, type Condition, type RunnableRule } from './rule-definition.js';
import { outcomeOf, type ConditionResult, type RuleOutcome } from './three-valued.js';
import { isGate, RunShape } from './run-shape.js';
import type { PatientFacts } from './types.js';
import type { ValueSet } from './value-sets.js';

/** One rule's result from one run; `conditions` is absent for a rule that did not need to run. */
export interface RuleRun {
  ruleId: string;
  outcome: RuleOutcome;
  conditions?: ConditionResult;
}

/** json-rules-engine's Almanac has getResults() (the results of the rules run so far); its typings omit it. */
const AlmanacWithResults = Almanac as unknown as new (...args: ConstructorParameters<typeof Almanac>) => Almanac & {
  getResults(): RuleResult[];
};

/**
 * Per-run state lives here, never on an engine, so runs cannot see each other's facts. A rule's
 * outcome is read off its json-rules-engine result, made whole again (see RunShape), when first
 * asked for: by a `countOfRules` fact, whose rules ran in an earlier priority group, or at the end.
 */
class RunAlmanac extends AlmanacWithResults implements RunContext {
  readonly #outcomes = new Map<string, RuleOutcome>();
  readonly #conditions = new Map<string, ConditionResult>();

  constructor(
    readonly facts: PatientFacts,
    private readonly valueSets: Readonly<Record<string, ValueSet>>,
    notApplicable: readonly string[],
    private readonly wholeConditions: (result: RuleResult) => ConditionResult,
  ) {
    super({ allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const ruleId of notApplicable) this.#outcomes.set(ruleId, 'not-applicable');
  }

  valueSet(name: string): ValueSet | undefined {
    return Object.hasOwn(this.valueSets, name) ? this.valueSets[name] : undefined;
  }

  #settle(): void {
    for (const result of this.getResults()) {
      if (this.#outcomes.has(result.name)) continue;
      const conditions = this.wholeConditions(result);
      this.#conditions.set(result.name, conditions);
      this.#outcomes.set(result.name, outcomeOf(conditions));
    }
  }

  outcome(ruleId: string): RuleOutcome {
    if (!this.#outcomes.has(ruleId)) this.#settle();
    return this.#outcomes.get(ruleId) ?? 'undecided';
  }

  runs(): RuleRun[] {
    this.#settle();
    return [...this.#outcomes].map(([ruleId, outcome]) => {
      const conditions = this.#conditions.get(ruleId);
      return conditions ? { ruleId, outcome, conditions } : { ruleId, outcome };
    });
  }
}

/** The dotted paths a rule's "applies when" branch requires to be known (its gates). */
function gatesOf(rule: RunnableRule): string[] {
  const appliesWhen = rule.conditions.all.find((branch) => branch.name === APPLIES_WHEN);
  return (appliesWhen ? childrenOf(appliesWhen) : []).filter(isGate).map((c) => conditionPath(c));
}

function dependenciesOf(condition: Condition): string[] {
  if (!isFactCondition(condition)) return childrenOf(condition).flatMap(dependenciesOf);
  return condition.fact === 'countOfRules' ? ((condition.params?.rules as string[] | undefined) ?? []) : [];
}

/**
 * The engine priority of each rule: its dependency level. Rules that count other rules' outcomes
 * run after them; all others run together in one priority group, which saves json-rules-engine a
 * promise chain per distinct priority. (A rule's own priority still orders the findings.)
 */
function dependencyLevels(rules: readonly RunnableRule[]): Map<string, number> {
  const byId = new Map(rules.map((r) => [r.name, r]));
  const levels = new Map<string, number>();
  const levelOf = (id: string): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    const deps = dependenciesOf(byId.get(id)!.conditions as Condition).filter((d) => byId.has(d));
    const level = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(levelOf));
    levels.set(id, level);
    return level;
  };
  for (const rule of rules) levelOf(rule.name);
  return levels;
}

/** A json-rules-engine engine for one subset of the rules, with its runs queued. */
class QueuedEngine {
  readonly #engine: Engine;
  readonly #shapes = new Map<string, RunShape>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(rules: readonly RunnableRule[], levels: ReadonlyMap<string, number>) {
    const top = Math.max(0, ...levels.values());
    const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const operator of createOperators()) engine.addOperator(operator);
    for (const fact of derivedFacts) engine.addFact(fact.id, fact.calculate, { cache: false });
    for (const rule of rules) {
      const shape = new RunShape(rule);
      this.#shapes.set(rule.name, shape);
      const conditions = shape.conditions as RunnableRule['conditions'];
      engine.addRule({ name: rule.name, priority: top + 1 - levels.get(rule.name)!, conditions, event: { type: rule.name } });
    }
    this.#engine = engine;
  }

  /** A rule's result made whole again (RunShape). */
  whole(result: RuleResult, facts: PatientFacts): ConditionResult {
    return this.#shapes.get(result.name)!.whole(result.conditions as ConditionResult, facts);
  }

  /**
   * Runs are queued: json-rules-engine keeps its run status on the engine, so a run that finished
   * while another was between priority groups would make the engine skip the other's later rules.
   */
  run(facts: PatientFacts, almanac: RunAlmanac): Promise<unknown> {
    // Runtime facts made uncached: json-rules-engine would otherwise hash each one for a cache
    // key on every run, and a constant fact is never looked up in the cache anyway.
    const runtimeFacts: Record<string, Fact> = {};
    for (const [section, value] of Object.entries(facts)) runtimeFacts[section] = new Fact(section, value, { cache: false });
    const run = this.#tail.then(() => this.#engine.run(runtimeFacts, { almanac }));
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * The knowledge base's rules on json-rules-engine, built once and run many times.
 *
 * Only the rules that can apply to the facts at hand run: a rule whose "applies when" branch
 * requires a fact to be known (an imatinib order, a treatment course) is not applicable without
 * it, so it is recorded as such without running. There is one engine per combination of those
 * facts being present (four for this knowledge base), each built on first use.
 *
 * Each rule's event is reduced to its type: json-rules-engine deep-copies a rule's event into
 * every result of every run, and the finding's content is looked up by rule id afterwards anyway.
 */
export class RuleEngine {
  readonly #rules: readonly RunnableRule[];
  readonly #gates: ReadonlyMap<string, readonly string[]>;
  readonly #gatePaths: readonly string[];
  readonly #levels: ReadonlyMap<string, number>;
  readonly #engines = new Map<string, { engine: QueuedEngine; notApplicable: string[] }>();

  constructor(
    rules: readonly RunnableRule[],
    private readonly valueSets: Readonly<Record<string, ValueSet>> = {},
  ) {
    this.#rules = rules;
    this.#gates = new Map(rules.map((rule) => [rule.name, gatesOf(rule)]));
    this.#gatePaths = [...new Set([...this.#gates.values()].flat())].sort();
    this.#levels = dependencyLevels(rules);
  }

  #engineFor(facts: PatientFacts) {
    const open = new Set(this.#gatePaths.filter((p) => isKnown(readDottedPath(facts, p))));
    const key = this.#gatePaths.map((p) => (open.has(p) ? '1' : '0')).join('');
    let entry = this.#engines.get(key);
    if (entry === undefined) {
      const applicable = (rule: RunnableRule) => this.#gates.get(rule.name)!.every((gate) => open.has(gate));
      entry = {
        engine: new QueuedEngine(this.#rules.filter(applicable), this.#levels),
        notApplicable: this.#rules.filter((rule) => !applicable(rule)).map((rule) => rule.name),
      };
      this.#engines.set(key, entry);
    }
    return entry;
  }

  /** Runs the rules on the facts: one RuleRun per rule of the knowledge base. */
  async run(facts: PatientFacts): Promise<RuleRun[]> {
    const { engine, notApplicable } = this.#engineFor(facts);
    const almanac = new RunAlmanac(facts, this.valueSets, notApplicable, (result) => engine.whole(result, facts));
    await engine.run(facts, almanac);
    return almanac.runs();
  }
}
