import { INDICATOR_RANK, type CompiledKnowledgeBase, type RuleOutcome } from '../../functions/core/index.js';
import { childrenOf, isFactCondition, type CompiledRule, type Condition } from '../../functions/core/rule-definition.js';
import { suggestionOfAction } from '../../functions/adapters/cds-hooks/card-text.js';
import { externalLink, h, replaceChildren, type Child } from './dom.js';
import type { FeedbackReport } from '../../functions/adapters/state/feedback-report.js';
import { ratesByRule, showRuleFeedback, type RuleRates } from './feedback-view.js';
import { markdownFragment } from './markdown.js';
import type { RuleCase, SilenceChange } from './review-data.js';
import { indicatorMark, outcomeMark, titleOf, valueText } from './words.js';

/**
 * The catalogue: every rule, by category and then by indicator (most urgent first), each with what
 * it says, when it applies and fires, its sources and its cases, what keeps a safety rule silent,
 * and how it came out for the facts in the form. A case opens in the form.
 */

export interface CatalogueView {
  readonly element: HTMLElement;
  /** Shows how each rule came out for the facts now in the form (none: the facts are refused). */
  showOutcomes(outcomes: Readonly<Record<string, RuleOutcome>> | undefined): void;
  /** Shows beside each rule its cards and override rate in `report` (none: no report open). */
  showFeedback(report: FeedbackReport | undefined): void;
  /** Lists every rule in one list, highest override rate first (rules without cards last), or back by category. */
  sortByOverrideRate(on: boolean): void;
}

export type OpenCase = (ruleId: string, caseIndex: number) => void;

/** The element id of a rule's entry: cards and missing facts link to it. */
export function ruleAnchor(ruleId: string): string {
  return `rule-${ruleId}`;
}

function conditionItem(condition: Condition): HTMLLIElement {
  if (isFactCondition(condition)) {
    const fact = condition.path ? `${condition.fact}${condition.path.slice(1)}` : condition.fact;
    const params = condition.params ? ` (${JSON.stringify(condition.params)})` : '';
    return h(
      'li',
      { class: 'condition' },
      condition.name,
      h(
        'span',
        { class: 'leaf' },
        ' — ',
        h('code', {}, fact),
        params,
        ` ${condition.operator} `,
        h('code', {}, valueText(condition.value)),
      ),
    );
  }
  const children = childrenOf(condition);
  return h(
    'li',
    { class: 'condition' },
    condition.name ? h('strong', {}, condition.name) : null,
    condition.name ? ': ' : '',
    h('span', { class: 'joiner' }, 'all' in condition ? 'all of' : 'any of'),
    children.length > 0
      ? h('ul', { class: 'conditions' }, ...children.map(conditionItem))
      : h('span', { class: 'empty' }, ' (no conditions: always true)'),
  );
}

function sourcesList(rule: CompiledRule, kb: CompiledKnowledgeBase): HTMLElement {
  const { evidence, noSource } = rule.event.params;
  if (evidence.length === 0) return h('p', { class: 'sources' }, `No source is cited: ${noSource ?? 'none applies'}`);
  return h(
    'ul',
    { class: 'sources' },
    ...evidence.map((ref) => {
      const source = kb.sources[ref.source]!;
      const where = [ref.section && `section ${ref.section}`, ref.revision && `${ref.revision} text`].filter(Boolean).join(', ');
      return h(
        'li',
        {},
        externalLink(source.url, source.citation),
        source.pmid ? ` (PMID ${source.pmid})` : '',
        where ? ` (${where})` : '',
        ': ',
        ref.statement,
        ref.when ? h('em', {}, ` (shown when: ${ref.when})`) : '',
      );
    }),
  );
}

function casesList(rule: CompiledRule, cases: readonly RuleCase[], open: OpenCase): HTMLElement {
  if (cases.length === 0) return h('p', {}, 'This rule has no cases.');
  return h(
    'ul',
    { class: 'cases' },
    ...cases.map((c, i) => {
      const button = openCaseButton(rule, c.name, i, open);
      return h(
        'li',
        {},
        h('span', { class: 'case-name' }, c.name),
        ' ',
        h('span', { class: `expect expect-${c.expect}` }, `expects: ${c.expect}`),
        c.missing ? ` (missing: ${c.missing.join(', ')})` : '',
        ' ',
        button,
      );
    }),
  );
}

function openCaseButton(rule: CompiledRule, caseName: string, index: number, open: OpenCase): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'open-case', 'aria-label': `Open in form: case “${caseName}” of ${rule.name}` },
    'Open in form',
  );
  button.addEventListener('click', () => open(rule.name, index));
  return button;
}

/**
 * Every single-fact change that turns a firing case of the rule silent or undecided, with the case
 * that shows it: how a reviewer signs a safety rule (the same list as docs/rules.md).
 */
function silenceList(
  rule: CompiledRule,
  changes: readonly SilenceChange[],
  cases: readonly RuleCase[],
  open: OpenCase,
): HTMLElement {
  if (changes.length === 0) return h('p', {}, 'No single change of a fact turns a firing case of this rule silent or undecided.');
  return h(
    'ul',
    { class: 'silence' },
    ...changes.map((change) => {
      const index = cases.findIndex((c) => c.name === change.coveredBy);
      const shownBy: Child[] =
        index >= 0
          ? [' — shown by “', cases[index]!.name, '” ', openCaseButton(rule, cases[index]!.name, index, open)]
          : [' — no case shows it'];
      return h('li', {}, h('code', {}, change.fact), ` ${change.change}: `, h('strong', {}, change.outcome), ...shownBy);
    }),
  );
}

function whatItSays(rule: CompiledRule): Child[] {
  const { detail, notes, suggestedActions } = rule.event.params;
  return [
    h('div', { class: 'markdown' }, markdownFragment(detail)),
    ...(notes ?? []).map((note) =>
      h(
        'div',
        { class: 'note' },
        h('p', {}, 'Added when “', note.when, '” holds:'),
        h('div', { class: 'markdown' }, markdownFragment(note.text)),
      ),
    ),
    suggestedActions
      ? h(
          'div',
          { class: 'suggestions' },
          h('p', {}, h('strong', {}, 'Suggests')),
          h(
            'ul',
            {},
            ...suggestedActions
              .map(suggestionOfAction)
              .map((s) => h('li', {}, h('span', { class: 'suggestion' }, s.label), ` — ${s.description}`)),
          ),
        )
      : null,
  ];
}

function ruleEntry(
  rule: CompiledRule,
  kb: CompiledKnowledgeBase,
  cases: readonly RuleCase[],
  silence: readonly SilenceChange[] | undefined,
  open: OpenCase,
  outcome: HTMLElement,
  feedback: HTMLElement,
): HTMLElement {
  const { indicator, summary, evidence } = rule.event.params;
  const mark = indicatorMark(indicator);
  const unconfirmed = (kb.unconfirmed ?? []).filter((u) => u.rules.includes(rule.name));
  return h(
    'article',
    {
      class: `rule indicator-${mark.key}`,
      id: ruleAnchor(rule.name),
      tabindex: -1,
      'aria-labelledby': `${ruleAnchor(rule.name)}-name`,
    },
    h(
      'h4',
      { id: `${ruleAnchor(rule.name)}-name` },
      h('span', { class: 'indicator' }, h('span', { 'aria-hidden': 'true' }, mark.symbol), ` ${mark.word}`),
      ' ',
      h('code', {}, rule.name),
    ),
    h('p', { class: 'rule-summary' }, summary),
    outcome,
    feedback,
    unconfirmed.length > 0
      ? h(
          'ul',
          { class: 'unconfirmed' },
          ...unconfirmed.map((u) =>
            h('li', {}, 'Not confirmed in a readable copy of its source: ', u.statement, ` (${u.source}).`),
          ),
        )
      : null,
    h('details', {}, h('summary', {}, 'What it says'), ...whatItSays(rule)),
    h(
      'details',
      {},
      h('summary', {}, 'When it applies and fires'),
      h('ul', { class: 'conditions tree' }, conditionItem(rule.conditions)),
    ),
    h('details', {}, h('summary', {}, `Sources (${evidence.length})`), sourcesList(rule, kb)),
    h('details', { class: 'rule-cases' }, h('summary', {}, `Cases (${cases.length})`), casesList(rule, cases, open)),
    silence
      ? h(
          'details',
          { class: 'rule-silence' },
          h('summary', {}, `What keeps it silent (${silence.length})`),
          silenceList(rule, silence, cases, open),
        )
      : null,
  );
}

function countsText(rules: readonly CompiledRule[]): string {
  const counts = new Map<string, number>();
  for (const rule of rules) counts.set(rule.event.params.indicator, (counts.get(rule.event.params.indicator) ?? 0) + 1);
  return [...counts].map(([indicator, count]) => `${count} ${indicator}`).join(', ');
}

/** The catalogue of `kb`, its rules grouped by category in the order they first appear. */
export function catalogueView(
  kb: CompiledKnowledgeBase,
  cases: Readonly<Record<string, RuleCase[]>>,
  silence: Readonly<Record<string, SilenceChange[]>>,
  open: OpenCase,
): CatalogueView {
  const outcomes = new Map<string, HTMLElement>();
  const feedbackSlots = new Map<string, HTMLElement>();
  /** Each rule's list item and the list it belongs to by category, in catalogue order. */
  const items: { ruleId: string; item: HTMLLIElement; home: HTMLElement }[] = [];
  const byCategory = new Map<string, CompiledRule[]>();
  for (const rule of kb.rules)
    byCategory.set(rule.event.params.category, [...(byCategory.get(rule.event.params.category) ?? []), rule]);

  const element = h(
    'div',
    { class: 'catalogue' },
    ...[...byCategory].map(([category, rules]) => {
      // kb.rules is in priority order; a stable sort keeps it within each indicator.
      const ordered = [...rules].sort(
        (a, b) => INDICATOR_RANK[a.event.params.indicator] - INDICATOR_RANK[b.event.params.indicator],
      );
      const list = h('ol', { class: 'rules' });
      for (const rule of ordered) {
        const outcome = h('p', { class: 'outcome' });
        const feedback = h('div', { class: 'feedback', hidden: true });
        outcomes.set(rule.name, outcome);
        feedbackSlots.set(rule.name, feedback);
        const item = h('li', {}, ruleEntry(rule, kb, cases[rule.name] ?? [], silence[rule.name], open, outcome, feedback));
        items.push({ ruleId: rule.name, item, home: list });
        list.append(item);
      }
      return h(
        'section',
        { class: 'category', 'aria-labelledby': `category-${category}` },
        h('h3', { id: `category-${category}` }, `${titleOf(category)} (${rules.length}: ${countsText(ordered)})`),
        list,
      );
    }),
  );
  const rankedList = h('ol', { class: 'rules' });
  const ranked = h(
    'section',
    { class: 'category by-override-rate', 'aria-labelledby': 'category-by-override-rate', hidden: true },
    h('h3', { id: 'category-by-override-rate' }, 'Every rule, highest override rate first'),
    rankedList,
  );
  element.prepend(ranked);
  let rates = new Map<string, RuleRates>();

  return {
    element,
    showFeedback(report) {
      rates = report ? ratesByRule(report) : new Map();
      for (const [ruleId, slot] of feedbackSlots) showRuleFeedback(slot, report, rates.get(ruleId));
    },
    sortByOverrideRate(on) {
      for (const section of element.querySelectorAll<HTMLElement>('section.category'))
        section.hidden = on !== (section === ranked);
      const rateOf = (ruleId: string) => rates.get(ruleId)?.total.overrideRate ?? -1;
      const shownOf = (ruleId: string) => rates.get(ruleId)?.total.shown ?? 0;
      // Array.prototype.sort is stable: equal rates keep the catalogue's order.
      const order = on
        ? [...items].sort((a, b) => rateOf(b.ruleId) - rateOf(a.ruleId) || shownOf(b.ruleId) - shownOf(a.ruleId))
        : items;
      for (const { item, home } of order) (on ? rankedList : home).append(item);
    },
    showOutcomes(next) {
      for (const [ruleId, line] of outcomes) {
        const outcome = next?.[ruleId];
        if (outcome === undefined) {
          line.className = 'outcome';
          replaceChildren(line, 'For the facts in the form: no answer (fix the form).');
          continue;
        }
        const mark = outcomeMark(outcome);
        line.className = `outcome outcome-${mark.key}`;
        replaceChildren(
          line,
          'For the facts in the form: ',
          h('span', { 'aria-hidden': 'true' }, mark.symbol),
          ' ',
          h('strong', {}, mark.word),
        );
      }
    },
  };
}
