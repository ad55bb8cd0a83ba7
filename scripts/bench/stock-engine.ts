import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, type Almanac, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { PatientFacts } from '../../functions/core/types.js';
import { CONDITIONS_FILE, isRuleFile } from '../knowledge-base/rule-files.js';

/**
 * The baseline of the bench: json-rules-engine as it comes (`new Engine(rules)`, default options:
 * JSONPath path resolver, stock operators, undefined facts are errors), fed the rule files of
 * rules/ whole, event params and evidence included.
 *
 * The shared conditions of conditions.json go in through json-rules-engine's own `setCondition`, which
 * the rules' `{"condition": name}` references name. Three additions, the least that lets those rules
 * run at all, each as plain as possible:
 * - the `known`, `hasItems` and `wholeNumber` operators, which the rule files use and json-rules-engine
 *   does not ship;
 * - the derived facts as simple dynamic facts: `percentChangeFromBaseline` computed directly,
 *   `countOfRules` a constant 0 (stock keeps no rule outcomes to count), `valueSetMatches` an exact
 *   lower-case match against the value set's members, `kitVariantsFound` an exact match against the
 *   listed variants (no codon ranges, no notation reading), `kitVariantsUnreadable` a constant [];
 * - every PatientFacts section passed to `run`, `undefined` when absent (see `stockFactsOf`), since
 *   stock rejects a run that reads a fact it was not given.
 * There is no three-valued reading: stock's answers are not the product's, only its cost is compared.
 */

const SECTIONS = ['patient', 'diagnosis', 'molecular', 'labs', 'cardiac', 'medications', 'order', 'treatmentCourse'] as const;

/** The rule files of `rulesDir`, whole. */
export function readRuleFiles(rulesDir: string): RuleProperties[] {
  return readdirSync(rulesDir)
    .filter((file) => isRuleFile(file))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(rulesDir, file), 'utf8')) as RuleProperties);
}

/** The value sets of knowledge-base.json, members lower-cased. */
export function readValueSets(rulesDir: string): Record<string, string[]> {
  const kb = JSON.parse(readFileSync(path.join(rulesDir, 'knowledge-base.json'), 'utf8')) as {
    valueSets?: Record<string, { members: { name: string }[] }>;
  };
  return Object.fromEntries(
    Object.entries(kb.valueSets ?? {}).map(([name, set]) => [name, set.members.map((m) => m.name.toLowerCase())]),
  );
}

/** The shared conditions of conditions.json, by name (none when the folder has no such file). */
export function readSharedConditions(rulesDir: string): Record<string, TopLevelCondition> {
  const file = path.join(rulesDir, CONDITIONS_FILE);
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { conditions: Record<string, TopLevelCondition> }).conditions;
}

export function createStockEngine(
  rules: RuleProperties[],
  valueSets: Record<string, string[]>,
  sharedConditions: Record<string, TopLevelCondition> = {},
): Engine {
  const engine = new Engine(rules);
  for (const [name, condition] of Object.entries(sharedConditions)) engine.setCondition(name, condition);
  engine.addOperator(
    'known',
    (value: unknown, expected: unknown) => (value !== undefined && value !== null && value !== 'unknown') === expected,
  );
  engine.addFact('percentChangeFromBaseline', async (params: Record<string, unknown>, almanac: Almanac) => {
    const course = await almanac.factValue<{ baseline?: Record<string, number>; current?: Record<string, number> } | undefined>(
      'treatmentCourse',
    );
    const measure = String(params.measure);
    const baseline = course?.baseline?.[measure];
    const current = course?.current?.[measure];
    if (baseline === undefined || current === undefined) return undefined;
    return baseline === 0 ? 0 : ((current - baseline) * 100) / baseline;
  });
  engine.addOperator('hasItems', (value: unknown, expected: unknown) => Array.isArray(value) && value.length > 0 === expected);
  engine.addOperator('wholeNumber', (value: unknown, expected: unknown) => Number.isInteger(value) === expected);
  engine.addFact('countOfRules', () => 0);
  engine.addFact('valueSetMatches', async (params: Record<string, unknown>, almanac: Almanac) => {
    const members = new Set(valueSets[String(params.valueSet)] ?? []);
    const [section, field] = String((params.lists as string[])[0]).split('.');
    const value = await almanac.factValue<Record<string, unknown> | undefined>(section!);
    const list = value?.[field!];
    return Array.isArray(list) ? list.filter((item) => members.has(String(item).toLowerCase())) : undefined;
  });
  engine.addFact('kitVariantsUnreadable', () => []);
  engine.addFact('kitVariantsFound', async (params: Record<string, unknown>, almanac: Almanac) => {
    const molecular = await almanac.factValue<{ kitOtherMutations?: string[] } | undefined>('molecular');
    const wanted = (params.variants as string[] | undefined) ?? [];
    return molecular?.kitOtherMutations?.filter((variant) => wanted.includes(variant));
  });
  return engine;
}

/** The facts as stock json-rules-engine needs them: every section present, `undefined` if not given. */
export function stockFactsOf(facts: PatientFacts): Record<string, unknown> {
  const all: Record<string, unknown> = {};
  for (const section of SECTIONS) all[section] = facts[section];
  return all;
}
