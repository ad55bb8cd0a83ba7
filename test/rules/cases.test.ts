import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateWithOutcomes, knowledgeBaseInfo } from '../../functions/core/index.js';
import { readCaseFiles } from '../../scripts/knowledge-base/check-cases.js';
import { CASES_DIR, RULES_DIR, ruleIds } from '../../scripts/knowledge-base/rule-files.js';
import { loadReference } from '../reference/interpreter.js';
import { checkCase } from '../support/rule-cases.js';

/**
 * Every rule's cases, read from rules/cases/<id>.json: one generic test for any rule set. A rule
 * needs at least one case that fires and one that stays silent. Each case is also put to the
 * reference interpreter, written apart from the core, which must reach the same outcome.
 */

const caseFiles = readCaseFiles(RULES_DIR);
const builtIn = { info: knowledgeBaseInfo, evaluate, evaluateWithOutcomes };
const reference = loadReference(RULES_DIR);

describe.each(ruleIds())('rule %s', (ruleId) => {
  const file = path.join('rules', CASES_DIR, `${ruleId}.json`);
  const cases = caseFiles.get(ruleId)?.cases ?? [];

  it('has a case file with a case that fires and one that stays silent', () => {
    const expectations = new Set(cases.map((c) => c.expect));

    expect(caseFiles.has(ruleId), `${ruleId}: no case file ${file}`).toBe(true);
    expect(expectations.has('fires'), `${file}: no case that fires`).toBe(true);
    expect(expectations.has('silent'), `${file}: no case that stays silent`).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c.expect, c] as const))('%s: %s', async (name, _expect, c) => {
    const problem = await checkCase(builtIn, ruleId, c);

    expect(problem, `${file}, case "${name}": ${problem}`).toBeUndefined();
    const outcome = reference.outcomes(c.facts)[ruleId];
    expect(outcome === 'fired' ? 'fires' : outcome === 'undecided' ? 'undecided' : 'silent', 'the reference interpreter').toBe(
      c.expect,
    );
  });
});
