import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factForm, fieldsOf, groupsOf, type FactField, type SchemaNode } from '../../console/src/schema-fields.js';
import { derivedFactsById } from '../../functions/core/derived-facts.js';
import { patientFactPath } from '../../functions/core/fact-paths.js';
import { numericOperators } from '../../functions/core/operators.js';
import { childrenOf, isFactCondition, type CompiledKnowledgeBase, type Condition } from '../../functions/core/rule-definition.js';
import { assertPatientFacts } from '../../functions/core/validate-facts.js';
import { loadReference, type Outcome, type Reference } from '../../test/reference/interpreter.js';
import type { SilenceChange } from '../../console/src/review-data.js';
import { readCaseFiles, type RuleCase, type RuleCaseFile } from './check-cases.js';
import type { RuleFileProblem } from './problems.js';
import { CASES_DIR } from './rule-files.js';

/**
 * What keeps a safety rule silent (knowledge-base spec v3, "no silent path"; issue 16 item 6).
 *
 * For every critical and warning rule, each of its firing cases is changed one fact at a time, and
 * the reference interpreter (test/reference, written apart from the core) says how the rule then
 * comes out. Each fact the rule reads, directly or through the rules it counts, is tried:
 * - absent, and its whole section absent;
 * - `"unknown"`, and each other value of its value set (yes for no);
 * - just below, at and just above each threshold the rules compare it with; a number read only
 *   through a derived fact (a fall from baseline) just across the point where the rule changes;
 * - an empty list, and a list of one of its entries.
 *
 * Every change that turns a firing case silent or undecided must be made by a case of the rule: a
 * case with that outcome, whose value of the fact is of the same kind as the change's (absent,
 * the same value, the same side of every threshold, an empty list, ...), and which fires once that
 * fact is put back as a firing case has it. Its name starts with "silent: " or "undecided: " and
 * says why silence is right there. That list is how a reviewer signs a rule: every way it can fall
 * silent, each with the case that shows it.
 */

const SAFETY_INDICATORS: ReadonlySet<string> = new Set(['critical', 'warning']);

/** How a rule comes out of a case, in the words of the case files. */
type CaseOutcome = RuleCase['expect'];

/** Every safety rule's ways to fall silent, by rule id (rules without firing cases have none). */
export type SilenceReport = Map<string, SilenceChange[]>;
export type { SilenceChange };

type Facts = Record<string, unknown>;

const form = factForm(schema as SchemaNode);
const FIELDS: readonly FactField[] = fieldsOf(form);
const GROUP_PATHS: readonly string[] = groupsOf(form).map((group) => group.path);

function read(facts: unknown, path: string): unknown {
  let current = facts;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Facts)[segment];
  }
  return current;
}

/** A copy of `facts` with `path` set to `value` (or taken out when undefined), and no section left empty by it. */
function withValue(facts: Facts, path: string, value: unknown): Facts {
  const copy = structuredClone(facts);
  const segments = path.split('.');
  const parents: Facts[] = [copy];
  let node: Facts = copy;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node[segment] !== 'object' || node[segment] === null) {
      if (value === undefined) return copy;
      node[segment] = {};
    }
    node = node[segment] as Facts;
    parents.push(node);
  }
  const last = segments.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
  return copy;
}

const outcomeWord = (outcome: Outcome): CaseOutcome =>
  outcome === 'fired' ? 'fires' : outcome === 'undecided' ? 'undecided' : 'silent';

/** The rules whose outcome a rule reads (`countOfRules`), and theirs, with the rule itself. */
function closureOf(ruleId: string, kb: CompiledKnowledgeBase): Condition[] {
  const byId = new Map(kb.rules.map((rule) => [rule.name, rule]));
  const seen = new Set<string>();
  const trees: Condition[] = [];
  const visit = (id: string) => {
    if (seen.has(id) || !byId.has(id)) return;
    seen.add(id);
    const tree = byId.get(id)!.conditions as Condition;
    trees.push(tree);
    for (const leaf of leavesOf(tree)) {
      if (leaf.fact === 'countOfRules') for (const counted of (leaf.params?.rules as string[] | undefined) ?? []) visit(counted);
    }
  };
  visit(ruleId);
  return trees;
}

function leavesOf(condition: Condition): Extract<Condition, { fact: string }>[] {
  return isFactCondition(condition) ? [condition] : childrenOf(condition).flatMap(leavesOf);
}

/** What the rules of a closure read: fact paths, numeric comparisons by path, and numbers read through derived facts. */
interface Reads {
  /** The dotted paths read, directly or through derived facts. */
  paths: Set<string>;
  sections: Set<string>;
  thresholds: Map<string, { operator: string; value: number }[]>;
  derivedNumbers: Set<string>;
}

function readsOf(trees: readonly Condition[]): Reads {
  const reads: Reads = { paths: new Set(), sections: new Set(), thresholds: new Map(), derivedNumbers: new Set() };
  for (const leaf of trees.flatMap(leavesOf)) {
    const derived = derivedFactsById.get(leaf.fact);
    const paths = derived
      ? derived.inputs(leaf.params ?? {}).filter((p) => !p.startsWith('ruleOutcomes.'))
      : [patientFactPath(leaf)];
    for (const path of paths) {
      reads.paths.add(path);
      reads.sections.add(path.split('.')[0]!);
    }
    if (derived) {
      for (const path of paths) reads.derivedNumbers.add(path);
    } else if (numericOperators.has(leaf.operator) && typeof leaf.value === 'number') {
      const path = patientFactPath(leaf);
      const list = reads.thresholds.get(path) ?? [];
      if (!list.some((t) => t.operator === leaf.operator && t.value === leaf.value))
        list.push({ operator: leaf.operator, value: leaf.value });
      reads.thresholds.set(path, list);
    }
  }
  return reads;
}

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  lessThan: (a, b) => a < b,
  lessThanInclusive: (a, b) => a <= b,
  greaterThan: (a, b) => a > b,
  greaterThanInclusive: (a, b) => a >= b,
};

/**
 * The kind of a value for a change to match on: absent, "unknown", a list's size, a number's side of
 * every threshold on it (or just "a number" when only a derived fact reads it), or the value itself.
 */
function kindOf(value: unknown, thresholds: readonly { operator: string; value: number }[] | undefined): string {
  if (value === undefined) return 'absent';
  if (value === 'unknown') return 'unknown';
  if (Array.isArray(value)) return value.length === 0 ? 'empty list' : value.length === 1 ? 'one entry' : 'list';
  if (typeof value === 'number') {
    if (!thresholds || thresholds.length === 0) return 'a number';
    return `number ${thresholds.map((t) => (COMPARE[t.operator]!(value, t.value) ? 'T' : 'F')).join('')}`;
  }
  if (value !== null && typeof value === 'object') return 'present';
  return JSON.stringify(value);
}

/** Just below, at and just above a threshold: by 1 for whole thresholds from 10 up, else by 1%. */
function aroundThreshold(threshold: number): number[] {
  const step = Number.isInteger(threshold) && Math.abs(threshold) >= 10 ? 1 : Math.max(Math.abs(threshold), 1) / 100;
  return [threshold - step, threshold, threshold + step].map((v) => Number(v.toPrecision(12))).filter((v) => v >= 0);
}

/**
 * `value` with the fewest significant digits (two at least) that keep it on its side of the change
 * and within 1% of it: 80.00001 becomes 80 when 80 is on the same side, 79.99999 becomes 79.9 when
 * it is not.
 */
function rounded(value: number, away: 'down' | 'up', sameSide: (v: number) => boolean): number {
  if (value === 0) return 0;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  for (let digits = 2; digits <= 12; digits++) {
    const scale = 10 ** (magnitude - digits + 1);
    for (const round of [Math.round, away === 'down' ? Math.floor : Math.ceil]) {
      const candidate = Number((round(value / scale) * scale).toPrecision(digits + 1));
      if (candidate >= 0 && Math.abs(candidate - value) <= Math.abs(value) / 100 && sameSide(candidate)) return candidate;
    }
  }
  return value;
}

/**
 * Where a number read through a derived fact changes the rule's outcome, other facts held: a
 * coarse scan over orders of magnitude around the firing value, then bisection of each step
 * where the outcome differs. Returns values just on the far side of each such point.
 */
function acrossDerivedPoints(outcomeAt: (v: number) => Outcome, firing: unknown): number[] {
  const base = typeof firing === 'number' && firing > 0 ? firing : 1;
  const grid = [0, ...Array.from({ length: 25 }, (_, i) => base * 2 ** (i - 12))];
  const outcomes = grid.map(outcomeAt);
  const points: number[] = [];
  for (let i = 1; i < grid.length; i++) {
    if (outcomes[i] === outcomes[i - 1]) continue;
    let [lo, hi] = [grid[i - 1]!, grid[i]!];
    const loOutcome = outcomes[i - 1];
    for (let step = 0; step < 40; step++) {
      const mid = (lo + hi) / 2;
      if (outcomeAt(mid) === loOutcome) lo = mid;
      else hi = mid;
    }
    const far = outcomes[i] === 'fired' ? lo : hi;
    const farOutcome = outcomeAt(far);
    points.push(rounded(far, far === lo ? 'down' : 'up', (v) => outcomeAt(v) === farOutcome));
  }
  return points;
}

/** The values to try for one fact of a firing case. */
function trialValues(field: FactField, firing: unknown, reads: Reads, outcomeAt: (v: unknown) => Outcome): unknown[] {
  const values: unknown[] = [undefined];
  switch (field.kind) {
    case 'choice':
      values.push(...(field.options ?? []));
      break;
    case 'yes-no':
      values.push(true, false);
      break;
    case 'list':
      values.push([]);
      if (Array.isArray(firing) && firing.length > 1) values.push(...firing.map((entry: unknown) => [entry]));
      break;
    case 'number':
      for (const t of reads.thresholds.get(field.path) ?? []) values.push(...aroundThreshold(t.value));
      if (reads.derivedNumbers.has(field.path)) values.push(...acrossDerivedPoints((v) => outcomeAt(v), firing));
      break;
  }
  return values.filter((v) => JSON.stringify(v) !== JSON.stringify(firing));
}

const shown = (value: unknown) => (value === undefined ? 'absent' : JSON.stringify(value));

function changeWords(value: unknown, firing: unknown, isSection: boolean): string {
  if (isSection) return 'the whole section absent';
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `only ${JSON.stringify(value[0])}`;
  return firing === undefined
    ? `${shown(value)} (not given in the firing case)`
    : `${shown(value)} (the firing case has ${shown(firing)})`;
}

/**
 * A section counts as absent from a case when every fact the rules read in it is: "counts not
 * given" shows the same silence as "no labs at all".
 */
function sectionKind(facts: Facts, section: string, reads: Reads): string {
  const inside = [...reads.paths].filter((p) => p === section || p.startsWith(`${section}.`));
  return inside.every((p) => read(facts, p) === undefined) ? 'section absent' : 'present';
}

const PREFIX = /^(silent|undecided): \S/;

/**
 * The ways each critical and warning rule of `kb` falls silent, with the case of `cases` that
 * makes each change; `reference` decides every outcome.
 */
export function silenceOf(
  kb: CompiledKnowledgeBase,
  cases: ReadonlyMap<string, RuleCaseFile>,
  reference: Reference,
): SilenceReport {
  const report: SilenceReport = new Map();
  const valid = (facts: Facts) => {
    try {
      assertPatientFacts(facts, kb.valueSets);
      return true;
    } catch {
      return false;
    }
  };
  for (const rule of kb.rules) {
    if (!SAFETY_INDICATORS.has(rule.event.params.indicator)) continue;
    const ruleCases = cases.get(rule.name)?.cases ?? [];
    const firing = ruleCases.filter((c) => c.expect === 'fires');
    const reads = readsOf(closureOf(rule.name, kb));
    const fields = FIELDS.filter((field) => reads.sections.has(field.path.split('.')[0]!));
    const groups = GROUP_PATHS.filter((path) => reads.sections.has(path.split('.')[0]!));
    const outcomeOf = (facts: Facts) => reference.outcomes(facts)[rule.name]!;
    const found = new Map<string, { change: SilenceChange; kind: string }>();

    for (const fire of firing) {
      const tryChange = (path: string, value: unknown, isSection: boolean) => {
        const changed = withValue(fire.facts, path, value);
        if (!valid(changed)) return;
        const outcome = outcomeWord(outcomeOf(changed));
        if (outcome === 'fires') return;
        const kind = isSection ? 'section absent' : kindOf(value, reads.thresholds.get(path));
        const key = `${path} ${kind} ${outcome}`;
        if (found.has(key)) return;
        const words = changeWords(value, read(fire.facts, path), isSection);
        found.set(key, { change: { fact: path, change: words, outcome, from: fire.name }, kind });
      };
      for (const field of fields) {
        const firingValue = read(fire.facts, field.path);
        const outcomeAt = (v: unknown) => outcomeOf(withValue(fire.facts, field.path, v));
        for (const value of trialValues(field, firingValue, reads, outcomeAt)) tryChange(field.path, value, false);
      }
      for (const path of groups) if (read(fire.facts, path) !== undefined) tryChange(path, undefined, true);
    }

    const changes: SilenceChange[] = [];
    for (const { change, kind } of found.values()) {
      const makesIt = (c: RuleCase) => {
        if (c.expect !== change.outcome) return false;
        const ownKind =
          kind === 'section absent'
            ? sectionKind(c.facts, change.fact, reads)
            : kindOf(read(c.facts, change.fact), reads.thresholds.get(change.fact));
        if (ownKind !== kind) return false;
        return firing.some((fire) => outcomeOf(withValue(c.facts, change.fact, read(fire.facts, change.fact))) === 'fired');
      };
      const making = ruleCases.filter(makesIt);
      const named = making.find((c) => PREFIX.test(c.name) && c.name.startsWith(`${c.expect}:`));
      if (named) changes.push({ ...change, coveredBy: named.name });
      else if (making[0]) changes.push({ ...change, shownWithoutReasonBy: making[0].name });
      else changes.push(change);
    }
    report.set(
      rule.name,
      changes.sort((a, b) => (a.fact < b.fact ? -1 : a.fact > b.fact ? 1 : a.change < b.change ? -1 : 1)),
    );
  }
  return report;
}

/** A failing build for every change no case makes, naming the rule and the change. */
export function silenceProblems(report: SilenceReport, rulesDirName: string): RuleFileProblem[] {
  const problems: RuleFileProblem[] = [];
  for (const [ruleId, changes] of report) {
    for (const change of changes) {
      if (change.coveredBy) continue;
      const unnamed = change.shownWithoutReasonBy;
      problems.push({
        file: `${rulesDirName}/${CASES_DIR}/${ruleId}.json`,
        where: '',
        problem: unnamed
          ? `case "${unnamed}" shows that ${ruleId} is ${change.outcome} with ${change.fact} ${change.change}; start its name with "${change.outcome}: " and say why that is right`
          : `${ruleId} is ${change.outcome} with ${change.fact} ${change.change} (found from case "${change.from}"), and no case shows it: add a case "${change.outcome}: <why that is right>" with that change`,
      });
    }
  }
  return problems;
}

/** silenceOf for the rules and cases of `rulesDir`, as `kb` was compiled from them. */
export function silenceReportOf(rulesDir: string, kb: CompiledKnowledgeBase): SilenceReport {
  return silenceOf(kb, readCaseFiles(rulesDir), loadReference(rulesDir));
}
