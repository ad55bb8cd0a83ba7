import fc from 'fast-check';
import { Almanac, Engine, Fact } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { derivedFacts } from '../../functions/core/derived-facts.js';
import { resolvePath } from '../../functions/core/fact-paths.js';
import { knowledgeBase } from '../../functions/core/knowledge-base.js';
import { normaliseFacts } from '../../functions/core/normalise-facts.js';
import { createOperators, isKnown } from '../../functions/core/operators.js';
import { readDottedPath } from '../../functions/core/fact-paths.js';
import type { RunnableRule } from '../../functions/core/rule-definition.js';
import { isGate, RunShape } from '../../functions/core/run-shape.js';
import type { ConditionResult } from '../../functions/core/three-valued.js';
import type { PatientFacts } from '../../functions/core/types.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';

/**
 * The run shaping of functions/core/run-shape.ts takes a rule's gate leaves (and an "applies when"
 * left empty) out of what json-rules-engine runs, for facts that pass the gates. Made whole again,
 * the shaped rule's result must equal what the engine gives for the rule as written.
 */

/** An almanac that can answer the derived facts: outcomes are not needed by the rules tried here. */
class TestAlmanac extends Almanac {
  constructor(readonly facts: PatientFacts) {
    super({ allowUndefinedFacts: true, pathResolver: resolvePath });
  }
  valueSet(name: string) {
    return knowledgeBase.valueSets?.[name];
  }
  outcome() {
    return 'undecided' as const;
  }
}

async function resultOf(rule: RunnableRule, conditions: unknown, facts: PatientFacts): Promise<ConditionResult> {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const operator of createOperators()) engine.addOperator(operator);
  for (const fact of derivedFacts) engine.addFact(fact.id, fact.calculate, { cache: false });
  engine.addRule({
    name: rule.name,
    priority: 1,
    conditions: conditions as RunnableRule['conditions'],
    event: { type: rule.name },
  });
  const runtime = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, new Fact(k, v, { cache: false })]));
  const { results, failureResults } = await engine.run(runtime, { almanac: new TestAlmanac(facts) });
  return [...results, ...failureResults][0]!.conditions as unknown as ConditionResult;
}

const LEAF_MEMBERS = ['name', 'fact', 'path', 'operator', 'value', 'params', 'factResult', 'result'];

/**
 * What the rest of the core reads of a result tree (three-valued.ts, rationale.ts): each branch's
 * name and parts, and each leaf's condition, fact value and result; not json-rules-engine's own
 * bookkeeping (priorities, branch results, the operator names it puts on branches).
 */
function comparable(node: ConditionResult): unknown {
  const parts = node.all ?? node.any;
  if (parts) return { ...(node.name ? { name: node.name } : {}), [node.all ? 'all' : 'any']: parts.map(comparable) };
  return Object.fromEntries(
    LEAF_MEMBERS.filter((key) => (node as Record<string, unknown>)[key] !== undefined).map((key) => [
      key,
      (node as Record<string, unknown>)[key],
    ]),
  );
}

const gated = knowledgeBase.rules.filter((rule) => rule.conditions.all[0].all.some(isGate));

describe('run shaping', () => {
  it('has gated rules to try (an imatinib order, a treatment course)', () => {
    expect(gated.length).toBeGreaterThan(10);
  });

  it('takes the gate leaves out of what the engine runs', () => {
    for (const rule of gated) {
      const ran = JSON.stringify(new RunShape(rule).conditions);
      for (const gate of rule.conditions.all[0].all.filter(isGate)) expect(ran, rule.name).not.toContain(JSON.stringify(gate));
    }
  });

  it('gives, made whole, the result of the rule as written, for 300 generated patients who pass its gates', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, fc.constantFrom(...gated), async (raw, rule) => {
        const facts = normaliseFacts(raw);
        const gates = rule.conditions.all[0].all.filter(isGate);
        fc.pre(gates.every((gate) => isKnown(readDottedPath(facts, `${gate.fact}${gate.path ? gate.path.slice(1) : ''}`))));
        const shape = new RunShape(rule);

        const whole = shape.whole(await resultOf(rule, shape.conditions, facts), facts);
        const asWritten = await resultOf(rule, rule.conditions, facts);

        expect(comparable(whole)).toEqual(comparable(asWritten));
      }),
      { seed: 845, numRuns: 300 },
    );
  });
});
