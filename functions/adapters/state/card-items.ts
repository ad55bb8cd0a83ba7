import type { Item } from './state-table.js';

/**
 * The shapes of the cards and counters kept in the state table (docs/security.md, "What is kept,
 * and for how long"), in one place for the function that writes them and the report that reads
 * them. No Node built-in and no SDK here: the review console reads the report's types too.
 *
 * - `call#<call id>`: the cards of one answer, written once. The call id is the first half of its
 *   cards' uuids, a hash of the hookInstance (cards.ts): the hookInstance itself is not kept. It
 *   holds the service, the issuer the cards were shown to, the knowledge-base version and the day,
 *   and per card (attributes named `<what>|<card uuid>`) its rule id and indicator, and once
 *   feedback arrives its outcome, override reason code, number of accepted suggestions and day.
 * - `day#<YYYY-MM-DD>`: the counters of the cards shown that day, one number per rule,
 *   knowledge-base version and metric, added to atomically as cards and feedback arrive; feedback
 *   counts on the day its card was shown, so a day's rates share one denominator.
 */

/** Cards and counters are deleted by DynamoDB's TTL this many days after the day the card was shown. */
export const RETENTION_DAYS = 400;

/** The topic of the card listing missing facts, which answers to no rule ("*" is in no rule id). */
export const MISSING_FACTS_TOPIC = '*missing-facts';

/** What a feedback entry's override reason is kept as when it gives none, or one the card did not offer. */
export const NO_REASON = 'none';
export const OTHER_REASON = 'other';

/** The keys of the two kinds of items (docs/security.md, "What is kept, and for how long"). */
export const callKey = (callId: string) => `call#${callId}`;
export const dayKey = (day: string) => `day#${day}`;

/** The attributes a call item holds once. */
export const CALL = Object.freeze({
  service: 'service',
  caller: 'caller',
  knowledgeBaseVersion: 'kbVersion',
  day: 'day',
} as const);

/** What a call item holds per card, under `<what>|<card uuid>`. */
export type CardAttribute = 'rule' | 'indicator' | 'outcome' | 'reason' | 'suggestions' | 'feedbackDay';
export const CARD_ATTRIBUTES: readonly CardAttribute[] = ['rule', 'indicator', 'outcome', 'reason', 'suggestions', 'feedbackDay'];
export const cardAttribute = (what: CardAttribute, cardUuid: string) => `${what}|${cardUuid}`;

/** Numbers kept per rule, knowledge-base version and day. */
export type Metric = 'shown' | 'accepted' | 'overridden' | 'suggestions';

/** Counter attribute names: rule ids, versions and reason codes hold no "|" (rule.schema.json, semver, card-text.ts). */
export const counterName = (metric: Metric, topic: string, version: string) => `${metric}|${topic}|${version}`;
export const reasonCounterName = (topic: string, version: string, reason: string) => `reason|${topic}|${version}|${reason}`;
export const indicatorName = (topic: string, version: string) => `indicator|${topic}|${version}`;

/** The day of `date` (UTC), as the counters are keyed. */
export const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** When DynamoDB's TTL deletes what was kept about a card shown on `day` (epoch seconds). */
export const expiryOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000 + RETENTION_DAYS * 86_400;

/** One rule's counts under one knowledge-base version, summed over days. */
export interface Counts {
  topic: string;
  knowledgeBaseVersion: string;
  indicator?: string;
  shown: number;
  accepted: number;
  overridden: number;
  suggestions: number;
  reasons: Record<string, number>;
}

/** Adds the counters of day items to `into`, keyed by topic and version. */
export function addDayCounters(items: readonly Item[], into = new Map<string, Counts>()): Map<string, Counts> {
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      const [kind, topic, version, reason] = name.split('|');
      if (topic === undefined || version === undefined) continue;
      const key = `${topic}|${version}`;
      let counts = into.get(key);
      if (!counts) {
        counts = { topic, knowledgeBaseVersion: version, shown: 0, accepted: 0, overridden: 0, suggestions: 0, reasons: {} };
        into.set(key, counts);
      }
      if (kind === 'indicator' && typeof value === 'string') counts.indicator = value;
      else if (typeof value !== 'number') continue;
      else if (kind === 'reason' && reason !== undefined) counts.reasons[reason] = (counts.reasons[reason] ?? 0) + value;
      else if (kind === 'shown' || kind === 'accepted' || kind === 'overridden' || kind === 'suggestions') counts[kind] += value;
    }
  }
  return into;
}
