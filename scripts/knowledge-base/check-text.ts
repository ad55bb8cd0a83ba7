import { derivedFactsById } from '../../functions/core/derived-facts.js';
import { conditionPath, patientFactPath } from '../../functions/core/fact-paths.js';
import { fillPlaceholders, placeholdersIn, WIDEST_WRITTEN, type TextValue } from '../../functions/core/finding-text.js';
import { canonicalJson } from '../../functions/core/json-values.js';
import {
  childrenOf,
  isFactCondition,
  type Condition,
  type FactCondition,
  type RuleDefinition,
} from '../../functions/core/rule-definition.js';
import { deref, factSchemaAt } from './fact-schema.js';

/**
 * Build-time checks of the fact values a rule's text shows (`values` and their `{{name}}`
 * placeholders, functions/core/finding-text.ts): each names a value of the rule; each value is a
 * fact or derived fact the rule reads, of a kind its format can write, known whenever its text is
 * shown (the rule fired, and for a note its `when` came out true); and the summary stays under 140
 * characters with every value at the widest its format writes.
 */

const SUMMARY_LIMIT = 139;

type Report = (where: string, problem: string) => void;

/** What a condition or a text value reads: a fact by dotted path, or a derived fact with its params. */
function keyOf(fact: string, path: string | undefined, params: Record<string, unknown> | undefined): string {
  return derivedFactsById.has(fact) ? `${fact} ${canonicalJson(params ?? {})}` : patientFactPath({ fact, path });
}

function leavesOf(condition: Condition): FactCondition[] {
  return isFactCondition(condition) ? [condition] : childrenOf(condition).flatMap(leavesOf);
}

/** Everything a rule's conditions read: each leaf's fact, and the inputs of its derived facts. */
function factsRead(rule: RuleDefinition): Set<string> {
  const read = new Set<string>();
  for (const leaf of leavesOf(rule.conditions as Condition)) {
    read.add(keyOf(leaf.fact, leaf.path, leaf.params));
    for (const input of derivedFactsById.get(leaf.fact)?.inputs(leaf.params ?? {}) ?? []) read.add(input);
  }
  return read;
}

/**
 * What is known whenever `condition` is true: a leaf that holds has a known fact (only `known`
 * holds of an unknown one), with the inputs of a derived fact that is unknown without them; an
 * `all` holds with each of its parts; an `any` with at least one, so only what all of them share.
 */
function knownWhenTrue(condition: Condition): Set<string> {
  if (isFactCondition(condition)) {
    if (condition.operator === 'known')
      return new Set(condition.value === true ? [keyOf(condition.fact, condition.path, condition.params)] : []);
    const derived = derivedFactsById.get(condition.fact);
    const inputs = derived?.knownOnlyWithInputs ? derived.inputs(condition.params ?? {}) : [];
    return new Set([keyOf(condition.fact, condition.path, condition.params), ...inputs]);
  }
  const parts = childrenOf(condition).map(knownWhenTrue);
  if ('all' in condition) return new Set(parts.flatMap((part) => [...part]));
  const [first, ...rest] = parts;
  return new Set([...(first ?? [])].filter((key) => rest.every((part) => part.has(key))));
}

function conditionsNamed(condition: Condition, name: string): Condition[] {
  const own = condition.name === name ? [condition] : [];
  return isFactCondition(condition) ? own : [...own, ...childrenOf(condition).flatMap((child) => conditionsNamed(child, name))];
}

/**
 * What kind of value a text value is: a number, a list of strings, a coded value (a string fact
 * whose schema lists its values), the matches of a value-set fact, or something no format writes.
 */
function kindOf(value: TextValue): 'number' | 'list' | 'code' | 'matches' | 'other' | undefined {
  const derived = derivedFactsById.get(value.fact);
  if (derived)
    return value.format === 'matches' || value.format === 'matchNotes'
      ? derived.matchedEntries
        ? 'matches'
        : 'other'
      : derived.valueType;
  const schema = factSchemaAt(conditionPath(value));
  if (schema === undefined) return undefined;
  if (schema.type === 'number') return 'number';
  if ((schema.type === undefined || schema.type === 'string') && codesOf(value) !== undefined) return 'code';
  if (schema.type === 'array' && deref(schema.items ?? {}).type === 'string') return 'list';
  return 'other';
}

/** The values a coded fact's schema allows (its enum of strings), or undefined when it lists none. */
function codesOf(value: TextValue): string[] | undefined {
  const codes = factSchemaAt(conditionPath(value))?.enum;
  return codes !== undefined && codes.every((code) => typeof code === 'string') ? (codes as string[]) : undefined;
}

/** What kind of value each format writes. */
const FORMAT_KIND: Readonly<Record<TextValue['format'], string>> = {
  number: 'number',
  signedPercent: 'number',
  code: 'code',
  entries: 'list',
  matches: 'matches',
  matchNotes: 'matches',
};

/** The widest text a value can be written as, for the summary's length; undefined for a list (it has no widest). */
function widestOf(value: TextValue): number | undefined {
  switch (value.format) {
    case 'number':
    case 'signedPercent':
      return WIDEST_WRITTEN[value.format];
    case 'code':
      return Math.max(0, ...(codesOf(value) ?? []).map((code) => code.length));
    default:
      return undefined;
  }
}

/** Checks the values and placeholders of one rule (as compiled: shared conditions expanded). */
export function checkText(rule: RuleDefinition, report: Report): void {
  const { summary, detail, notes, values = {} } = rule.event.params;
  const root = rule.conditions as Condition;
  const read = factsRead(rule);
  const knownWhenFiring = knownWhenTrue(root);
  const texts: { where: string; text: string; when?: string }[] = [
    { where: 'event.params.summary', text: summary },
    { where: 'event.params.detail', text: detail },
    ...(notes ?? []).map((note, i) => ({ where: `event.params.notes[${i}].text`, text: note.text, when: note.when })),
  ];

  for (const [name, value] of Object.entries(values)) {
    const where = `event.params.values.${name}`;
    const derived = derivedFactsById.get(value.fact);
    if (derived ? value.path !== undefined : value.params !== undefined) {
      report(where, derived ? `derived fact ${value.fact} takes params, not a path` : `fact ${value.fact} takes no params`);
    }
    const kind = kindOf(value);
    if (kind === undefined) {
      report(
        `${where}.fact`,
        `unknown fact path "${conditionPath(value)}" (not in schemas/patient-facts.schema.json, nor a derived fact)`,
      );
      continue;
    }
    if (!read.has(keyOf(value.fact, value.path, value.params))) {
      report(
        where,
        `the rule does not read ${keyOf(value.fact, value.path, value.params)}: a text may show only a value its rule reads`,
      );
    }
    const fits = FORMAT_KIND[value.format] === kind;
    if (!fits) report(`${where}.format`, `format ${value.format} cannot write ${conditionPath(value)} (a ${kind})`);
    if (!texts.some(({ text }) => placeholdersIn(text).includes(name))) report(where, `{{${name}}} is in no text of the rule`);
  }

  for (const { where, text, when } of texts) {
    const known = new Set(knownWhenFiring);
    if (when !== undefined) {
      const named = conditionsNamed(root, when).map(knownWhenTrue);
      for (const key of named[0] ?? []) if (named.every((set) => set.has(key))) known.add(key);
    }
    for (const name of placeholdersIn(text)) {
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined) {
        report(where, `{{${name}}} is not one of the rule's values`);
        continue;
      }
      if (!known.has(keyOf(value.fact, value.path, value.params))) {
        report(
          where,
          `{{${name}}} may not be known when this text is shown: make the rule${when ? ` (or "${when}")` : ''} hold only when ${keyOf(value.fact, value.path, value.params)} is known`,
        );
      }
    }
  }

  for (const { where, text, when } of texts) {
    for (const name of placeholdersIn(text)) {
      if (values[name]?.format === 'matchNotes' && when === undefined) {
        report(where, `{{${name}}} (matchNotes) may be empty: show it in a note, which is left out when it is`);
      }
    }
  }
  for (const name of placeholdersIn(summary)) {
    if (values[name] !== undefined && widestOf(values[name]) === undefined) {
      report('event.params.summary', `{{${name}}} is a list, which has no widest value: show it in the detail`);
    }
  }
  const widestWritten = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, 'x'.repeat(widestOf(value) ?? 0)]),
  );
  const widest = fillPlaceholders(summary, widestWritten, '')!;
  if (widest.length > SUMMARY_LIMIT) {
    report('event.params.summary', `is ${widest.length} characters with its values at their widest: at most ${SUMMARY_LIMIT}`);
  }
}
