import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { copyOfRules, removeRuleCopies } from '../support/rule-folders.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { formatProblem, RuleFilesInvalidError } from '../../scripts/knowledge-base/problems.js';
import { scriptCommand } from '../support/npm-script.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A copy of the fixture rules (test/fixtures/rules) with `edit` applied to one file. */
function brokenCopy(file: string, edit: (rule: Record<string, any>) => void | string): string {
  const dir = copyOfRules();
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

afterEach(removeRuleCopies);

describe('rule-file checks', () => {
  it('passes the rule files of the repository and the fixture rules', () => {
    expect(problemsIn(RULES_DIR)).toEqual([]);
    expect(problemsIn(copyOfRules())).toEqual([]);
  });

  it.each<[string, string, (rule: Record<string, any>) => void | string, RegExp]>([
    [
      'text that is not JSON',
      'fixture-kit-detected.json',
      () => '{ "name": ',
      /rules\/fixture-kit-detected\.json: cannot be read as JSON/,
    ],
    [
      'an unknown fact path',
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all[0].path = '$.kitD816v';
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]\.all\[0\]\.fact: unknown fact path "molecular\.kitD816v"/,
    ],
    [
      'an unknown operator',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0].operator = 'below';
      },
      /fixture-dose\.json at .*operator: unknown operator "below"/,
    ],
    [
      "a value outside the fact's value set",
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all[0].value = 'positive';
      },
      /fixture-kit-detected\.json at .*value: value "positive" is not in the fact's value set/,
    ],
    [
      'a number compared with a string',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0].value = '20';
      },
      /fixture-dose\.json at .*value: operator greaterThan needs a number value/,
    ],
    [
      'no evidence',
      'fixture-symptoms.json',
      (r) => {
        r.event.params.evidence = [];
      },
      /fixture-symptoms\.json at event\.params\.evidence: must NOT have fewer than 1 items/,
    ],
    [
      'evidence that drifts from its source',
      'fixture-symptoms.json',
      (r) => {
        r.event.params.evidence[0].pmid = '123';
      },
      /fixture-symptoms\.json at event\.params\.evidence\[0\]: citation, pmid and url must match source "DEMO"/,
    ],
    [
      'a summary of 140 characters',
      'fixture-kit-detected.json',
      (r) => {
        r.event.params.summary = 'x'.repeat(140);
      },
      /fixture-kit-detected\.json at event\.params\.summary: must NOT have more than 139 characters/,
    ],
    [
      'a `not` condition',
      'fixture-kit-detected.json',
      (r) => {
        r.conditions.all[1] = { name: 'fires when', not: firesWhen(r).all[0] };
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]/,
    ],
    [
      'a name that is not the file name',
      'fixture-kit-detected.json',
      (r) => {
        r.name = 'kit-caveat';
        r.event.type = 'kit-caveat';
      },
      /fixture-kit-detected\.json at name: rule name "kit-caveat" must equal the file name/,
    ],
    [
      'a count over rules decided later',
      'fixture-count.json',
      (r) => {
        r.priority = 700;
      },
      /fixture-count\.json at .*params\.rules: fixture-tryptase-fall must have a higher priority/,
    ],
    [
      'a condition repeated in its branch',
      'fixture-eosinophilia-order.json',
      (r) => {
        firesWhen(r).all.push(firesWhen(r).all[0]);
      },
      /fixture-eosinophilia-order\.json at conditions\.all\[1\]\.all\[2\]: repeats an earlier condition/,
    ],
    [
      'a note on a condition the rule does not have',
      'fixture-dose.json',
      (r) => {
        r.event.params.notes = [{ when: 'The dose is huge', text: 'A note.' }];
      },
      /fixture-dose\.json at event\.params\.notes\[0\]\.when: "The dose is huge" is not the name of a condition of this rule/,
    ],
    [
      'a value set that does not exist',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0] = {
          name: 'x',
          fact: 'valueSetMatches',
          operator: 'hasItems',
          value: true,
          params: { valueSet: 'nope', lists: ['medications.active'] },
        };
      },
      /fixture-dose\.json at .*params: unknown value set "nope"/,
    ],
    [
      'a KIT variant that is not in one-letter protein notation',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0] = {
          name: 'x',
          fact: 'kitVariantsFound',
          operator: 'hasItems',
          value: true,
          params: { variants: ['Asp816Val'] },
        };
      },
      /fixture-dose\.json at .*params: "Asp816Val" is not a variant in one-letter protein notation/,
    ],
    [
      'a count over a rule that does not exist',
      'fixture-count.json',
      (r) => {
        firesWhen(r).all[0].params.rules[0] = 'response-urine';
      },
      /fixture-count\.json at .*params: countOfRules names an unknown rule: response-urine/,
    ],
    [
      'a reference to a shared condition that does not exist',
      'fixture-eosinophilia-order.json',
      (r) => {
        firesWhen(r).all[1] = { condition: 'a proposed order' };
      },
      /fixture-eosinophilia-order\.json at conditions\.all\[1\]\.all\[1\]\.condition: unknown shared condition "a proposed order" \(not in conditions\.json\)/,
    ],
    [
      'a shared condition that refers to itself',
      'conditions.json',
      (c) => {
        c.conditions['no echocardiogram on record'].any.push({ condition: 'a proposed order without an echocardiogram' });
      },
      /rules\/conditions\.json at conditions\["a proposed order without an echocardiogram"\]: refers to itself: "a proposed order without an echocardiogram" -> "no echocardiogram on record" -> "a proposed order without an echocardiogram"/,
    ],
    [
      'a branch of a rule named like a shared condition',
      'fixture-kit-detected.json',
      (r) => {
        r.conditions.all[1] = { name: 'fires when', all: [{ name: 'no echocardiogram on record', all: firesWhen(r).all }] };
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]\.all\[0\]\.name: "no echocardiogram on record" is the name of a shared condition/,
    ],
    [
      'a shared condition that counts rules',
      'conditions.json',
      (c) => {
        c.conditions['no echocardiogram on record'].any.push({
          name: 'x',
          fact: 'countOfRules',
          operator: 'equal',
          value: 0,
          params: { rules: ['fixture-dose'], withOutcome: ['fired'] },
        });
      },
      /rules\/conditions\.json at conditions\["no echocardiogram on record"\]\.any\[2\]\.fact: a shared condition cannot count rules/,
    ],
    [
      'an unknown fact path in a shared condition',
      'conditions.json',
      (c) => {
        c.conditions['no echocardiogram on record'].any[0].path = '$.echo';
      },
      /rules\/conditions\.json at conditions\["no echocardiogram on record"\]\.any\[0\]\.fact: unknown fact path "cardiac\.echo"/,
    ],
    [
      'a placeholder that names no value of the rule',
      'fixture-tryptase-fall.json',
      (r) => {
        r.event.params.detail = 'Fixture detail with {{baseline}} and {{nadir}}.';
      },
      /fixture-tryptase-fall\.json at event\.params\.detail: \{\{nadir\}\} is not one of the rule's values/,
    ],
    [
      'a value the rule does not read',
      'fixture-tryptase-fall.json',
      (r) => {
        r.event.params.values.baseline = { fact: 'labs', path: '$.serumTryptaseNgMl', format: 'number' };
      },
      /fixture-tryptase-fall\.json at event\.params\.values\.baseline: the rule does not read labs\.serumTryptaseNgMl/,
    ],
    [
      'a value that may be unknown when its text is shown',
      'fixture-dose.json',
      (r) => {
        r.conditions.all[1] = {
          name: 'fires when',
          any: [
            firesWhen(r).all[0],
            {
              name: 'Eosinophils at least 1500/uL',
              fact: 'labs',
              path: '$.eosinophilsPerMicroliter',
              operator: 'greaterThanInclusive',
              value: 1500,
            },
          ],
        };
        r.event.params.detail = 'A dose of {{dose}} mg/day (fixture).';
        r.event.params.values = { dose: { fact: 'order', path: '$.dailyDoseMg', format: 'number' } };
      },
      /fixture-dose\.json at event\.params\.detail: \{\{dose\}\} may not be known when this text is shown/,
    ],
    [
      'a summary longer than 139 characters with its values at their widest',
      'fixture-tryptase-fall.json',
      (r) => {
        r.event.params.values.p = r.event.params.values.change;
        r.event.params.summary = `${'x'.repeat(112)} {{p}} {{p}} {{change}}`;
      },
      /fixture-tryptase-fall\.json at event\.params\.summary: is 160 characters with its values at their widest: at most 139/,
    ],
    [
      'a list in a summary',
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all.push({
          name: 'Other KIT variants are given',
          fact: 'molecular',
          path: '$.kitOtherMutations',
          operator: 'known',
          value: true,
        });
        r.event.params.values = { variants: { fact: 'molecular', path: '$.kitOtherMutations', format: 'entries' } };
        r.event.params.summary = 'KIT D816V with {{variants}} (fixture).';
      },
      /fixture-kit-detected\.json at event\.params\.summary: \{\{variants\}\} is a list, which has no widest value/,
    ],
    [
      'a coded value of a fact that has no codes',
      'fixture-count-units.json',
      (r) => {
        r.event.params.values.eosinophils.format = 'code';
      },
      /fixture-count-units\.json at event\.params\.values\.eosinophils\.format: format code cannot write labs\.eosinophilsPerMicroliter \(a number\)/,
    ],
    [
      'the notes of matched drugs outside a note',
      'fixture-count-units.json',
      (r) => {
        r.event.params.values.notes = { fact: 'labs', path: '$.eosinophilsPerMicroliter', format: 'matchNotes' };
        r.event.params.detail = 'How sources class them: {{notes}}.';
      },
      /fixture-count-units\.json at event\.params\.detail: \{\{notes\}\} \(matchNotes\) may be empty: show it in a note/,
    ],
    [
      'a format that cannot write its value',
      'fixture-count-units.json',
      (r) => {
        r.event.params.values.eosinophils.format = 'entries';
      },
      /fixture-count-units\.json at event\.params\.values\.eosinophils\.format: format entries cannot write labs\.eosinophilsPerMicroliter \(a number\)/,
    ],
    [
      'evidence whose condition the rule does not have',
      'fixture-eosinophilia-order.json',
      (r) => {
        r.event.params.evidence[1].when = 'The echocardiogram is late';
      },
      /fixture-eosinophilia-order\.json at event\.params\.evidence\[1\]\.when: "The echocardiogram is late" is not the name of a condition of this rule/,
    ],
    [
      'a suggested action whose condition the rule does not have',
      'fixture-dose.json',
      (r) => {
        r.event.params.suggestedActions[0].when = 'The dose is huge';
      },
      /fixture-dose\.json at event\.params\.suggestedActions\[0\]\.when: "The dose is huge" is not the name of a condition of this rule/,
    ],
    [
      'evidence left empty without saying why',
      'fixture-count-units.json',
      (r) => {
        delete r.event.params.noSource;
      },
      /fixture-count-units\.json at event\.params\.evidence: must NOT have fewer than 1 items/,
    ],
    [
      'a finding that says it cites no source but cites one',
      'fixture-dose.json',
      (r) => {
        r.event.params.noSource = 'About the record.';
      },
      /fixture-dose\.json at event\.params\.evidence: must NOT have more than 0 items/,
    ],
    [
      'hasItems on a fact that is not a list',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0] = { name: 'x', fact: 'order', path: '$.dailyDoseMg', operator: 'hasItems', value: true };
      },
      /fixture-dose\.json at conditions\.all\[1\]\.all\[0\]\.operator: operator hasItems needs a list fact; order\.dailyDoseMg is a number/,
    ],
    [
      'a number comparison on a derived list',
      'fixture-dose.json',
      (r) => {
        firesWhen(r).all[0] = {
          name: 'x',
          fact: 'valueSetMatches',
          operator: 'greaterThan',
          value: 0,
          params: { valueSet: 'demo-drugs', lists: ['medications.active'] },
        };
      },
      /fixture-dose\.json at conditions\.all\[1\]\.all\[0\]\.operator: operator greaterThan needs a number fact; valueSetMatches is a list/,
    ],
    [
      'wholeNumber on a fact that is not a number',
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all[0].operator = 'wholeNumber';
        firesWhen(r).all[0].value = false;
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]\.all\[0\]\.operator: operator wholeNumber needs a number fact; molecular\.kitD816V is a value of a value set/,
    ],
    [
      'equal "unknown", which is never true',
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all[0].value = 'unknown';
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]\.all\[0\]\.value: equal "unknown" is never true: .*say known: false/,
    ],
    [
      'a list of values holding "unknown"',
      'fixture-kit-detected.json',
      (r) => {
        firesWhen(r).all[0].operator = 'in';
        firesWhen(r).all[0].value = ['detected', 'unknown'];
      },
      /fixture-kit-detected\.json at conditions\.all\[1\]\.all\[0\]\.value: in "unknown" is never true/,
    ],
    [
      'status active without a review date',
      'knowledge-base.json',
      (kb) => {
        kb.status = 'active';
        kb.lastReviewed = null;
      },
      /rules\/knowledge-base\.json at status: status active needs the clinical review it rests on/,
    ],
    [
      "a brand that is another member's name",
      'knowledge-base.json',
      (kb) => {
        kb.valueSets = {
          'demo-drugs': {
            title: 'Demo drugs',
            sources: ['DEMO'],
            members: [
              { name: 'lopinavir', brands: ['Kaletra'] },
              { name: 'ritonavir', brands: ['Kaletra', 'Norvir'] },
              { name: 'norvir', sources: ['NOPE'] },
            ],
          },
        };
      },
      /knowledge-base\.json at valueSets\.demo-drugs\.members\[2\]\.sources\[0\]: unknown source "NOPE"\n.*valueSets\.demo-drugs\.members\[2\]: "norvir" is already a name or synonym in this set/,
    ],
  ])('names the file and the problem for %s', (_kind, file, edit, expected) => {
    const problems = problemsIn(brokenCopy(file, edit));

    expect(problems.join('\n')).toMatch(expected);
  });

  it('names both files of a duplicate rule id', () => {
    const dir = brokenCopy('fixture-dose.json', () => undefined);
    cpSync(path.join(dir, 'fixture-dose.json'), path.join(dir, 'fixture-dose-copy.json'));

    expect(problemsIn(dir).join('\n')).toMatch(/duplicate rule id "fixture-dose" \(also in rules\/fixture-dose-copy\.json\)/);
  });

  it('stops `npm run generate`, which `npm test` and `npm run build` run first, with the file named', () => {
    const dir = brokenCopy('fixture-symptoms.json', (r) => {
      firesWhen(r).all[0].fact = 'patients';
    });
    const out = path.join(path.dirname(dir), 'generated');

    const run = spawnSync(...scriptCommand('generate', ['--rules', dir, '--out', out]), { cwd: ROOT, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rules\/fixture-symptoms\.json at .*: unknown fact path "patients\.symptoms"/);
  });

  it('wires generate in front of test and build', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;

    // The format check runs beside the chain that generates, then builds and type-checks.
    expect(scripts.pretest).toMatch(/^run-p .*\bpretest:checks\b/);
    expect(scripts['pretest:checks']).toMatch(/^npm run generate && run-p .*\bbuild:dist\b/);
    expect(scripts.prebuild).toBe('npm run generate');
    expect(
      execFileSync('git', ['check-ignore', 'functions/core/generated/knowledge-base.json'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim(),
    ).not.toBe('');
  });
});
