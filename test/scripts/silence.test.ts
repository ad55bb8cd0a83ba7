import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogue } from '../../scripts/knowledge-base/catalogue.js';
import { readCaseFiles } from '../../scripts/knowledge-base/check-cases.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { silenceProblems, silenceReportOf, type SilenceChange } from '../../scripts/knowledge-base/silence.js';
import { copyOfRules, removeRuleCopies } from '../support/rule-folders.js';
import { scriptCommand } from '../support/npm-script.js';

/**
 * What keeps a safety rule silent (scripts/knowledge-base/silence.ts), on copies of the fixture
 * rules of test/fixtures/rules: a critical order check on eosinophils, a warning on KIT D816V,
 * and info rules on a fall in tryptase and a count of other rules, turned into warnings here.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

afterEach(removeRuleCopies);

type Json = Record<string, any>;

function edit(dir: string, file: string, change: (json: Json) => void): void {
  const target = path.join(dir, file);
  const json = JSON.parse(readFileSync(target, 'utf8')) as Json;
  change(json);
  writeFileSync(target, JSON.stringify(json, null, 2));
}

function reportOf(dir: string): Map<string, SilenceChange[]> {
  return silenceReportOf(dir, checkRuleFiles(dir).knowledgeBase);
}

const changesOf = (report: Map<string, SilenceChange[]>, ruleId: string) =>
  (report.get(ruleId) ?? []).map((c) => `${c.fact} ${c.change}: ${c.outcome}`);

function generate(dir: string) {
  return spawnSync(...scriptCommand('generate', ['--rules', dir, '--out', path.join(path.dirname(dir), 'generated')]), {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

describe('what keeps a safety rule silent', () => {
  it('finds every change of one fact that turns a firing case silent or undecided', () => {
    const report = reportOf(copyOfRules());

    expect(changesOf(report, 'fixture-eosinophilia-order').sort()).toEqual(
      [
        'cardiac.echocardiogram "abnormal" (not given in the firing case): silent',
        'cardiac.echocardiogram "normal" (not given in the firing case): silent',
        'labs the whole section absent: undecided',
        'labs.eosinophilsPerMicroliter 1499 (the firing case has 1500): silent',
        'labs.eosinophilsPerMicroliter absent: undecided',
        'order the whole section absent: silent',
        'order.status "active" (the firing case has "proposed"): silent',
        'order.status absent: undecided',
      ].sort(),
    );
  });

  it('names, for each change, the case of the rule that makes it', () => {
    const report = reportOf(copyOfRules());

    expect(report.get('fixture-kit-detected')).toEqual([
      {
        fact: 'molecular',
        change: 'the whole section absent',
        outcome: 'undecided',
        from: 'detected',
        coveredBy: 'undecided: KIT D816V status not given',
      },
      {
        fact: 'molecular.kitD816V',
        change: '"not-detected" (the firing case has "detected")',
        outcome: 'silent',
        from: 'detected',
        coveredBy: 'silent: KIT D816V not detected',
      },
      {
        fact: 'molecular.kitD816V',
        change: '"unknown" (the firing case has "detected")',
        outcome: 'undecided',
        from: 'detected',
        coveredBy: 'undecided: KIT D816V status unknown',
      },
      {
        fact: 'molecular.kitD816V',
        change: 'absent',
        outcome: 'undecided',
        from: 'detected',
        coveredBy: 'undecided: KIT D816V status not given',
      },
    ]);
    expect(silenceProblems(report, 'rules')).toEqual([]);
  });

  it('lists info rules under no silence list: only critical and warning rules must show how they fall silent', () => {
    const report = reportOf(copyOfRules());

    expect([...report.keys()].sort()).toEqual(['fixture-eosinophilia-order', 'fixture-kit-detected']);
  });

  it('does not take a case with the same value as showing a change when the case would not fire with the fact put back', () => {
    const dir = copyOfRules();
    edit(dir, 'cases/fixture-eosinophilia-order.json', (file) => {
      const active = file.cases.find((c: Json) => c.name === 'silent: the order is already active, not proposed');
      active.facts.labs.eosinophilsPerMicroliter = 1000;
    });

    const change = reportOf(dir)
      .get('fixture-eosinophilia-order')!
      .find((c) => c.fact === 'order.status' && c.outcome === 'silent');

    expect(change?.coveredBy).toBeUndefined();
  });

  it('stops `npm run generate` naming the rule and the change when no case shows it', () => {
    const dir = copyOfRules();
    edit(dir, 'cases/fixture-eosinophilia-order.json', (file) => {
      file.cases = file.cases.filter((c: Json) => c.name !== 'silent: the order is already active, not proposed');
    });

    const run = generate(dir);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'rules/cases/fixture-eosinophilia-order.json: fixture-eosinophilia-order is silent with order.status "active" (the firing case has "proposed")',
    );
  });

  it('asks that a case showing a change say why silence is right there, in its name', () => {
    const dir = copyOfRules();
    edit(dir, 'cases/fixture-kit-detected.json', (file) => {
      file.cases.find((c: Json) => c.name === 'silent: KIT D816V not detected').name = 'not detected';
    });

    const problems = silenceProblems(reportOf(dir), 'rules').map((p) => p.problem);

    expect(problems).toEqual([
      'case "not detected" shows that fixture-kit-detected is silent with molecular.kitD816V "not-detected" (the firing case has "detected"); start its name with "silent: " and say why that is right',
    ]);
  });

  it('finds where a number read through a derived fact (a fall from baseline) silences the rule', () => {
    const dir = copyOfRules();
    edit(dir, 'fixture-tryptase-fall.json', (rule) => {
      rule.event.params.indicator = 'warning';
    });

    const changes = changesOf(reportOf(dir), 'fixture-tryptase-fall');

    // The fixture fires on a fall of more than 20%: from a baseline of 100, a current value of 80 or more is no fall.
    expect(changes).toContain('treatmentCourse.current.serumTryptaseNgMl 80 (the firing case has 79): silent');
  });

  it('follows the rules a rule counts: a change to a counted rule\u2019s fact silences the counting rule', () => {
    const dir = copyOfRules();
    edit(dir, 'fixture-count.json', (rule) => {
      rule.event.params.indicator = 'warning';
    });

    const facts = new Set(
      reportOf(dir)
        .get('fixture-count')!
        .map((c) => c.fact),
    );

    expect(facts).toContain('treatmentCourse.symptoms');
    expect(facts).toContain('treatmentCourse.current.serumTryptaseNgMl');
  });

  it('writes each safety rule\u2019s list into the catalogue under "What keeps it silent"', () => {
    const dir = copyOfRules();
    const kb = checkRuleFiles(dir).knowledgeBase;

    const page = catalogue(kb, readCaseFiles(dir), silenceReportOf(dir, kb));

    const section = page.slice(page.indexOf('### fixture-kit-detected'));
    expect(section).toContain('**What keeps it silent**');
    expect(section).toContain(
      '| `molecular.kitD816V` | "not-detected" (the firing case has "detected") | silent | silent: KIT D816V not detected |',
    );
    expect(page.slice(page.indexOf('### fixture-symptoms')).split('### ')[1]).not.toContain('What keeps it silent');
  });
});
