import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRuleFiles } from '../../scripts/knowledge-base/check-rules.js';
import { formatProblem, RuleFilesInvalidError } from '../../scripts/knowledge-base/problems.js';
import { failingCases } from '../support/rule-cases.js';
import { removeRuleCopies, rulesWithAddedRule, type NewRule } from '../support/rule-folders.js';

/**
 * Adding a rule is two files, rules/<id>.json and rules/cases/<id>.json, and nothing else: here a
 * rule is added to a copy of rules/, compiled by the build's checks and run on its cases and on
 * every other rule's, as `npm test` would after `npm run generate`.
 */

const NEW_RULE = 'eosinophilia-noted';

const newRule: NewRule = {
  $schema: './rule.schema.json',
  name: NEW_RULE,
  priority: 5,
  conditions: {
    all: [
      { name: 'applies when', all: [] },
      {
        name: 'fires when',
        all: [
          {
            name: 'Absolute eosinophil count is at least 1500/uL',
            fact: 'labs',
            path: '$.eosinophilsPerMicroliter',
            operator: 'greaterThanInclusive',
            value: 1500,
          },
        ],
      },
    ],
  },
  event: {
    type: NEW_RULE,
    params: {
      category: 'monitoring',
      indicator: 'info',
      summary: 'Eosinophilia (a test rule added by the test suite).',
      detail: 'A rule written by a test to show that adding a rule needs no code.',
      evidence: [],
    },
  },
};

const newCases = (fires: 'fires' | 'silent') => [
  { name: '1500/uL', expect: fires, facts: { labs: { eosinophilsPerMicroliter: 1500 } } },
  { name: '1499/uL', expect: 'silent', facts: { labs: { eosinophilsPerMicroliter: 1499 } } },
  { name: 'not given', expect: 'undecided', missing: ['labs.eosinophilsPerMicroliter'], facts: {} },
];

/** A copy of rules/ with the new rule (its evidence borrowed from an existing rule) and its cases. */
const rulesWithNewRule = (expectOfFirstCase: 'fires' | 'silent' = 'fires') =>
  rulesWithAddedRule(newRule, newCases(expectOfFirstCase));

afterAll(removeRuleCopies);

describe('adding a rule', () => {
  it('needs only the rule file and its case file: both pass the checks and every case comes out as expected', async () => {
    const dir = rulesWithNewRule();

    const failures = await failingCases(dir);

    expect(checkRuleFiles(dir).knowledgeBase.rules.map((r) => r.name)).toContain(NEW_RULE);
    expect(failures).toEqual([]);
  });

  it('fails on a wrong expectation, naming the rule and the case', async () => {
    const failures = await failingCases(rulesWithNewRule('silent'));

    expect(failures).toEqual([expect.stringMatching(/^eosinophilia-noted, case "1500\/uL": expected silent, came out fires/)]);
  });

  it('refuses a rule without a case file, naming the rule', () => {
    const dir = rulesWithNewRule();
    rmSync(path.join(dir, 'cases', `${NEW_RULE}.json`));

    const attempt = () => checkRuleFiles(dir);

    expect(attempt).toThrow(RuleFilesInvalidError);
    try {
      attempt();
    } catch (error) {
      expect((error as RuleFilesInvalidError).problems.map(formatProblem)).toContain(
        'rules/eosinophilia-noted.json: has no case file: add rules/cases/eosinophilia-noted.json',
      );
    }
  });
});
