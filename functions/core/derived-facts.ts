import type { Almanac } from 'json-rules-engine';
import { readDottedPath } from './fact-paths.js';
import { quoteEntry, type MatchedEntry } from './finding-text.js';
import { isObject } from './json-values.js';
import { readKitVariant } from './normalise-facts.js';
import { RULE_OUTCOMES, type RuleOutcome } from './three-valued.js';
import { matchesIn, words, type ValueSet, type ValueSetMatch } from './value-sets.js';

/**
 * Facts computed from other facts, for what a JSON condition cannot express: a relative change
 * between two values, and a count over other rules' outcomes. They are generic: rules choose what
 * to compute through `params`, so adding a rule never needs code.
 */

/**
 * The per-run almanac: json-rules-engine's, which can also tell how a rule already run came out,
 * and give the knowledge base's value sets and the run's facts.
 */
export interface RunContext {
  outcome(ruleId: string): RuleOutcome;
  valueSet(name: string): ValueSet | undefined;
  readonly facts: object;
}

/** What the build's checks know when they check a rule's params. */
export interface ParamsContext {
  ruleIds: ReadonlySet<string>;
  valueSets: Readonly<Record<string, ValueSet>>;
}

export interface DerivedFact {
  id: string;
  /** The facts the value is computed from, as dotted paths (`ruleOutcomes.<id>` for outcomes). */
  inputs(params: Record<string, unknown>): string[];
  /** The facts to ask for when the value is unknown (default: all the inputs). */
  asks?(params: Record<string, unknown>): string[];
  calculate(params: Record<string, unknown>, almanac: Almanac): unknown;
  /** What the value is, for the rule-file checks of operators and text placeholders. */
  valueType: 'number' | 'list';
  /** Whether a known value means every input is known (so rule text may show the inputs). */
  knownOnlyWithInputs: boolean;
  /** Checks a rule's params at build time; returns what is wrong, if anything. */
  checkParams(params: unknown, context: ParamsContext): string | undefined;
  /**
   * Only for a fact of value-set matches: each entry matched with its member and the member's note,
   * for a finding's text (formats `matches` and `matchNotes`); undefined when it is not known.
   */
  matchedEntries?(
    params: Record<string, unknown>,
    facts: object,
    valueSets: Readonly<Record<string, ValueSet>>,
  ): MatchedEntry[] | undefined;
}

const contextOf = (almanac: Almanac) => almanac as unknown as RunContext;

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

const MEASURES = ['serumTryptaseNgMl', 'urinaryNMethylhistamine', 'boneMarrowMastCellPercent'] as const;

/**
 * Change from baseline to current, in percent of baseline: positive when the value rose (250 from
 * 100 is +150), negative when it fell (12.5 from 71 is about -82). Unknown when either value is
 * missing; 0 when the baseline is 0, as the change cannot be put in percent of nothing. Dividing
 * first keeps huge (schema-valid) values finite; round cases stay exact (96 from 120 is -20).
 */
function percentChange(baseline: unknown, current: unknown): number | undefined {
  if (typeof baseline !== 'number' || typeof current !== 'number') return undefined;
  if (baseline === 0) return 0;
  return ((current - baseline) / baseline) * 100;
}

const percentChangeFromBaseline: DerivedFact = {
  id: 'percentChangeFromBaseline',
  inputs: (params) => [`treatmentCourse.baseline.${String(params.measure)}`, `treatmentCourse.current.${String(params.measure)}`],
  calculate: async (params, almanac) => {
    const course = await almanac.factValue<Record<string, Record<string, unknown> | undefined> | undefined>('treatmentCourse');
    const measure = String(params.measure);
    return percentChange(course?.baseline?.[measure], course?.current?.[measure]);
  },
  valueType: 'number',
  knownOnlyWithInputs: true,
  checkParams: (params) => {
    const measure = (params as { measure?: unknown } | undefined)?.measure;
    return (MEASURES as readonly unknown[]).includes(measure) && Object.keys(params as object).length === 1
      ? undefined
      : `params must be {"measure": one of ${MEASURES.join(', ')}}`;
  },
};

const countOfRules: DerivedFact = {
  id: 'countOfRules',
  inputs: (params) => (params.rules as string[]).map((id) => `ruleOutcomes.${id}`),
  calculate: (params, almanac) => {
    const wanted = params.withOutcome as RuleOutcome[];
    return (params.rules as string[]).filter((id) => wanted.includes(contextOf(almanac).outcome(id))).length;
  },
  valueType: 'number',
  knownOnlyWithInputs: true,
  checkParams: (params, { ruleIds }) => {
    const { rules, withOutcome, ...rest } = (params ?? {}) as { rules?: unknown; withOutcome?: unknown };
    const shape = `params must be {"rules": [rule ids], "withOutcome": [some of ${RULE_OUTCOMES.join(', ')}]}`;
    if (Object.keys(rest).length > 0 || !Array.isArray(rules) || !Array.isArray(withOutcome)) return shape;
    if (rules.length === 0 || withOutcome.length === 0) return shape;
    const unknownRule = rules.find((id) => typeof id !== 'string' || !ruleIds.has(id));
    if (unknownRule !== undefined) return `countOfRules names an unknown rule: ${String(unknownRule)}`;
    const unknownOutcome = withOutcome.find((o) => !(RULE_OUTCOMES as readonly unknown[]).includes(o));
    return unknownOutcome === undefined ? undefined : `unknown outcome: ${String(unknownOutcome)}`;
  },
};

/** The entries of `params.lists` matched in `set` (only `params.member`'s, if given); undefined when no list is given. */
function entriesMatched(params: Record<string, unknown>, facts: object, set: ValueSet): ValueSetMatch[] | undefined {
  const lists = (params.lists as string[]).map((list) => readDottedPath(facts, list)).filter(isStringList);
  if (lists.length === 0) return undefined;
  const only = params.member as string | undefined;
  return matchesIn(set, lists).filter(({ member }) => only === undefined || member === only);
}

/**
 * The entries of one or more string lists that name a member of a value set: `{"valueSet": name,
 * "lists": [dotted paths]}`, or only one member of it with `"member": name` (a statement that holds
 * for that drug alone, such as the label naming erythromycin). Unknown when none of the lists is given; otherwise the matches, each
 * shown by its words alone (lower case, no punctuation: the rationale quotes them into Markdown that
 * EHRs render, so no markup a record may hold comes through), with the member it was taken for when
 * the words differ ("tegretol = carbamazepine"), and the member's note where its sources class it
 * differently (knowledge-base spec v3: the finding says which source classes a drug how).
 * Only the first list is asked for when unknown: the others are deprecated spellings of it.
 */
const valueSetMatches: DerivedFact = {
  id: 'valueSetMatches',
  inputs: (params) => params.lists as string[],
  asks: (params) => (params.lists as string[]).slice(0, 1),
  calculate: (params, almanac) => {
    const context = contextOf(almanac);
    const matches = entriesMatched(params, context.facts, context.valueSet(params.valueSet as string)!);
    return matches?.map(({ listed, member, note }) => {
      const shown = words(listed).join(' ');
      const named = shown === words(member).join(' ') ? shown : `${shown} = ${member}`;
      return note ? `${named} (${note})` : named;
    });
  },
  matchedEntries: (params, facts, valueSets) => entriesMatched(params, facts, valueSets[params.valueSet as string]!),
  valueType: 'list',
  // Known when any one of its lists is given.
  knownOnlyWithInputs: false,
  checkParams: (params, { valueSets }) => {
    const shape =
      'params must be {"valueSet": a value set of knowledge-base.json, "lists": [dotted paths of string lists], "member"?: a member of the set}';
    if (!isObject(params) || !isStringList(params.lists) || params.lists.length === 0) return shape;
    if (Object.keys(params).some((key) => !['valueSet', 'lists', 'member'].includes(key))) return shape;
    if (typeof params.valueSet !== 'string' || !Object.hasOwn(valueSets, params.valueSet)) {
      return `unknown value set "${String(params.valueSet)}" (not in knowledge-base.json)`;
    }
    const members = valueSets[params.valueSet]!.members.map((m) => m.name);
    if (params.member !== undefined && !members.includes(params.member as string)) {
      return `"${String(params.member)}" is not a member of the value set ${params.valueSet}`;
    }
    return undefined;
  },
};

const KIT_VARIANTS = 'molecular.kitOtherMutations';

/** The other KIT variant entries of the run (normalised), or undefined when the list is not given. */
function kitEntries(almanac: Almanac): string[] | undefined {
  const list = readDottedPath(contextOf(almanac).facts, KIT_VARIANTS);
  return isStringList(list) ? list : undefined;
}

/**
 * The other KIT variants (normalised) that are one of `variants`, or start at a codon within
 * `codons` [from, to] and are not one of `except`. Unknown when the list is not given, and when
 * none matched but an entry could not be read: it might have been one.
 */
const kitVariantsFound: DerivedFact = {
  id: 'kitVariantsFound',
  inputs: () => [KIT_VARIANTS],
  calculate: (params, almanac) => {
    const list = kitEntries(almanac);
    if (list === undefined) return undefined;
    const variants = (params.variants as string[] | undefined) ?? [];
    const except = (params.except as string[] | undefined) ?? [];
    const [from, to] = (params.codons as [number, number] | undefined) ?? [1, 0];
    const read = list.map(readKitVariant);
    const found = read
      .filter((v) => v !== undefined)
      .filter((v) => variants.includes(v.canonical) || (v.codon >= from && v.codon <= to && !except.includes(v.canonical)))
      .map((v) => v.canonical);
    if (found.length > 0) return found;
    return read.includes(undefined) ? undefined : [];
  },
  valueType: 'list',
  knownOnlyWithInputs: true,
  checkParams: (params) => {
    const shape =
      'params must be {"variants"?: [one-letter variants], "codons"?: [from, to], "except"?: [one-letter variants]}, with variants or codons';
    if (!isObject(params)) return shape;
    const { variants, codons, except, ...rest } = params;
    if (Object.keys(rest).length > 0 || (variants === undefined && codons === undefined)) return shape;
    for (const list of [variants, except]) {
      if (list === undefined) continue;
      if (!isStringList(list) || list.length === 0) return shape;
      const unreadable = list.find((v) => readKitVariant(v)?.canonical !== v);
      if (unreadable !== undefined) return `"${unreadable}" is not a variant in one-letter protein notation`;
    }
    const range = codons as unknown[] | undefined;
    if (
      range !== undefined &&
      !(range.length === 2 && range.every((c) => Number.isInteger(c)) && (range[0] as number) <= (range[1] as number))
    ) {
      return 'codons must be [from, to], two whole numbers with from <= to';
    }
    return undefined;
  },
};

/**
 * The other KIT variant entries that cannot be read (knowledge-base spec v3, KIT notation: they may
 * be D816V or another exon-17 variant), each quoted (quoteEntry) since the rationale shows them.
 * Unknown when the list is not given; [] when every entry was read.
 */
const kitVariantsUnreadable: DerivedFact = {
  id: 'kitVariantsUnreadable',
  inputs: () => [KIT_VARIANTS],
  calculate: (_params, almanac) =>
    kitEntries(almanac)
      ?.filter((entry) => readKitVariant(entry) === undefined)
      .map(quoteEntry),
  valueType: 'list',
  knownOnlyWithInputs: true,
  checkParams: (params) =>
    params === undefined || (isObject(params) && Object.keys(params).length === 0) ? undefined : 'takes no params ({} or none)',
};

export const derivedFacts: readonly DerivedFact[] = [
  percentChangeFromBaseline,
  countOfRules,
  valueSetMatches,
  kitVariantsFound,
  kitVariantsUnreadable,
];

export const derivedFactsById: ReadonlyMap<string, DerivedFact> = new Map(derivedFacts.map((f) => [f.id, f]));
