import type { EvaluatedCondition, Rationale } from '../../functions/core/index.js';
import { h, type Child } from './dom.js';
import { truthMark, valueText } from './words.js';

/**
 * A finding's rationale as the page shows it: the evaluated condition tree, each condition marked
 * true, false or unknown in words and by a symbol (never by colour alone), with the fact it read
 * linked to its field of the form; and every fact value the rule read.
 */

/** A link to the form field of a fact, or the fact's name when the form has no such field. */
export type FactLink = (path: string) => Child;

function isBranch(condition: EvaluatedCondition): condition is Extract<EvaluatedCondition, { conditions: unknown }> {
  return 'conditions' in condition;
}

function paramsText(params: Record<string, unknown> | undefined): string {
  if (params === undefined) return '';
  return ` (${Object.entries(params)
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(', ')})`;
}

function conditionItem(condition: EvaluatedCondition, link: FactLink): HTMLLIElement {
  const mark = truthMark(condition.result);
  if (isBranch(condition)) {
    const joiner = condition.operator === 'all' ? 'all of' : 'any of';
    return h(
      'li',
      { class: `condition truth-${mark.key}` },
      h('span', { class: 'truth' }, mark.symbol, ' ', mark.word),
      ' ',
      condition.name ? h('strong', {}, condition.name) : null,
      condition.name ? ': ' : '',
      h('span', { class: 'joiner' }, joiner),
      condition.conditions.length > 0
        ? h('ul', { class: 'conditions' }, ...condition.conditions.map((child) => conditionItem(child, link)))
        : h('span', { class: 'empty' }, ' (no conditions: always true)'),
    );
  }
  return h(
    'li',
    { class: `condition truth-${mark.key}` },
    h('span', { class: 'truth' }, mark.symbol, ' ', mark.word),
    ' ',
    condition.name,
    h(
      'span',
      { class: 'leaf' },
      ' — ',
      link(condition.fact),
      paramsText(condition.params),
      ` ${condition.operator} `,
      h('code', {}, valueText(condition.expected)),
      '; the patient: ',
      h('code', {}, valueText(condition.actual)),
    ),
  );
}

/** The evaluated condition tree of `rationale`. */
export function conditionTree(rationale: Rationale, link: FactLink): HTMLUListElement {
  return h('ul', { class: 'conditions tree' }, conditionItem(rationale.conditions, link));
}

/** The fact values the rule read, each linked to its field; objects (a whole section) are left to their fields. */
export function factsRead(rationale: Rationale, link: FactLink): HTMLUListElement {
  const entries = Object.entries(rationale.facts).filter(
    ([, value]) => typeof value !== 'object' || value === null || Array.isArray(value),
  );
  return h(
    'ul',
    { class: 'facts-read' },
    ...entries.map(([path, value]) => h('li', {}, link(path), ': ', h('code', {}, valueText(value)))),
  );
}
