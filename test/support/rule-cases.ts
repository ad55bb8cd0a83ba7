import type { Evaluator, PatientFacts } from '../../functions/core/index.js';
import { readCaseFiles, type RuleCase } from '../../scripts/knowledge-base/check-cases.js';
import { evaluatorFor } from './rule-folders.js';

/** How a rule came out, in the words of a case file. */
export type CaseOutcome = RuleCase['expect'];

/**
 * Runs one case of `ruleId` and says what is wrong with it, or undefined when it came out as
 * expected. `silent` means the rule neither fired nor is undecided; `missing` facts must be listed
 * in `missingFacts` with the rule among those they would decide.
 */
export async function checkCase(evaluator: Evaluator, ruleId: string, c: RuleCase): Promise<string | undefined> {
  const { result, outcomes } = await evaluator.evaluateWithOutcomes(c.facts as PatientFacts);
  const outcome = outcomes[ruleId];
  if (outcome === undefined) return `there is no rule ${ruleId}`;
  const got: CaseOutcome = outcome === 'fired' ? 'fires' : outcome === 'undecided' ? 'undecided' : 'silent';
  const fired = result.findings.map((f) => f.ruleId);
  const missingFor = result.missingFacts.filter((m) => m.neededBy.includes(ruleId)).map((m) => m.fact);
  const cameOut = `came out ${got} (${outcome}); fired: [${fired.join(', ')}]; missing for this rule: [${missingFor.join(', ')}]`;
  if (got !== c.expect) return `expected ${c.expect}, ${cameOut}`;
  if (got === 'fires' && !fired.includes(ruleId)) return `fired but has no finding; ${cameOut}`;
  const notListed = (c.missing ?? []).filter((fact) => !missingFor.includes(fact));
  if (notListed.length > 0) return `expected [${notListed.join(', ')}] among the missing facts; ${cameOut}`;
  return undefined;
}

/** Every case of the rules of `rulesDir` that does not come out as it expects, named by rule and case. */
export async function failingCases(rulesDir: string): Promise<string[]> {
  const evaluator = evaluatorFor(rulesDir);
  const failures: string[] = [];
  for (const [ruleId, file] of readCaseFiles(rulesDir)) {
    for (const c of file.cases) {
      const problem = await checkCase(evaluator, ruleId, c);
      if (problem) failures.push(`${ruleId}, case "${c.name}": ${problem}`);
    }
  }
  return failures;
}
