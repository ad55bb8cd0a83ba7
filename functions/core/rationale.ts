import { derivedFactsById } from './derived-facts.js';
import { quoteEntry, writeNumber } from './finding-text.js';
import { canonicalJson } from './json-values.js';
import { conditionPath, patientFactPath } from './fact-paths.js';
import { numericOperators } from './operators.js';
import { FIRES_WHEN } from './rule-definition.js';
import { combine, isLeaf, leafTruth, type ConditionResult } from './three-valued.js';
import type { EvaluatedBooleanCondition, EvaluatedCondition, EvaluatedFactCondition, Rationale } from './types.js';

/** Reads a fact by dotted path for one run: patient facts, or `ruleOutcomes.<id>`. */
export type FactReader = (dottedPath: string) => unknown;

/** The patient facts (or rule outcomes) a leaf reads. */
function factsReadBy(leaf: ConditionResult): string[] {
  const derived = derivedFactsById.get(leaf.fact ?? '');
  if (derived) return derived.inputs(leaf.params ?? {});
  return [patientFactPath({ fact: leaf.fact ?? '', path: leaf.path })];
}

/** The patient facts to ask for when a leaf is unknown: those it reads, less deprecated spellings. */
export function factsAskedBy(leaf: ConditionResult): string[] {
  const derived = derivedFactsById.get(leaf.fact ?? '');
  return derived?.asks ? derived.asks(leaf.params ?? {}) : factsReadBy(leaf);
}

function leafLabel(leaf: ConditionResult): string {
  return derivedFactsById.has(leaf.fact ?? '') ? (leaf.fact ?? '') : conditionPath({ fact: leaf.fact ?? '', path: leaf.path });
}

const jsonValue = (value: unknown): unknown => (value === undefined ? null : value);

/** The evaluated tree, bottom-up, so each node's truth is worked out once. */
function evaluated(node: ConditionResult): EvaluatedCondition {
  if (isLeaf(node)) {
    const leaf: EvaluatedFactCondition = {
      name: node.name ?? '',
      fact: leafLabel(node),
      operator: node.operator ?? '',
      expected: node.value,
      actual: jsonValue(node.factResult),
      result: leafTruth(node),
    };
    if (node.params) leaf.params = node.params;
    return leaf;
  }
  const conditions = (node.all ?? node.any ?? []).map(evaluated);
  const branch: EvaluatedBooleanCondition = {
    operator: node.all !== undefined ? 'all' : 'any',
    result: combine(
      conditions.map((c) => c.result),
      node.all === undefined,
    ),
    conditions,
  };
  if (node.name) branch.name = node.name;
  return branch;
}

function eachLeaf(node: ConditionResult, visit: (leaf: ConditionResult) => void): void {
  if (isLeaf(node)) visit(node);
  else for (const child of node.all ?? node.any ?? []) eachLeaf(child, visit);
}

/** The true leaves that carry a true branch: the reasons the rule fired. */
function reasons(node: EvaluatedCondition, into: EvaluatedFactCondition[] = []): EvaluatedFactCondition[] {
  if (node.result !== true) return into;
  if ('conditions' in node) for (const child of node.conditions) reasons(child, into);
  else into.push(node);
  return into;
}

/**
 * The reasons in words. A number read is shown once, after the first reason that used it; so is a
 * list of matches (the medications or variants that made a condition true).
 */
function reasonsText(leaves: readonly EvaluatedFactCondition[], tree: EvaluatedCondition): string {
  const shown = new Set<string>();
  const parts = leaves.map((leaf) => {
    const key = `${leaf.fact} ${JSON.stringify(leaf.params ?? {})}`;
    if (shown.has(key)) return leaf.name;
    if (numericOperators.has(leaf.operator) && typeof leaf.actual === 'number') {
      shown.add(key);
      return `${leaf.name} (${leaf.fact} = ${writeNumber(leaf.actual, thresholdsIn(tree, leaf))})`;
    }
    if (Array.isArray(leaf.actual) && leaf.actual.length > 0 && leaf.operator === 'hasItems') {
      shown.add(key);
      // A derived list is written safe by its fact; a list of the record is quoted here (no markup).
      const entries = derivedFactsById.has(leaf.fact) ? leaf.actual : leaf.actual.map((entry) => quoteEntry(String(entry)));
      return `${leaf.name} (${entries.join(', ')})`;
    }
    return leaf.name;
  });
  return `${parts.join('; ')}.`;
}

/**
 * The numbers a rule compares a fact with (`key`: a dotted path, or a derived fact with its params,
 * as an evaluated leaf names it): a number written in its text keeps its side of each (writeNumber).
 */
export function thresholdsIn(node: EvaluatedCondition, key: { fact: string; params?: Record<string, unknown> }): number[] {
  if ('conditions' in node) return [...new Set(node.conditions.flatMap((child) => thresholdsIn(child, key)))];
  const same = node.fact === key.fact && canonicalJson(node.params ?? {}) === canonicalJson(key.params ?? {});
  return same && numericOperators.has(node.operator) && typeof node.expected === 'number' ? [node.expected] : [];
}

/**
 * The value a derived fact had in a rule's evaluated conditions (the leaf that computed it, with
 * the same params), for its finding's text.
 */
export function derivedValueIn(node: EvaluatedCondition, fact: string, params: Record<string, unknown>): unknown {
  if (!('conditions' in node)) {
    return node.fact === fact && canonicalJson(node.params ?? {}) === canonicalJson(params) ? node.actual : undefined;
  }
  for (const child of node.conditions) {
    const value = derivedValueIn(child, fact, params);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** The names of the conditions (leaves and branches) that came out true, for a finding's notes. */
export function trueConditionNames(node: EvaluatedCondition, into: Set<string> = new Set()): Set<string> {
  if (node.result === true && node.name) into.add(node.name);
  if ('conditions' in node) for (const child of node.conditions) trueConditionNames(child, into);
  return into;
}

/**
 * Why a rule fired: the words of its true "fires when" conditions, every fact it read, and its
 * whole evaluated condition tree (facts.md, Response body).
 */
export function buildRationale(conditions: ConditionResult, read: FactReader): Rationale {
  const tree = evaluated(conditions) as EvaluatedBooleanCondition;
  const firesWhen = tree.conditions.find((branch) => branch.name === FIRES_WHEN) ?? tree;
  const text = reasonsText(reasons(firesWhen), tree);

  const facts: Record<string, unknown> = {};
  eachLeaf(conditions, (leaf) => {
    for (const factPath of factsReadBy(leaf)) {
      if (!Object.hasOwn(facts, factPath)) facts[factPath] = jsonValue(read(factPath));
    }
  });

  return { text, facts, conditions: tree };
}
