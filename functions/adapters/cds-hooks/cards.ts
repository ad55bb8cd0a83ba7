import { createHash } from 'node:crypto';
import type { Medication, MedicationRequest } from 'fhir/r4';
import type { Finding, MissingFact } from '../../core/index.js';
import { cardOfFinding, cardOfMissingFacts, suggestionOfAction, type CardText } from './card-text.js';
import { suggestedOrder } from './suggested-order.js';

export type { Coding } from './card-text.js';

/** CDS Hooks 2.0 card types (only what this service sends). */
export interface CardAction {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: MedicationRequest;
  /** For `delete`: a relative reference to the resource (CDS Hooks 2.0, Action). */
  resourceId?: string;
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions: CardAction[];
}

/** A card as sent: its words (card-text.ts), a uuid, and suggestions that act on the draft order. */
export interface Card extends Omit<CardText, 'suggestions'> {
  uuid: string;
  suggestions?: Suggestion[];
}

const sha1 = (...parts: string[]) => createHash('sha1').update(parts.join('\u0000')).digest();

/** 16 bytes in the layout of a version 5 (name-based, SHA-1) UUID. */
function uuidOf(bytes: Buffer): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A name-based (version 5 style) UUID of `parts`. */
const stableUuid = (...parts: string[]) => uuidOf(sha1(...parts).subarray(0, 16));

/**
 * A card's uuid: the same hook instance and card always give the same uuid, so a retried call and
 * its feedback refer to the same card. Its first half names the call (a hash of the hookInstance
 * alone), shared by every card of the answer; its second half the card within the call. Feedback,
 * which names a card only, thus finds the record of the call that showed it (state/card-records.ts).
 */
function cardUuid(hookInstance: string, ...card: string[]): string {
  return uuidOf(Buffer.concat([sha1('call', hookInstance).subarray(0, 8), sha1(hookInstance, ...card).subarray(0, 8)]));
}

/** The call a card uuid of this service belongs to: its first 18 characters (`xxxxxxxx-xxxx-5xxx`). */
export const callIdOf = (uuid: string): string => uuid.slice(0, 18);

/** What a card needs to know of the call it answers. */
export interface CardContext {
  hookInstance: string;
  /** The imatinib orders the call checks, in the order of the request. */
  orders: readonly MedicationRequest[];
}

/**
 * An order as a card uuid names it: its `id`, else its place among the call's orders ("#0", "#1":
 * no FHIR id holds "#"), so that two drafts without an id never share a card, and a retried call,
 * whose drafts come in the same order, gets the same uuids.
 */
function orderName(order: MedicationRequest, call: CardContext): string {
  return order.id ?? `#${call.orders.indexOf(order)}`;
}

/**
 * The knowledge base's suggested actions as CDS Hooks suggestions on the draft order: a dose change
 * is an `update` of the whole draft as a pharmacy can dispense it (suggested-order.ts), what it
 * changed beyond the dose said in its description; a cancellation a `delete` of it (CDS Hooks 2.0,
 * Action). A draft without an id cannot be referred to, so it gets no delete suggestion.
 */
function suggestionsFor(
  finding: Finding,
  order: MedicationRequest,
  cardId: string,
  medications: readonly Medication[],
): Suggestion[] {
  return (finding.suggestedActions ?? []).flatMap((action, i): Suggestion[] => {
    const { label, description } = suggestionOfAction(action);
    const uuid = stableUuid(cardId, 'suggestion', String(i));
    if (action.kind === 'set-daily-dose') {
      const { resource, notes } = suggestedOrder(order, action.dailyDoseMg, medications);
      return [
        {
          label,
          uuid,
          actions: [
            { type: 'update', description: notes.length > 0 ? `${description}. ${notes.join(' ')}` : description, resource },
          ],
        },
      ];
    }
    if (order.id === undefined) return [];
    return [{ label, uuid, actions: [{ type: 'delete', description, resourceId: `MedicationRequest/${order.id}` }] }];
  });
}

/**
 * The card for one finding about one imatinib draft order. Its uuid is stable for the hook instance
 * and rule, and for the order too when the finding is about the order: a patient-level finding is
 * then one card however many imatinib orders the draft holds.
 */
export function cardFor(
  finding: Finding,
  order: MedicationRequest,
  call: CardContext,
  medications: readonly Medication[] = [],
): Card {
  const uuid = cardUuid(call.hookInstance, finding.category === 'order-check' ? orderName(order, call) : '', finding.ruleId);
  const { summary, detail, indicator, source, overrideReasons } = cardOfFinding(finding);
  const suggestions = suggestionsFor(finding, order, uuid, medications);
  return {
    uuid,
    summary,
    detail,
    indicator,
    source,
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(overrideReasons ? { overrideReasons } : {}),
  };
}

/** One card listing what was not known and which checks it would have decided. */
export function missingFactsCard(missing: readonly MissingFact[], call: CardContext): Card {
  const { summary, detail, indicator, source } = cardOfMissingFacts(missing);
  return { uuid: cardUuid(call.hookInstance, 'missing-facts'), summary, detail, indicator, source };
}
