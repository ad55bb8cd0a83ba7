import { readDottedPath } from './fact-paths.js';
import { infoOf, knowledgeBase } from './knowledge-base.js';
import { isKnown } from './operators.js';
import { derivedFactsById } from './derived-facts.js';
import { conditionPath } from './fact-paths.js';
import { fillPlaceholders, writeValue, type TextValue } from './finding-text.js';
import { buildRationale, derivedValueIn, factsAskedBy, thresholdsIn, trueConditionNames, type FactReader } from './rationale.js';
import type { CompiledRule, EmbeddedKnowledgeBase } from './rule-definition.js';
import { RuleEngine, type RuleRun } from './rule-engine.js';
import { undecidingLeaves, type RuleOutcome } from './three-valued.js';
import type { ValueSet } from './value-sets.js';
import type {
  EvaluatedBooleanCondition,
  EvaluationResult,
  Finding,
  Indicator,
  KnowledgeBaseInfo,
  MissingFact,
  PatientFacts,
} from './types.js';
import { normaliseFacts, unreadableEntriesBehind } from './normalise-facts.js';
import { assertPatientFacts } from './validate-facts.js';

/** The one rank of indicators: findings and cards are shown critical first. */
export const INDICATOR_RANK: Readonly<Record<Indicator, number>> = Object.freeze({ critical: 0, warning: 1, info: 2 });

/** An evaluation with how every rule came out, for the rule cases and the review console. */
export interface EvaluationWithOutcomes {
  result: EvaluationResult;
  /** Every rule of the knowledge base, by id, in priority order. */
  outcomes: Record<string, RuleOutcome>;
}

/** One knowledge base, ready to evaluate patients' facts. */
export interface Evaluator {
  readonly info: KnowledgeBaseInfo;
  evaluate(facts: PatientFacts): Promise<EvaluationResult>;
  evaluateWithOutcomes(facts: PatientFacts): Promise<EvaluationWithOutcomes>;
}

/** Each of a rule's text values written out (undefined when not known), from the facts and its evaluated conditions. */
function writtenValues(
  values: Readonly<Record<string, TextValue>>,
  read: FactReader,
  conditions: EvaluatedBooleanCondition,
  facts: PatientFacts,
  valueSets: Readonly<Record<string, ValueSet>>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(values).map(([name, { fact, path, params, format }]) => {
      const derived = derivedFactsById.get(fact);
      const key = derived ? { fact, params: params ?? {} } : { fact: conditionPath({ fact, path }) };
      const value =
        derived && (format === 'matches' || format === 'matchNotes')
          ? derived.matchedEntries?.(params ?? {}, facts, valueSets)
          : derived
            ? derivedValueIn(conditions, fact, params ?? {})
            : read(conditionPath({ fact, path }));
      return [name, writeValue(value, format, thresholdsIn(conditions, key))];
    }),
  );
}

function readerFor(facts: PatientFacts, runs: readonly RuleRun[]): FactReader {
  const outcomes = new Map(runs.map((run) => [run.ruleId, run.outcome]));
  return (dottedPath) =>
    dottedPath.startsWith('ruleOutcomes.')
      ? outcomes.get(dottedPath.slice('ruleOutcomes.'.length))
      : readDottedPath(facts, dottedPath);
}

/**
 * An evaluator for a compiled knowledge base (what `npm run generate` embeds, or what the build's
 * checks return for another rules folder, as the tests of the rule cases do).
 */
export function createEvaluator(kb: EmbeddedKnowledgeBase): Evaluator {
  const info = infoOf(kb);
  const rulesById = new Map<string, CompiledRule>(kb.rules.map((rule) => [rule.name, rule]));
  /** Position of each rule: priority first, then id (the generator sorted them so). */
  const ruleOrder = new Map(kb.rules.map((rule, index) => [rule.name, index]));
  const byRuleOrder = (a: string, b: string) => ruleOrder.get(a)! - ruleOrder.get(b)!;
  /** Built once; each run gets its own almanac (see RuleEngine). */
  const engine = new RuleEngine(kb.rules, kb.valueSets);
  const valueSets = kb.valueSets ?? {};

  function findingFor(run: RuleRun, read: FactReader, facts: PatientFacts): Finding {
    const { category, indicator, summary, detail, notes, values, evidence, noSource, suggestedActions } = rulesById.get(
      run.ruleId,
    )!.event.params;
    const rationale = buildRationale(run.conditions!, read);
    const held = trueConditionNames(rationale.conditions);
    const shows = (item: { when?: string }) => item.when === undefined || held.has(item.when);
    const written = writtenValues(values ?? {}, read, rationale.conditions, facts, valueSets);
    // The build proves the summary's and the detail's values known when the rule fires; a note
    // whose value is not known is left out rather than shown with a gap.
    const fill = (text: string) => fillPlaceholders(text, written, 'not known')!;
    const shownNotes = (notes ?? []).filter(shows).flatMap((note) => fillPlaceholders(note.text, written) ?? []);
    const actions = (suggestedActions ?? []).filter(shows).map(({ when: _when, ...action }) => action);
    return {
      ruleId: run.ruleId,
      category,
      indicator,
      summary: fill(summary),
      detail: [fill(detail), ...shownNotes].join('\n\n'),
      evidence: evidence.filter(shows).map(({ source, statement, section, revision }) => {
        const { citation, pmid, url } = kb.sources[source]!;
        return { citation, pmid, url, statement, ...(section ? { section } : {}), ...(revision ? { revision } : {}) };
      }),
      ...(noSource ? { noSource } : {}),
      rationale,
      ...(actions.length > 0 ? { suggestedActions: actions } : {}),
    };
  }

  function missingFactsOf(runs: readonly RuleRun[], read: FactReader, facts: PatientFacts): MissingFact[] {
    const neededBy = new Map<string, Set<string>>();
    for (const run of runs) {
      if (run.outcome !== 'undecided' || run.conditions === undefined) continue;
      for (const leaf of undecidingLeaves(run.conditions)) {
        for (const fact of factsAskedBy(leaf)) {
          if (isKnown(read(fact))) continue;
          if (!neededBy.has(fact)) neededBy.set(fact, new Set());
          neededBy.get(fact)!.add(run.ruleId);
        }
      }
    }
    const behind = unreadableEntriesBehind(facts);
    return [...neededBy.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([fact, ids]) => ({
        fact,
        neededBy: [...ids].sort(byRuleOrder),
        ...(Object.hasOwn(behind, fact) ? { unreadableEntries: behind[fact]! } : {}),
      }));
  }

  function knowledgeBaseOfAnswer(): KnowledgeBaseInfo {
    const { warnings, ...rest } = info;
    return warnings ? { ...rest, warnings: [...warnings] } : { ...rest };
  }

  async function evaluateWithOutcomes(facts: PatientFacts): Promise<EvaluationWithOutcomes> {
    const valid = normaliseFacts(assertPatientFacts(facts, valueSets));
    const runs = await engine.run(valid);
    const read = readerFor(valid, runs);
    const findings = runs
      .filter((run) => run.outcome === 'fired')
      .map((run) => findingFor(run, read, valid))
      .sort((a, b) => INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator] || byRuleOrder(a.ruleId, b.ruleId));
    const outcomes = Object.fromEntries(
      [...runs].sort((a, b) => byRuleOrder(a.ruleId, b.ruleId)).map((run) => [run.ruleId, run.outcome]),
    );
    return {
      result: { knowledgeBase: knowledgeBaseOfAnswer(), findings, missingFacts: missingFactsOf(runs, read, valid) },
      outcomes,
    };
  }

  return {
    info,
    evaluateWithOutcomes,
    evaluate: async (facts) => (await evaluateWithOutcomes(facts)).result,
  };
}

const builtIn = createEvaluator(knowledgeBase);

/**
 * Evaluates the built-in knowledge base on one patient's facts (facts.md). Validates them first and
 * throws InvalidPatientFactsError naming each offending field. Findings come critical, then
 * warning, then info, by rule priority within each; facts whose absence left a rule undecided are
 * listed in `missingFacts`. The same facts always give the same result.
 */
export function evaluate(facts: PatientFacts): Promise<EvaluationResult> {
  return builtIn.evaluate(facts);
}

/**
 * evaluate(), also telling how each rule came out (`fired`, `not-fired`, `not-applicable`,
 * `undecided`), which the public answer shows only through its findings and missing facts.
 */
export function evaluateWithOutcomes(facts: PatientFacts): Promise<EvaluationWithOutcomes> {
  return builtIn.evaluateWithOutcomes(facts);
}

/** The built-in knowledge base: id, version, digest, status, last review, warnings. */
export const knowledgeBaseInfo: KnowledgeBaseInfo = builtIn.info;
