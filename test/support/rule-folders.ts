import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvaluator, type Evaluator } from '../../functions/core/index.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { CASES_DIR, RULES_DIR, ruleFileNames } from '../../scripts/knowledge-base/rule-files.js';

/**
 * Rule folders for tests of the rule machinery: the fixture knowledge base of test/fixtures/rules
 * (a few synthetic rules that use every kind of condition, independent of the clinical content),
 * or a copy of rules/ to break or extend. Each is a temporary folder named `rules` holding the
 * repository's schema files, so the build's checks read it as they read rules/.
 */

export const FIXTURE_RULES_DIR = path.resolve(import.meta.dirname, '../fixtures/rules');

const made: string[] = [];

/** A temporary copy of `from` (default: the fixture rules), with the repository's schemas beside. */
export function copyOfRules(from: string = FIXTURE_RULES_DIR): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kb-')), 'rules');
  made.push(path.dirname(dir));
  cpSync(from, dir, { recursive: true });
  for (const schema of readdirSync(RULES_DIR).filter((name) => name.endsWith('.schema.json'))) {
    cpSync(path.join(RULES_DIR, schema), path.join(dir, schema));
  }
  return dir;
}

/** Removes every folder copyOfRules made (call it in afterAll / afterEach). */
export function removeRuleCopies(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An evaluator for the rules of `dir`, compiled by the build's own checks. */
export function evaluatorFor(dir: string): Evaluator {
  return createEvaluator(checkRuleFiles(dir).knowledgeBase);
}

/** A rule file as a test writes it: its evidence is borrowed from a rule of rules/ when it has none. */
export interface NewRule {
  name: string;
  event: { params: { evidence: unknown[] } & Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A copy of rules/ with `rule` and its cases added as an author adds them: rules/<id>.json and
 * rules/cases/<id>.json, nothing else. A rule without evidence gets the first source of a rule of
 * rules/, so that it passes the build's checks (every finding cites a source).
 */
export function rulesWithAddedRule(rule: NewRule, cases: object[]): string {
  const dir = copyOfRules(RULES_DIR);
  const written = structuredClone(rule);
  if (written.event.params.evidence.length === 0) {
    const [anyRule] = ruleFileNames(RULES_DIR);
    const borrowed = JSON.parse(readFileSync(path.join(RULES_DIR, anyRule!), 'utf8')) as NewRule;
    written.event.params.evidence = borrowed.event.params.evidence.slice(0, 1);
  }
  writeFileSync(path.join(dir, `${rule.name}.json`), JSON.stringify(written, null, 2));
  writeFileSync(path.join(dir, CASES_DIR, `${rule.name}.json`), JSON.stringify({ rule: rule.name, cases }, null, 2));
  return dir;
}
