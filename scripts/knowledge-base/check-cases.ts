import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { assertPatientFacts, InvalidPatientFactsError } from '../../functions/core/validate-facts.js';
import type { ValueSet } from '../../functions/core/value-sets.js';
import { ajvPath, describeAjvError, type RuleFileProblem } from './problems.js';
import { CASES_DIR } from './rule-files.js';

/**
 * Build-time checks of `rules/cases/<id>.json`: each file matches `rules/rule-cases.schema.json`
 * and its facts are a request the service accepts, is named for its rule, names a rule that
 * exists, and has no two cases of the same name; and every rule has a case file. Whether each case
 * comes out as expected is `npm test`'s job (test/rules/cases.test.ts).
 */

const CASES_SCHEMA_FILE = 'rule-cases.schema.json';

export interface RuleCase {
  name: string;
  expect: 'fires' | 'silent' | 'undecided';
  missing?: string[];
  facts: Record<string, unknown>;
}

export interface RuleCaseFile {
  rule: string;
  cases: RuleCase[];
}

/** The case files of `rulesDir`, by rule id; unreadable files are left out (checkCaseFiles names them). */
export function readCaseFiles(rulesDir: string): Map<string, RuleCaseFile> {
  const dir = path.join(rulesDir, CASES_DIR);
  const files = new Map<string, RuleCaseFile>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      files.set(name.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as RuleCaseFile);
    } catch {
      // reported by checkCaseFiles
    }
  }
  return files;
}

/** What the service would refuse in a case's facts (a case must be a request the service answers). */
function factProblems(facts: unknown, valueSets: Readonly<Record<string, ValueSet>>) {
  try {
    assertPatientFacts(facts, valueSets);
    return [];
  } catch (error) {
    if (error instanceof InvalidPatientFactsError) return error.problems;
    throw error;
  }
}

export function checkCaseFiles(
  rulesDir: string,
  ruleIds: ReadonlySet<string>,
  valueSets: Readonly<Record<string, ValueSet>>,
): RuleFileProblem[] {
  const problems: RuleFileProblem[] = [];
  const dir = path.join(rulesDir, CASES_DIR);
  const rel = (name: string) => path.join(path.basename(rulesDir), CASES_DIR, name);
  const schema = JSON.parse(readFileSync(path.join(rulesDir, CASES_SCHEMA_FILE), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile<RuleCaseFile>(schema);

  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()
    : [];
  for (const name of names) {
    const file = rel(name);
    const id = name.replace(/\.json$/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    } catch (error) {
      problems.push({ file, where: '', problem: `cannot be read as JSON: ${(error as Error).message}` });
      continue;
    }
    if (!validate(parsed)) {
      for (const error of validate.errors ?? []) problems.push({ file, where: ajvPath(error), problem: describeAjvError(error) });
      continue;
    }
    if (parsed.rule !== id)
      problems.push({ file, where: 'rule', problem: `rule "${parsed.rule}" must equal the file name "${id}"` });
    if (!ruleIds.has(id))
      problems.push({ file, where: '', problem: `there is no rule ${id} (no ${path.basename(rulesDir)}/${id}.json)` });
    const seen = new Set<string>();
    parsed.cases.forEach((c, i) => {
      if (seen.has(c.name))
        problems.push({ file, where: `cases[${i}].name`, problem: `another case is already named "${c.name}"` });
      seen.add(c.name);
      for (const { path: at, expected } of factProblems(c.facts, valueSets)) {
        problems.push({ file, where: `cases[${i}].facts${at.slice(1)}`, problem: `expected ${expected}` });
      }
    });
  }
  const withCases = new Set(names.map((n) => n.replace(/\.json$/, '')));
  for (const id of [...ruleIds].sort()) {
    if (!withCases.has(id)) {
      problems.push({
        file: path.join(path.basename(rulesDir), `${id}.json`),
        where: '',
        problem: `has no case file: add ${rel(`${id}.json`)}`,
      });
    }
  }
  return problems;
}
