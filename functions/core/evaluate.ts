import { isKnown } from './operators.js';
import { readDottedPath } from './fact-paths.js';
import { knowledgeBase, knowledgeBaseInfo, rulesById } from './knowledge-base.js';
import { buildRationale, factsReadBy, type FactReader } from './rationale.js';
import { RuleEngine, type RuleRun } from './rule-engine.js';
import { undecidingLeaves } from './three-valued.js';
import type { EvaluationResult, Finding, Indicator, MissingFact, PatientFacts } from './types.js';
import { assertPatientFacts } from './validate-facts.js';

const INDICATOR_RANK: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };

/** Position of each rule in the knowledge base: priority first, then id (set by the generator). */
const ruleOrder = new Map(knowledgeBase.rules.map((rule, index) => [rule.name, index]));

/** Built once per process; each run gets its own almanac (see RuleEngine). */
const engine = new RuleEngine(knowledgeBase.rules);

function readerFor(facts: PatientFacts, runs: readonly RuleRun[]): FactReader {
  const outcomes = new Map(runs.map((run) => [run.ruleId, run.outcome]));
  return (dottedPath) =>
    dottedPath.startsWith('ruleOutcomes.')
      ? outcomes.get(dottedPath.slice('ruleOutcomes.'.length))
      : readDottedPath(facts, dottedPath);
}

function findingFor(run: RuleRun, read: FactReader): Finding {
  const { category, indicator, summary, detail, evidence, suggestedActions } = rulesById.get(run.ruleId)!.event.params;
  return {
    ruleId: run.ruleId,
    category,
    indicator,
    summary,
    detail,
    evidence: evidence.map(({ source, statement }) => {
      const { citation, pmid, url } = knowledgeBase.sources[source]!;
      return { citation, pmid, url, statement };
    }),
    rationale: buildRationale(run.conditions!, read),
    ...(suggestedActions ? { suggestedActions } : {}),
  };
}

function missingFactsOf(runs: readonly RuleRun[], read: FactReader): MissingFact[] {
  const neededBy = new Map<string, Set<string>>();
  for (const run of runs) {
    if (run.outcome !== 'undecided' || run.conditions === undefined) continue;
    for (const leaf of undecidingLeaves(run.conditions)) {
      for (const fact of factsReadBy(leaf)) {
        if (isKnown(read(fact))) continue;
        if (!neededBy.has(fact)) neededBy.set(fact, new Set());
        neededBy.get(fact)!.add(run.ruleId);
      }
    }
  }
  return [...neededBy.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([fact, ids]) => ({ fact, neededBy: [...ids].sort((a, b) => ruleOrder.get(a)! - ruleOrder.get(b)!) }));
}

/**
 * Evaluates the knowledge base on one patient's facts (facts.md). Validates them first and throws
 * InvalidPatientFactsError naming each offending field. Findings come critical, then warning, then
 * info, by rule priority within each; facts whose absence left a rule undecided are listed in
 * `missingFacts`. The same facts always give the same result.
 */
export async function evaluate(facts: PatientFacts): Promise<EvaluationResult> {
  const valid = assertPatientFacts(facts);
  const runs = await engine.run(valid);
  const read = readerFor(valid, runs);
  const findings = runs
    .filter((run) => run.outcome === 'fired')
    .map((run) => findingFor(run, read))
    .sort(
      (a, b) =>
        INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator] || ruleOrder.get(a.ruleId)! - ruleOrder.get(b.ruleId)!,
    );
  return { knowledgeBase: { ...knowledgeBaseInfo }, findings, missingFacts: missingFactsOf(runs, read) };
}
