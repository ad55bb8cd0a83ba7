import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvaluator, type Evaluator } from '../../functions/core/index.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';

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
