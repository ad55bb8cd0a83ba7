import {
  childrenOf,
  isConditionReference,
  isFactCondition,
  type Condition,
  type SharedCondition,
  type WrittenCondition,
} from '../../functions/core/rule-definition.js';

/**
 * Shared conditions (`rules/conditions.json`): a meaning that several rules need, such as "starts
 * therapy" or "restart" (knowledge-base spec v3, Starting, restarting, continuing), written once and
 * referred to by name as `{"condition": "<name>"}`. The build expands every reference into the
 * whole condition, named so, so the engine, the rationale and the console see whole trees and a
 * finding's note can name any part of it.
 */

export type SharedConditions = Readonly<Record<string, SharedCondition>>;

/** The names a written condition refers to directly (not through other shared conditions). */
export function referencesIn(condition: WrittenCondition): string[] {
  if (isConditionReference(condition)) return [condition.condition];
  if (isFactCondition(condition)) return [];
  return childrenOf(condition).flatMap(referencesIn);
}

/** Shared conditions that refer to themselves, directly or through others: each cycle once, as a path of names. */
export function referenceCycles(shared: SharedConditions): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (name: string, chain: string[]): void => {
    if (chain.includes(name)) {
      cycles.push([...chain.slice(chain.indexOf(name)), name]);
      return;
    }
    if (done.has(name) || !Object.hasOwn(shared, name)) return;
    for (const next of referencesIn(shared[name]!)) visit(next, [...chain, name]);
    done.add(name);
  };
  for (const name of Object.keys(shared)) visit(name, []);
  return cycles;
}

/**
 * `condition` with every reference replaced by the shared condition it names, expanded in turn and
 * named by its reference (its description stays in conditions.json). Call it only once the
 * references are checked: an unknown name or a cycle throws.
 */
export function expandReferences(condition: WrittenCondition, shared: SharedConditions, chain: string[] = []): Condition {
  if (isConditionReference(condition)) {
    const name = condition.condition;
    if (!Object.hasOwn(shared, name) || chain.includes(name)) throw new Error(`cannot expand the shared condition "${name}"`);
    const { description: _description, ...tree } = shared[name]!;
    const parts = childrenOf(tree).map((child) => expandReferences(child, shared, [...chain, name]));
    return 'all' in tree ? { name, all: parts } : { name, any: parts };
  }
  if (isFactCondition(condition)) return condition;
  const parts = childrenOf(condition).map((child) => expandReferences(child, shared, chain));
  const named = condition.name === undefined ? {} : { name: condition.name };
  return 'all' in condition ? { ...named, all: parts } : { ...named, any: parts };
}
