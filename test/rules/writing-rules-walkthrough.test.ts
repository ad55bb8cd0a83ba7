import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../scripts/knowledge-base/catalogue.js';
import { readCaseFiles } from '../../scripts/knowledge-base/check-cases.js';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { silenceReportOf } from '../../scripts/knowledge-base/silence.js';
import { failingCases } from '../support/rule-cases.js';
import { copyOfRules, removeRuleCopies } from '../support/rule-folders.js';
import { scriptCommand } from '../support/npm-script.js';

/**
 * The walk-through of docs/writing-rules.md, run step by step as an author would, so that the guide
 * cannot rot: on copies of rules/ without the rule it adds, each file it shows is written, each
 * `npm run generate` it shows is run (as `--rules <copy>`) and must print what it shows, and the
 * rule file it shows must be the one in rules/. In the guide's output, `<...>` and `…` stand for
 * what changes between versions (the version, the number of rules, the digest).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const GUIDE = readFileSync(path.join(ROOT, 'docs/writing-rules.md'), 'utf8');

/** The guide's blocks, by the name of the `<!-- walkthrough: name -->` comment before each. */
const blocks = new Map(
  [...GUIDE.matchAll(/<!-- walkthrough: ([a-z-]+) -->\s*\n```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!]),
);

function block(name: string): string {
  const text = blocks.get(name);
  if (text === undefined) throw new Error(`docs/writing-rules.md has no walkthrough block "${name}"`);
  return text;
}

/** A guide's output as a pattern: `<...>` and `…` match anything. */
function patternOf(shown: string): RegExp {
  const escaped = shown
    .trim()
    .split(/(<[^>\n]*>|…)/)
    .map((part, i) => (i % 2 === 1 ? '.*?' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`, 's');
}

/** The rule the walk-through adds: the name of the rule file it shows. */
const RULE = (JSON.parse(block('rule-file')) as { name: string }).name;
const RULE_FILE = `${RULE}.json`;

/** A copy of rules/ without the rule, then with the files of the steps up to one. */
function copyAtStep(step: 'rule' | 'first cases' | 'all cases'): string {
  const dir = copyOfRules(RULES_DIR);
  rmSync(path.join(dir, 'cases', RULE_FILE));
  writeFileSync(path.join(dir, RULE_FILE), block('rule-file'));
  if (step === 'rule') return dir;
  const cases = JSON.parse(block('first-cases')) as { cases: unknown[] };
  if (step === 'all cases') cases.cases.push(JSON.parse(block('added-case')));
  writeFileSync(path.join(dir, 'cases', RULE_FILE), JSON.stringify(cases, null, 2));
  return dir;
}

const execFileAsync = promisify(execFile);

/** `npm run generate` on a copy: its exit status and what it printed on stderr. */
async function generate(dir: string): Promise<{ status: number; stderr: string }> {
  const [command, args] = scriptCommand('generate', ['--rules', dir, '--out', path.join(path.dirname(dir), 'out')]);
  try {
    const { stderr } = await execFileAsync(command, args, {
      cwd: ROOT,
    });
    return { status: 0, stderr };
  } catch (error) {
    const { code, stderr } = error as { code?: number; stderr?: string };
    return { status: code ?? -1, stderr: stderr ?? '' };
  }
}

let runs: Record<'rule' | 'first cases' | 'all cases', { status: number; stderr: string }>;

beforeAll(async () => {
  // The three generate runs of the guide, each on its own copy, side by side.
  const [rule, first, all] = await Promise.all(
    (['rule', 'first cases', 'all cases'] as const).map((step) => generate(copyAtStep(step))),
  );
  runs = { rule: rule!, 'first cases': first!, 'all cases': all! };
}, 120_000);

afterAll(removeRuleCopies);

describe('the walk-through of docs/writing-rules.md', () => {
  it('shows the rule file that is in rules/', () => {
    const shown = JSON.parse(block('rule-file')) as unknown;

    expect(shown).toEqual(JSON.parse(readFileSync(path.join(RULES_DIR, RULE_FILE), 'utf8')));
  });

  it('step 3: generate stops on the rule without cases, as shown', () => {
    expect(runs.rule.status).toBe(1);
    expect(runs.rule.stderr.trim()).toMatch(patternOf(block('generate-without-cases')));
  });

  it('step 5: generate stops on the silence no case shows, as shown', () => {
    expect(runs['first cases'].status).toBe(1);
    expect(runs['first cases'].stderr.trim()).toMatch(patternOf(block('generate-silence')));
  });

  it('step 6: with the case it asks for, generate builds the knowledge base, as shown', () => {
    expect(runs['all cases'].status).toBe(0);
    expect(runs['all cases'].stderr.trim()).toMatch(patternOf(block('generate-built')));
  });

  it('step 7: every case comes out as it expects, and a wrong expectation fails as shown', async () => {
    const dir = copyAtStep('all cases');
    expect(await failingCases(dir)).toEqual([]);

    const file = path.join(dir, 'cases', RULE_FILE);
    const cases = JSON.parse(readFileSync(file, 'utf8')) as { cases: { facts: { order: { dailyDoseMg: number } } }[] };
    cases.cases[1]!.facts.order.dailyDoseMg = 45;
    writeFileSync(file, JSON.stringify(cases));

    expect(await failingCases(dir)).toEqual([expect.stringMatching(patternOf(block('wrong-expectation')))]);
  });

  it('step 8: the console and rules.md list what keeps the rule silent, as shown', () => {
    const dir = copyAtStep('all cases');
    const kb = checkRuleFiles(dir).knowledgeBase;
    const page = catalogue(kb, readCaseFiles(dir), silenceReportOf(dir, kb));
    const section = page.slice(page.indexOf(`### ${RULE}\n`)).split('\n### ')[0]!;

    const rows = section.split('\n').filter((line) => line.startsWith('| `'));

    expect(rows).toEqual(block('silence-list').split('\n'));
  });
});
