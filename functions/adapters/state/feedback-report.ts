import { addDayCounters, dayKey, MISSING_FACTS_TOPIC, RETENTION_DAYS, type Counts } from './card-items.js';
import type { Item, StateTable } from './state-table.js';

/**
 * The CDS committee's report (docs/cds-hooks.md, "Reading the feedback report"): per rule and
 * knowledge-base version, the cards shown on the days asked for and what became of them. It reads
 * one counter item per day (card-items.ts), never the cards themselves, so a year costs 365 small
 * reads whatever the number of cards. No Node built-in and no SDK here: the review console shows
 * the report's JSON with these types.
 */

/** What became of one rule's cards under one knowledge-base version. */
export interface CardFates {
  knowledgeBaseVersion: string;
  /** Cards shown (each card once, retries not counted again). */
  shown: number;
  accepted: number;
  overridden: number;
  /** Cards without feedback: shown − accepted − overridden. */
  noResponse: number;
  /** overridden ÷ shown, or null when none was shown. */
  overrideRate: number | null;
  /** The denominator of the override rate: the cards shown. */
  overrideRateDenominator: number;
  /** Override reason code → count; `none` when the clinician gave none, `other` for a code the card did not offer. */
  overrideReasons: Record<string, number>;
  /** Suggestions accepted, summed (a card offers at most one to choose). */
  acceptedSuggestions: number;
}

export interface RuleFeedback extends CardFates {
  ruleId: string;
  indicator?: string;
}

export interface FeedbackReport {
  /** The days read, inclusive, UTC (YYYY-MM-DD): the days the cards were shown. */
  since: string;
  until: string;
  /** False when no state table is configured: nothing is kept, and the lists are empty. */
  kept: boolean;
  /** Per rule and knowledge-base version, by rule id then version. */
  rules: RuleFeedback[];
  /** The card listing facts not on record, which answers to no rule, per knowledge-base version. */
  missingFactsCard: CardFates[];
}

/** The longest span one report reads; cards and counters are kept RETENTION_DAYS anyway. */
export const MAX_REPORT_DAYS = 2 * RETENTION_DAYS;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Whether `value` is a calendar day written YYYY-MM-DD. */
export function isDay(value: string): boolean {
  const time = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(value);
}

/** The days from `since` to `until`, both included. */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`); t <= Date.parse(`${until}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

function fatesOf(counts: Counts): CardFates {
  const { shown, accepted, overridden } = counts;
  return {
    knowledgeBaseVersion: counts.knowledgeBaseVersion,
    shown,
    accepted,
    overridden,
    noResponse: Math.max(0, shown - accepted - overridden),
    overrideRate: shown > 0 ? overridden / shown : null,
    overrideRateDenominator: shown,
    overrideReasons: Object.fromEntries(Object.entries(counts.reasons).sort(([, a], [, b]) => b - a)),
    acceptedSuggestions: counts.suggestions,
  };
}

const byVersion = (a: CardFates, b: CardFates) => a.knowledgeBaseVersion.localeCompare(b.knowledgeBaseVersion);

/** The report of the day items read for `since`..`until`. */
export function reportOf(dayItems: readonly Item[], since: string, until: string): FeedbackReport {
  const all = [...addDayCounters(dayItems).values()];
  const rules = all
    .filter((c) => c.topic !== MISSING_FACTS_TOPIC)
    .map((c): RuleFeedback => ({ ruleId: c.topic, ...(c.indicator ? { indicator: c.indicator } : {}), ...fatesOf(c) }))
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || byVersion(a, b));
  const missingFactsCard = all
    .filter((c) => c.topic === MISSING_FACTS_TOPIC)
    .map(fatesOf)
    .sort(byVersion);
  return { since, until, kept: true, rules, missingFactsCard };
}

/** Reads the counters of `since`..`until` from `table` (one BatchGetItem per 100 days). */
export async function readFeedbackReport(table: StateTable, since: string, until: string): Promise<FeedbackReport> {
  return reportOf(await table.getMany(daysBetween(since, until).map(dayKey)), since, until);
}

/** The override rate with its denominator, as people read it: "41.7% (50 of 120)". */
export function overrideRateText(fates: Pick<CardFates, 'overrideRate' | 'overridden' | 'overrideRateDenominator'>): string {
  if (fates.overrideRate === null) return 'none shown';
  return `${(fates.overrideRate * 100).toFixed(1)}% (${fates.overridden} of ${fates.overrideRateDenominator})`;
}

/** The `most` commonest override reasons with their counts, commonest first: "benefit-outweighs-risk 30, none 8". */
export function topReasonsText(reasons: Readonly<Record<string, number>>, most = 3): string {
  return Object.entries(reasons)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .slice(0, most)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
}

/** The report when no state table is configured: nothing is kept. */
export const nothingKept = (since: string, until: string): FeedbackReport => ({
  since,
  until,
  kept: false,
  rules: [],
  missingFactsCard: [],
});
