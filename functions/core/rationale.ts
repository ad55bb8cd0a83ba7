import { derivedFactsById } from './derived-facts.js';
import { conditionPath, patientFactPath } from './fact-paths.js';
import { numericOperators } from './operators.js';
import { FIRES_WHEN } from './rule-definition.js';
import { isLeaf, truthOf, type ConditionResult } from './three-valued.js';
import type { EvaluatedBooleanCondition, EvaluatedCondition, Rationale } from './types.js';

/** Reads a fact by dotted path for one run: patient facts, or `ruleOutcomes.<id>`. */
export type FactReader = (dottedPath: string) => unknown;

/** The patient facts (or rule outcomes) a leaf reads. */
export function factsReadBy(leaf: ConditionResult): string[] {
  const derived = derivedFactsById.get(leaf.fact ?? '');
  if (derived) return derived.inputs(leaf.params ?? {});
  return [patientFactPath({ fact: leaf.fact ?? '', path: leaf.path })];
}

function leafLabel(leaf: ConditionResult): string {
  return derivedFactsById.has(leaf.fact ?? '') ? (leaf.fact ?? '') : conditionPath({ fact: leaf.fact ?? '', path: leaf.path });
}

const jsonValue = (value: unknown): unknown => (value === undefined ? null : value);

function evaluated(node: ConditionResult): EvaluatedCondition {
  if (isLeaf(node)) {
    return {
      name: node.name ?? '',
      fact: leafLabel(node),
      ...(node.params ? { params: node.params } : {}),
      operator: node.operator ?? '',
      expected: node.value,
      actual: jsonValue(node.factResult),
      result: truthOf(node),
    };
  }
  const operator = node.all !== undefined ? 'all' : 'any';
  return {
    ...(node.name ? { name: node.name } : {}),
    operator,
    result: truthOf(node),
    conditions: (node.all ?? node.any ?? []).map(evaluated),
  };
}

function eachLeaf(node: ConditionResult, visit: (leaf: ConditionResult) => void): void {
  if (isLeaf(node)) visit(node);
  else for (const child of node.all ?? node.any ?? []) eachLeaf(child, visit);
}

/** The true leaves that carry a true branch: the reasons the rule fired. */
function reasons(node: ConditionResult, into: ConditionResult[] = []): ConditionResult[] {
  if (truthOf(node) !== true) return into;
  if (isLeaf(node)) into.push(node);
  else for (const child of node.all ?? node.any ?? []) reasons(child, into);
  return into;
}

const formatNumber = (value: number) => String(Math.round(value * 10) / 10);

/** The reasons in words; a number read is shown once, after the first reason that used it. */
function reasonsText(leaves: readonly ConditionResult[]): string {
  const shown = new Set<string>();
  const parts = leaves.map((leaf) => {
    const label = leafLabel(leaf);
    if (!numericOperators.has(leaf.operator ?? '') || typeof leaf.factResult !== 'number' || shown.has(label)) {
      return leaf.name ?? '';
    }
    shown.add(label);
    return `${leaf.name ?? ''} (${label} = ${formatNumber(leaf.factResult)})`;
  });
  return `${parts.join('; ')}.`;
}

/**
 * Why a rule fired: the words of its true "fires when" conditions, every fact it read, and its
 * whole evaluated condition tree (facts.md, Response body).
 */
export function buildRationale(conditions: ConditionResult, read: FactReader): Rationale {
  const firesWhen = conditions.all?.find((branch) => branch.name === FIRES_WHEN) ?? conditions;
  const text = reasonsText(reasons(firesWhen));

  const facts: Record<string, unknown> = {};
  eachLeaf(conditions, (leaf) => {
    for (const factPath of factsReadBy(leaf)) {
      if (!Object.hasOwn(facts, factPath)) facts[factPath] = jsonValue(read(factPath));
    }
  });

  return { text, facts, conditions: evaluated(conditions) as EvaluatedBooleanCondition };
}
