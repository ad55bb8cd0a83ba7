import {
  CALL,
  callKey,
  cardAttribute,
  counterName,
  dayKey,
  dayOf,
  expiryOf,
  indicatorName,
  reasonCounterName,
} from './card-items.js';
import type { Item, StateTable } from './state-table.js';

/**
 * Every card a hook returns, and its fate, in the state table (card-items.ts has the shapes). The
 * cards of one answer are written once, by one conditional write of their call's item, and counted
 * only by the write that created it: a retried call (same hookInstance, same card uuids) counts
 * nothing twice, and recording an answer costs two writes however many cards it has. Feedback is
 * written once per card, conditionally, and counted the same way. Each counter is an atomic ADD on
 * its day's item, so containers never lose each other's counts.
 *
 * Between the write of a call and the update of its counters a container can die; the cards are
 * then kept but not counted (never counted twice). The same holds for feedback.
 */

/** A card as it is recorded: its uuid, the rule it answers (its topic) and its indicator. */
export interface ShownCard {
  uuid: string;
  topic: string;
  indicator: string;
}

export interface CardsShown {
  /** The call the cards answer: the first half of their uuids (cards.ts). */
  call: string;
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
  /** The call the card's uuid names (cards.ts). */
  call: string;
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
  recordShown(answer: CardsShown): Promise<{ recorded: number; repeated: number }>;
  recordFeedback(feedback: CardFeedback): Promise<FeedbackRecorded>;
}

/** Adds `by` to the named counter. */
function tally(counts: Record<string, number>, name: string, by = 1): void {
  counts[name] = (counts[name] ?? 0) + by;
}

/** Settles all writes, keeping what each gave, and the first failure if any: a write that succeeded still counts. */
async function settled<T>(writes: Promise<T>[]): Promise<{ values: (T | undefined)[]; failure?: unknown }> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return {
    values: results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)),
    ...(failed ? { failure: failed.reason } : {}),
  };
}

/** The feedback attributes of one entry, as set on its call's item. */
function outcomeAttributes(entry: CardOutcome, feedbackDay: string): Item {
  return {
    [cardAttribute('outcome', entry.card)]: entry.outcome,
    [cardAttribute('suggestions', entry.card)]: entry.acceptedSuggestions,
    [cardAttribute('feedbackDay', entry.card)]: feedbackDay,
    ...(entry.outcome === 'overridden' && entry.overrideReason !== undefined
      ? { [cardAttribute('reason', entry.card)]: entry.overrideReason }
      : {}),
  };
}

/** Cards and feedback recorded in `table`. */
export function cardRecorder(table: StateTable): CardRecorder {
  return {
    async recordShown({ call, caller, service, knowledgeBaseVersion: version, cards, now }) {
      if (cards.length === 0) return { recorded: 0, repeated: 0 };
      const day = dayOf(now);
      const ttl = expiryOf(day);
      const perCard = Object.fromEntries(
        cards.flatMap((card) => [
          [cardAttribute('rule', card.uuid), card.topic],
          [cardAttribute('indicator', card.uuid), card.indicator],
        ]),
      );
      const created = await table.putIfAbsent(callKey(call), ttl, {
        [CALL.service]: service,
        [CALL.caller]: caller,
        [CALL.knowledgeBaseVersion]: version,
        [CALL.day]: day,
        ...perCard,
      });
      if (!created) return { recorded: 0, repeated: cards.length };
      const counts: Record<string, number> = {};
      const indicators: Record<string, string> = {};
      for (const card of cards) {
        tally(counts, counterName('shown', card.topic, version));
        indicators[indicatorName(card.topic, version)] = card.indicator;
      }
      await table.add(dayKey(day), ttl, counts, indicators);
      return { recorded: cards.length, repeated: 0 };
    },

    async recordFeedback({ caller, service, entries, now }) {
      const callIds = [...new Set(entries.map((entry) => entry.call))];
      const items = new Map(
        (await Promise.all(callIds.map((id) => table.get(callKey(id))))).map((item, i) => [callIds[i]!, item]),
      );
      const callOf = (entry: CardOutcome) => {
        const item = items.get(entry.call);
        const returned =
          item !== undefined &&
          item[CALL.caller] === caller &&
          item[CALL.service] === service &&
          item[cardAttribute('rule', entry.card)] !== undefined;
        return returned ? item : undefined;
      };
      const unknown = entries.flatMap((entry, i) => (callOf(entry) ? [] : [i]));
      if (unknown.length > 0) return { ok: false, problem: 'unknown-card', entries: unknown };
      const answered = entries.flatMap((entry, i) =>
        callOf(entry)![cardAttribute('outcome', entry.card)] !== undefined ||
        entries.findIndex((e) => e.card === entry.card) !== i
          ? [i]
          : [],
      );
      if (answered.length > 0) return { ok: false, problem: 'already-answered', entries: answered };

      // One conditional write per call: all its cards' outcomes, or none if one was given meanwhile.
      const feedbackDay = dayOf(now);
      const { values: written, failure } = await settled(
        callIds.map((id) => {
          const mine = entries.filter((entry) => entry.call === id);
          return table.updateIf(callKey(id), Object.assign({}, ...mine.map((entry) => outcomeAttributes(entry, feedbackDay))), {
            matches: { [CALL.caller]: caller, [CALL.service]: service },
            absent: mine.map((entry) => cardAttribute('outcome', entry.card)),
          });
        }),
      );
      const recorded = entries.filter((entry) => written[callIds.indexOf(entry.call)] === true);
      // Counted on the day each card was shown, under the version that showed it.
      const byDay = new Map<string, Record<string, number>>();
      for (const entry of recorded) {
        const item = callOf(entry)!;
        const [topic, version, day] = [
          item[cardAttribute('rule', entry.card)],
          item[CALL.knowledgeBaseVersion],
          item[CALL.day],
        ].map(String) as [string, string, string];
        const counts = byDay.get(day) ?? {};
        byDay.set(day, counts);
        tally(counts, counterName(entry.outcome, topic, version));
        if (entry.acceptedSuggestions > 0) tally(counts, counterName('suggestions', topic, version), entry.acceptedSuggestions);
        if (entry.outcome === 'overridden' && entry.overrideReason !== undefined) {
          tally(counts, reasonCounterName(topic, version, entry.overrideReason));
        }
      }
      const { failure: countFailure } = await settled(
        [...byDay].map(([day, counts]) => table.add(dayKey(day), expiryOf(day), counts)),
      );
      if (failure !== undefined || countFailure !== undefined) throw failure ?? countFailure;
      // Another container gave an outcome to one of these cards between the read and the write.
      const raced = entries.flatMap((entry, i) => (written[callIds.indexOf(entry.call)] === false ? [i] : []));
      if (raced.length > 0) return { ok: false, problem: 'already-answered', entries: raced };
      return { ok: true, recorded: entries.length };
    },
  };
}
