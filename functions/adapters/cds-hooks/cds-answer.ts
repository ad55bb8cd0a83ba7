import type { Condition, MedicationRequest, Observation, Patient } from 'fhir/r4';
import { evaluate, INDICATOR_RANK, type EvaluationResult, type MissingFact } from '../../core/index.js';
import { factsFromFhir, isImatinib, readResources, resourcesOf } from '../fhir/fhir-to-facts.js';
import { cardFor, missingFactsCard, type Card, type CardContext } from './cards.js';
import { draftMedicationRequests } from './cds-service.js';
import type { CdsRequest } from './cds-request.js';

/** Everything one CDS Hooks call is answered from, once the prefetch is resolved. */
export interface CdsCall {
  request: CdsRequest;
  /** The imatinib orders this hook asks about. */
  orders: readonly MedicationRequest[];
  /** Every prefetch key of the service, resolved (given by the EHR or read from its FHIR server). */
  prefetch: Readonly<Record<string, unknown>>;
  /** The day of the call, for ages and the currency of results. */
  now: Date;
}

export interface CdsAnswer {
  /** Most urgent first; the card listing what is not on record last. */
  cards: Card[];
  /** For the log: rule ids and counts, never facts. */
  firedRuleIds: string[];
  missingFacts: number;
}

/** Merges the missing facts of several evaluations (one per imatinib order). */
function mergeMissing(results: readonly EvaluationResult[]): MissingFact[] {
  const merged = new Map<string, Set<string>>();
  for (const { missingFacts } of results) {
    for (const { fact, neededBy } of missingFacts) merged.set(fact, new Set([...(merged.get(fact) ?? []), ...neededBy]));
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([fact, ids]) => ({ fact, neededBy: [...ids] }));
}

/**
 * The patient's current medications, or undefined (not known) when one of them cannot be read:
 * "no interacting drug" may only be said of a list read whole.
 */
function medicationsOf(prefetched: unknown): MedicationRequest[] | undefined {
  const { resources, unreadable } = readResources<MedicationRequest>(prefetched, 'MedicationRequest');
  return unreadable > 0 ? undefined : resources.filter((m) => !isImatinib(m));
}

/**
 * The cards for one call: maps the FHIR data to PatientFacts for each imatinib order, runs the same
 * core as `/evaluate`, and turns the findings into cards (one card per finding, however many orders
 * share it) and the missing facts into one card. No I/O: the prefetch is already resolved.
 */
export async function answerCdsCall({ request, orders, prefetch, now }: CdsCall): Promise<CdsAnswer> {
  const drafts = draftMedicationRequests(request);
  const observations = [
    ...resourcesOf<Observation>(prefetch.labs, 'Observation'),
    ...resourcesOf<Observation>(prefetch.variants, 'Observation'),
  ];
  const context: CardContext = { hookInstance: request.hookInstance, patientId: request.context.patientId };
  const cards = new Map<string, Card>();
  const results: EvaluationResult[] = [];
  for (const order of orders) {
    const facts = factsFromFhir({
      patient: resourcesOf<Patient>(prefetch.patient, 'Patient')[0],
      observations,
      conditions: resourcesOf<Condition>(prefetch.conditions, 'Condition'),
      medications: medicationsOf(prefetch.medications),
      order,
      otherDraftOrders: drafts.filter((d) => d !== order),
      now,
    });
    const result = await evaluate(facts);
    results.push(result);
    for (const finding of result.findings) {
      const card = cardFor(finding, order, context);
      if (!cards.has(card.uuid)) cards.set(card.uuid, card);
    }
  }
  const missing = mergeMissing(results);
  const ordered = [...cards.values()].sort((a, b) => INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator]);
  if (missing.length > 0) ordered.push(missingFactsCard(missing, context));
  return {
    cards: ordered,
    firedRuleIds: [...new Set(results.flatMap((r) => r.findings.map((f) => f.ruleId)))],
    missingFacts: missing.length,
  };
}
