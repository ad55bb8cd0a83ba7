import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Which files of `rules/` are what: the one place that says so, for the build, the digest, the
 * bench and the tests. A rule is `rules/<id>.json`; its cases are `rules/cases/<id>.json`.
 */

export const KNOWLEDGE_BASE_FILE = 'knowledge-base.json';
/** The shared conditions rules refer to by name (optional: a rules folder may have none). */
export const CONDITIONS_FILE = 'conditions.json';
export const RULE_SCHEMA_FILE = 'rule.schema.json';
export const CONDITIONS_SCHEMA_FILE = 'conditions.schema.json';
export const CASES_DIR = 'cases';

/** The repository's `rules/` folder. */
export const RULES_DIR = path.resolve(import.meta.dirname, '../../rules');

/** A rule file: any `*.json` directly in rules/ but the knowledge-base file, the shared conditions and the schemas. */
export function isRuleFile(name: string): boolean {
  return name.endsWith('.json') && name !== KNOWLEDGE_BASE_FILE && name !== CONDITIONS_FILE && !name.endsWith('.schema.json');
}

/** The rule files of `rulesDir`, in name order. */
export function ruleFileNames(rulesDir: string = RULES_DIR): string[] {
  return readdirSync(rulesDir).filter(isRuleFile).sort();
}

/** The rule ids of `rulesDir`: its rule file names without `.json`. */
export function ruleIds(rulesDir: string = RULES_DIR): string[] {
  return ruleFileNames(rulesDir).map((name) => name.replace(/\.json$/, ''));
}
