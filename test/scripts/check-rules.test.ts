import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRuleFiles, formatProblem, RuleFilesInvalidError } from '../../scripts/knowledge-base/check-rules.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RULES = path.join(ROOT, 'rules');
const tempDirs: string[] = [];

/** A copy of rules/ in a temporary folder named `rules`, with `edit` applied to one rule file. */
function brokenCopy(file: string, edit: (rule: Record<string, any>) => void | string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kb-')), 'rules');
  tempDirs.push(path.dirname(dir));
  cpSync(RULES, dir, { recursive: true });
  const target = path.join(dir, file);
  const rule = JSON.parse(readFileSync(target, 'utf8')) as Record<string, any>;
  const replaced = edit(rule);
  writeFileSync(target, typeof replaced === 'string' ? replaced : JSON.stringify(rule, null, 2));
  return dir;
}

function problemsIn(dir: string): string[] {
  try {
    checkRuleFiles(dir);
  } catch (error) {
    if (error instanceof RuleFilesInvalidError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

const firesWhen = (rule: Record<string, any>) => rule.conditions.all[1];

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('rule-file checks', () => {
  it('passes the rule files of the repository', () => {
    expect(problemsIn(RULES)).toEqual([]);
  });

  it.each<[string, string, (rule: Record<string, any>) => void | string, RegExp]>([
    ['text that is not JSON', 'kit-d816v-caveat.json', () => '{ "name": ', /rules\/kit-d816v-caveat\.json: cannot be read as JSON/],
    ['an unknown fact path', 'kit-d816v-caveat.json', (r) => { firesWhen(r).all[0].path = '$.kitD816v'; }, /kit-d816v-caveat\.json at conditions\.all\[1\]\.all\[0\]\.fact: unknown fact path "molecular\.kitD816v"/],
    ['an unknown operator', 'renal-impairment-severe.json', (r) => { firesWhen(r).all[0].operator = 'below'; }, /renal-impairment-severe\.json at .*operator: unknown operator "below"/],
    ['a value outside the fact\'s value set', 'kit-d816v-caveat.json', (r) => { firesWhen(r).all[0].value = 'positive'; }, /kit-d816v-caveat\.json at .*value: value "positive" is not in the fact's value set/],
    ['a number compared with a string', 'renal-impairment-severe.json', (r) => { firesWhen(r).all[0].value = '20'; }, /renal-impairment-severe\.json at .*value: operator lessThan needs a number value/],
    ['no evidence', 'baseline-monitoring.json', (r) => { r.event.params.evidence = []; }, /baseline-monitoring\.json at event\.params\.evidence: must NOT have fewer than 1 items/],
    ['evidence that drifts from its source', 'baseline-monitoring.json', (r) => { r.event.params.evidence[0].pmid = '123'; }, /baseline-monitoring\.json at event\.params\.evidence\[0\]: citation, pmid and url must match source "TRIAL"/],
    ['a summary of 140 characters', 'kit-d816v-caveat.json', (r) => { r.event.params.summary = 'x'.repeat(140); }, /kit-d816v-caveat\.json at event\.params\.summary: must NOT have more than 139 characters/],
    ['a `not` condition', 'kit-d816v-caveat.json', (r) => { r.conditions.all[1] = { name: 'fires when', not: firesWhen(r).all[0] }; }, /kit-d816v-caveat\.json at conditions\.all\[1\]/],
    ['a name that is not the file name', 'kit-d816v-caveat.json', (r) => { r.name = 'kit-caveat'; r.event.type = 'kit-caveat'; }, /kit-d816v-caveat\.json at name: rule name "kit-caveat" must equal the file name/],
    ['a count over rules decided later', 'response-multi-endpoint.json', (r) => { r.priority = 700; }, /response-multi-endpoint\.json at .*params\.rules: response-tryptase must have a higher priority/],
    ['a count over a rule that does not exist', 'response-none.json', (r) => { firesWhen(r).all[1].params.rules[0] = 'response-urine'; }, /response-none\.json at .*params: countOfRules names an unknown rule: response-urine/],
  ])('names the file and the problem for %s', (_kind, file, edit, expected) => {
    const problems = problemsIn(brokenCopy(file, edit));

    expect(problems.join('\n')).toMatch(expected);
  });

  it('names both files of a duplicate rule id', () => {
    const dir = brokenCopy('renal-impairment-mild.json', () => undefined);
    cpSync(path.join(dir, 'renal-impairment-mild.json'), path.join(dir, 'renal-impairment-mild-copy.json'));

    expect(problemsIn(dir).join('\n')).toMatch(/duplicate rule id "renal-impairment-mild" \(also in rules\/renal-impairment-mild-copy\.json\)/);
  });

  it('stops `npm run generate`, which `npm test` and `npm run build` run first, with the file named', () => {
    const dir = brokenCopy('pregnancy-embryofetal-toxicity.json', (r) => { firesWhen(r).all[0].fact = 'patients'; });
    const out = path.join(path.dirname(dir), 'generated');

    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/generate.ts', '--rules', dir, '--out', out], { cwd: ROOT, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rules\/pregnancy-embryofetal-toxicity\.json at .*: unknown fact path "patients\.pregnant"/);
  });

  it('wires generate in front of test and build', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

    expect(scripts.pretest).toMatch(/^npm run generate/);
    expect(scripts.prebuild).toBe('npm run generate');
    expect(execFileSync('git', ['check-ignore', 'functions/core/generated/knowledge-base.json'], { cwd: ROOT, encoding: 'utf8' }).trim()).not.toBe('');
  });
});
