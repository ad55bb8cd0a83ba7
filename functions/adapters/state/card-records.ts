import {
  CARD,
  cardKey,
  counterName,
  dayKey,
  dayOf,
  expiryOf,
  indicatorName,
  reasonCounterName,
  type Metric,
} from './card-items.js';
import type { Item, StateTable } from './state-table.js';

/**
 * Every card a hook returns, and its fate, in the state table (card-items.ts has the shapes). A
 * card is written once, with a conditional write on its uuid, and counted only by the write that
 * created it: a retried call (same hookInstance, same card uuids) counts nothing twice. Feedback is
 * written once per card, conditionally, and counted the same way. Each counter is an atomic ADD on
 * its day's item, so containers never lose each other's counts.
 *
 * Between the write of a card and the update of its counters a container can die; the card is then
 * kept but not counted (never counted twice). The same holds for feedback.
 */

/** A card as it is recorded: its uuid, the rule it answers (its topic) and its indicator. */
export interface ShownCard {
  uuid: string;
  topic: string;
  indicator: string;
}

export interface CardsShown {
  /** The issuer of the verified token of the call ('unverified' when verification is off). */
  caller: string;
  service: string;
  knowledgeBaseVersion: string;
  cards: readonly ShownCard[];
  now: Date;
}

/** One feedback entry as it is kept: no comment, no suggestion ids, no timestamp of the user's. */
export interface CardOutcome {
  card: string;
  outcome: 'accepted' | 'overridden';
  /** A code the card offered, NO_REASON or OTHER_REASON; only for `overridden`. */
  overrideReason?: string;
  acceptedSuggestions: number;
}

export interface CardFeedback {
  caller: string;
  service: string;
  entries: readonly CardOutcome[];
  now: Date;
}

/**
 * What became of feedback: recorded whole, or refused whole (nothing recorded) with the positions
 * of the entries at fault: cards this service never returned to this caller, or cards that already
 * have an outcome (also when one card comes twice in the body).
 */
export type FeedbackRecorded =
  { ok: true; recorded: number } | { ok: false; problem: 'unknown-card' | 'already-answered'; entries: number[] };

export interface CardRecorder {
  recordShown(call: CardsShown): Promise<{ recorded: number; repeated: number }>;
  recordFeedback(call: CardFeedback): Promise<FeedbackRecorded>;
}

/** Adds one to each named counter. */
function tally(counts: Record<string, number>, name: string, by = 1): void {
  counts[name] = (counts[name] ?? 0) + by;
}

/** Settles all writes, then throws the first failure: a write that succeeded is still counted. */
async function settled<T>(writes: Promise<T>[]): Promise<{ values: (T | undefined)[]; failure?: unknown }> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return {
    values: results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)),
    ...(failed ? { failure: failed.reason } : {}),
  };
}

/** Cards and feedback recorded in `table`. */
export function cardRecorder(table: StateTable): CardRecorder {
  return {
    async recordShown({ caller, service, knowledgeBaseVersion: version, cards, now }) {
      const day = dayOf(now);
      const ttl = expiryOf(day);
      const { values: created, failure } = await settled(
        cards.map((card) =>
          table.putIfAbsent(cardKey(card.uuid), ttl, {
            [CARD.uuid]: card.uuid,
            [CARD.service]: service,
            [CARD.topic]: card.topic,
            [CARD.indicator]: card.indicator,
            [CARD.knowledgeBaseVersion]: version,
            [CARD.day]: day,
            [CARD.caller]: caller,
          }),
        ),
      );
      const counted = cards.filter((_, i) => created[i] === true);
      const counts: Record<string, number> = {};
      const values: Record<string, string> = {};
      for (const card of counted) {
        tally(counts, counterName('shown', card.topic, version));
        values[indicatorName(card.topic, version)] = card.indicator;
      }
      if (counted.length > 0) await table.add(dayKey(day), ttl, counts, values);
      if (failure !== undefined) throw failure;
      return { recorded: counted.length, repeated: created.filter((c) => c === false).length };
    },

    async recordFeedback({ caller, service, entries, now }) {
      const cards = await Promise.all(entries.map((entry) => table.get(cardKey(entry.card))));
      const returned = (card: Item | undefined): card is Item =>
        card !== undefined && card[CARD.caller] === caller && card[CARD.service] === service;
      const unknown = entries.flatMap((_, i) => (returned(cards[i]) ? [] : [i]));
      if (unknown.length > 0) return { ok: false, problem: 'unknown-card', entries: unknown };
      const answered = entries.flatMap((entry, i) =>
        cards[i]![CARD.outcome] !== undefined || entries.findIndex((e) => e.card === entry.card) !== i ? [i] : [],
      );
      if (answered.length > 0) return { ok: false, problem: 'already-answered', entries: answered };

      const feedbackDay = dayOf(now);
      const { values: written, failure } = await settled(
        entries.map((entry) =>
          table.updateIf(
            cardKey(entry.card),
            {
              [CARD.outcome]: entry.outcome,
              [CARD.acceptedSuggestions]: entry.acceptedSuggestions,
              [CARD.feedbackDay]: feedbackDay,
              ...(entry.outcome === 'overridden' && entry.overrideReason !== undefined
                ? { [CARD.overrideReason]: entry.overrideReason }
                : {}),
            },
            { matches: { [CARD.caller]: caller, [CARD.service]: service }, absent: [CARD.outcome] },
          ),
        ),
      );
      // Counted on the day each card was shown.
      const byDay = new Map<string, Record<string, number>>();
      entries.forEach((entry, i) => {
        if (written[i] !== true) return;
        const card = cards[i]!;
        const [topic, version, day] = [card[CARD.topic], card[CARD.knowledgeBaseVersion], card[CARD.day]].map(String) as [
          string,
          string,
          string,
        ];
        const counts = byDay.get(day) ?? {};
        byDay.set(day, counts);
        tally(counts, counterName(entry.outcome as Metric, topic, version));
        if (entry.acceptedSuggestions > 0) tally(counts, counterName('suggestions', topic, version), entry.acceptedSuggestions);
        if (entry.outcome === 'overridden' && entry.overrideReason !== undefined) {
          tally(counts, reasonCounterName(topic, version, entry.overrideReason));
        }
      });
      const { failure: countFailure } = await settled(
        [...byDay].map(([day, counts]) => table.add(dayKey(day), expiryOf(day), counts)),
      );
      if (failure !== undefined || countFailure !== undefined) throw failure ?? countFailure;
      // Another container recorded an outcome for one of these cards between the read and the write.
      const raced = entries.flatMap((_, i) => (written[i] === false ? [i] : []));
      if (raced.length > 0) return { ok: false, problem: 'already-answered', entries: raced };
      return { ok: true, recorded: entries.length };
    },
  };
}
