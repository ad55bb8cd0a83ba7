import { isObject } from '../../functions/core/index.js';
import {
  overrideRateText,
  topReasonsText,
  type CardFates,
  type FeedbackReport,
  type RuleFeedback,
} from '../../functions/adapters/state/feedback-report.js';
import { h, replaceChildren } from './dom.js';

/**
 * The CDS committee's report in the review console (docs/cds-hooks.md, "Reading the feedback
 * report"): a reviewer opens the JSON of `npm run feedback-report -- --json` from a file (read in
 * the page; nothing is sent anywhere), and beside each rule the catalogue shows the cards shown and
 * the override rate with its denominator and top reasons, and can sort the rules by that rate.
 */

/** A rule's feedback over every knowledge-base version in the report, and each version's. */
export interface RuleRates {
  total: CardFates;
  versions: RuleFeedback[];
}

const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Whether `row` is a report row this page can show: the fields it reads, with their types. */
function readableRow(row: unknown): row is RuleFeedback {
  if (!isObject(row) || typeof row.ruleId !== 'string' || typeof row.knowledgeBaseVersion !== 'string') return false;
  const numbers = ['shown', 'accepted', 'overridden', 'noResponse', 'overrideRateDenominator', 'acceptedSuggestions'];
  return (
    numbers.every((name) => count(row[name])) &&
    (row.overrideRate === null || typeof row.overrideRate === 'number') &&
    isObject(row.overrideReasons) &&
    Object.values(row.overrideReasons).every(count)
  );
}

/** The report in a file's text, or why it cannot be read as one. */
export function parseFeedbackReport(text: string): { ok: true; report: FeedbackReport } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'The file is not JSON. Open the output of npm run feedback-report -- --json.' };
  }
  if (!isObject(value) || !Array.isArray(value.rules) || typeof value.since !== 'string' || typeof value.until !== 'string') {
    return { ok: false, problem: 'The file is not a feedback report: it has no "since", "until" and "rules".' };
  }
  const unreadable = value.rules.findIndex((row) => !readableRow(row));
  if (unreadable >= 0) return { ok: false, problem: `Entry ${unreadable + 1} of "rules" is not a rule's feedback.` };
  return { ok: true, report: value as unknown as FeedbackReport };
}

/** Each rule's rows, and their sum over versions (what the catalogue sorts by). */
export function ratesByRule(report: FeedbackReport): Map<string, RuleRates> {
  const byRule = new Map<string, RuleFeedback[]>();
  for (const row of report.rules) byRule.set(row.ruleId, [...(byRule.get(row.ruleId) ?? []), row]);
  return new Map(
    [...byRule].map(([ruleId, versions]) => {
      const sum = (name: 'shown' | 'accepted' | 'overridden' | 'noResponse' | 'acceptedSuggestions') =>
        versions.reduce((n, row) => n + row[name], 0);
      const reasons: Record<string, number> = {};
      for (const row of versions)
        for (const [code, n] of Object.entries(row.overrideReasons)) reasons[code] = (reasons[code] ?? 0) + n;
      const shown = sum('shown');
      const total: CardFates = {
        knowledgeBaseVersion: versions.map((row) => row.knowledgeBaseVersion).join(', '),
        shown,
        accepted: sum('accepted'),
        overridden: sum('overridden'),
        noResponse: sum('noResponse'),
        overrideRate: shown > 0 ? sum('overridden') / shown : null,
        overrideRateDenominator: shown,
        overrideReasons: reasons,
        acceptedSuggestions: sum('acceptedSuggestions'),
      };
      return [ruleId, { total, versions }];
    }),
  );
}

function fatesLine(fates: CardFates, label: string): HTMLElement {
  const reasons = topReasonsText(fates.overrideReasons);
  return h(
    'p',
    { class: 'feedback-line' },
    `${label}: `,
    h('strong', { class: 'feedback-shown' }, `${fates.shown} ${fates.shown === 1 ? 'card' : 'cards'} shown`),
    ', override rate ',
    h('strong', { class: 'feedback-rate' }, overrideRateText(fates)),
    reasons ? `; top reasons: ${reasons}` : '',
    '.',
  );
}

/** Fills a rule's feedback slot for `report` (nothing when no report is open). */
export function showRuleFeedback(slot: HTMLElement, report: FeedbackReport | undefined, rates: RuleRates | undefined): void {
  slot.hidden = report === undefined;
  if (report === undefined) return replaceChildren(slot);
  const period = `Feedback ${report.since} to ${report.until}`;
  if (rates === undefined) return replaceChildren(slot, h('p', { class: 'feedback-line' }, `${period}: no card shown.`));
  const perVersion =
    rates.versions.length > 1 ? rates.versions.map((row) => fatesLine(row, `knowledge base ${row.knowledgeBaseVersion}`)) : [];
  replaceChildren(slot, fatesLine(rates.total, period), ...perVersion);
}
