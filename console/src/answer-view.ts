import type { EvaluationResult, FieldProblem, Finding, MissingFact } from '../../functions/core/index.js';
import { cardOfFinding, cardOfMissingFacts, type CardText } from '../../functions/adapters/cds-hooks/card-text.js';
import { externalLink, h, replaceChildren, type Child } from './dom.js';
import { markdownFragment } from './markdown.js';
import { conditionTree, factsRead } from './rationale-view.js';
import { indicatorMark } from './words.js';

/**
 * The answer to the facts in the form, as the EHR will show it: the knowledge base's warnings, one
 * CDS Hooks card per finding (indicator, summary, Markdown detail, source link, suggestions,
 * override reasons) and the card of what is not on record; under each finding's card its rationale,
 * and under the cards the missing facts, each linked to its field. Or, for facts the service would
 * refuse, the fields to fix and no answer at all, as the service gives none.
 */

/** Links the answer makes into the rest of the page. */
export interface AnswerLinks {
  /** To the field of a fact in the form. */
  fact(path: string): Child;
  /** To a rule in the catalogue. */
  rule(ruleId: string): Child;
}

export interface AnswerView {
  /** `ruleUnderReview`: the rule whose case is loaded, whose card is marked. */
  showAnswer(result: EvaluationResult, ruleUnderReview?: string): void;
  showProblems(problems: readonly FieldProblem[]): void;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function sourceLine(card: CardText): HTMLElement {
  const { label, url } = card.source;
  return h('p', { class: 'card-source' }, 'Source: ', url ? externalLink(url, label) : label);
}

function suggestionsBlock(card: CardText): Child {
  if (!card.suggestions) return null;
  return h(
    'div',
    { class: 'suggestions' },
    h('p', { class: 'suggestions-title' }, h('strong', {}, 'Suggestions'), ' (the clinician may accept at most one)'),
    h(
      'ul',
      {},
      ...card.suggestions.map((s) =>
        h(
          'li',
          {},
          h('span', { class: 'suggestion' }, s.label),
          h('span', { class: 'suggestion-action' }, ` — ${s.description}`),
        ),
      ),
    ),
  );
}

function overrideBlock(card: CardText): Child {
  if (!card.overrideReasons) return null;
  return h(
    'details',
    { class: 'override-reasons' },
    h('summary', {}, `Override reasons offered (${card.overrideReasons.length})`),
    h('ul', {}, ...card.overrideReasons.map((reason) => h('li', {}, reason.display))),
  );
}

function cardElement(card: CardText, id: string, extra: Child[], underReview: boolean): HTMLElement {
  const mark = indicatorMark(card.indicator);
  return h(
    'article',
    {
      id,
      class: `card indicator-${mark.key}${underReview ? ' under-review' : ''}`,
      'aria-labelledby': `${id}-summary`,
      'data-rule-id': card.source.topic?.code,
    },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: 'indicator' }, h('span', { 'aria-hidden': 'true' }, mark.symbol), ` ${mark.word}`),
      underReview ? h('span', { class: 'review-tag' }, 'Rule of the loaded case') : null,
      h('h4', { id: `${id}-summary`, class: 'card-summary' }, card.summary),
    ),
    h('div', { class: 'card-detail markdown' }, markdownFragment(card.detail)),
    sourceLine(card),
    suggestionsBlock(card),
    overrideBlock(card),
    ...extra,
  );
}

function rationaleBlock(finding: Finding, links: AnswerLinks): HTMLElement {
  return h(
    'details',
    { class: 'rationale', open: true },
    h('summary', {}, 'Rationale: the conditions of ', h('code', {}, finding.ruleId), ' as evaluated'),
    conditionTree(finding.rationale, links.fact),
    h('p', { class: 'facts-read-title' }, 'Facts it read:'),
    factsRead(finding.rationale, links.fact),
    h('p', {}, 'In the catalogue: ', links.rule(finding.ruleId)),
  );
}

function missingFactsList(missing: readonly MissingFact[], links: AnswerLinks): HTMLElement {
  return h(
    'section',
    { class: 'missing-facts', 'aria-labelledby': 'missing-heading' },
    h('h4', { id: 'missing-heading' }, `Missing facts (${missing.length})`),
    h('p', {}, 'Each would decide the rules named beside it; follow a fact to its field.'),
    h(
      'ul',
      {},
      ...missing.map((m) =>
        h(
          'li',
          { 'data-fact': m.fact },
          links.fact(m.fact),
          ' would decide ',
          ...m.neededBy.flatMap((id, i) => [i > 0 ? ', ' : '', links.rule(id)]),
          m.unreadableEntries ? `; entries that could not be read: ${m.unreadableEntries.join('; ')}` : '',
        ),
      ),
    ),
  );
}

function statusText(result: EvaluationResult): string {
  const counts = (['critical', 'warning', 'info'] as const)
    .map((indicator) => [indicator, result.findings.filter((f) => f.indicator === indicator).length] as const)
    .filter(([, count]) => count > 0)
    .map(([indicator, count]) => `${count} ${indicator}`);
  const cards =
    result.findings.length === 0 ? 'No finding' : `${plural(result.findings.length, 'finding')}: ${counts.join(', ')}`;
  const missing =
    result.missingFacts.length === 0
      ? 'no fact missing'
      : `${plural(result.missingFacts.length, 'fact')} not known would decide further rules`;
  return `${cards}; ${missing}.`;
}

/** Where the answer area says, in one line, what the answer is. */
export interface AnswerLine {
  /** Shown at once. */
  summary: HTMLElement;
  /** A live region, updated once typing pauses: a screen reader hears each answer once, not each keystroke's. */
  status: HTMLElement;
}

/** The answer area. */
export function answerView(container: HTMLElement, line: AnswerLine, links: AnswerLinks): AnswerView {
  let announce: ReturnType<typeof setTimeout> | undefined;
  function say(text: string): void {
    replaceChildren(line.summary, text);
    clearTimeout(announce);
    announce = setTimeout(() => replaceChildren(line.status, text), 400);
  }

  return {
    showAnswer(result, ruleUnderReview) {
      const cards = result.findings.map((finding, i) =>
        h(
          'li',
          {},
          cardElement(cardOfFinding(finding), `card-${i}`, [rationaleBlock(finding, links)], finding.ruleId === ruleUnderReview),
        ),
      );
      if (result.missingFacts.length > 0)
        cards.push(h('li', {}, cardElement(cardOfMissingFacts(result.missingFacts), 'card-missing', [], false)));
      replaceChildren(
        container,
        ...(result.knowledgeBase.warnings ?? []).map((warning) => h('p', { class: 'kb-warning' }, warning)),
        cards.length > 0
          ? h('ol', { class: 'cards', 'aria-label': 'Cards, most urgent first' }, ...cards)
          : h('p', { class: 'no-cards' }, 'No card: nothing in the knowledge base speaks to these facts.'),
        result.missingFacts.length > 0 ? missingFactsList(result.missingFacts, links) : null,
      );
      say(statusText(result));
    },
    showProblems(problems) {
      replaceChildren(
        container,
        h(
          'section',
          { class: 'problems', 'aria-labelledby': 'problems-heading' },
          h('h4', { id: 'problems-heading' }, 'No answer: the service would refuse these facts'),
          h('p', {}, 'Fix the fields below; until then there is no answer, as the service gives none for facts it refuses.'),
          h('ul', {}, ...problems.map((p) => h('li', {}, links.fact(p.path), `: expected ${p.expected}; found ${p.found}.`))),
        ),
      );
      say(`No answer: ${plural(problems.length, 'field')} to fix.`);
    },
  };
}
