import type { Condition, Medication, MedicationRequest, MedicationStatement, Observation, Patient } from 'fhir/r4';
import { evaluate, INDICATOR_RANK, ruleKinds, type EvaluationResult, type MissingFact } from '../../core/index.js';
import { factsFromFhir, isImatinib } from '../fhir/fhir-to-facts.js';
import { readResources, resourcesOf } from '../fhir/resources.js';
import { cardFor, missingFactsCard, type Card, type CardContext } from './cards.js';
import { draftMedicationRequests, draftMedications, type CdsService } from './cds-service.js';
import type { CdsRequest } from './cds-request.js';

/** Everything one CDS Hooks call is answered from, once the prefetch is resolved. */
export interface CdsCall {
  service: CdsService;
  request: CdsRequest;
  /** Every prefetch key of the service, resolved (given by the EHR or read from its FHIR server). */
  prefetch: Readonly<Record<string, unknown>>;
  /** The day of the call, for ages, the currency of results and the months on imatinib. */
  now: Date;
}

export interface CdsAnswer {
  /** Most urgent first; the card listing what is not on record last. */
  cards: Card[];
  /** For the log: counts and rule ids, never facts. */
  orders: number;
  firedRuleIds: string[];
  missingFacts: number;
}

/** Merges the missing facts of several evaluations (one per imatinib order), for the rules `shows` keeps. */
function mergeMissing(results: readonly EvaluationResult[], shows: (ruleId: string) => boolean): MissingFact[] {
  const merged = new Map<string, Set<string>>();
  for (const { missingFacts } of results) {
    for (const { fact, neededBy } of missingFacts) {
      const shown = neededBy.filter(shows);
      if (shown.length > 0) merged.set(fact, new Set([...(merged.get(fact) ?? []), ...shown]));
    }
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([fact, ids]) => ({ fact, neededBy: [...ids] }));
}

/** The record as the mapping reads it: medications, statements and the Medications they reference. */
function recordOf(request: CdsRequest, prefetch: Readonly<Record<string, unknown>>) {
  const medications = [
    ...draftMedications(request),
    ...resourcesOf<Medication>(prefetch.medications, 'Medication'),
    ...resourcesOf<Medication>(prefetch.statements, 'Medication'),
  ];
  return {
    patient: resourcesOf<Patient>(prefetch.patient, 'Patient')[0],
    observations: ['labs', 'history', 'variants'].flatMap((key) => resourcesOf<Observation>(prefetch[key], 'Observation')),
    conditions: resourcesOf<Condition>(prefetch.conditions, 'Condition'),
    medicationRequests: readResources<MedicationRequest>(prefetch.medications, 'MedicationRequest'),
    medicationStatements: readResources<MedicationStatement>(prefetch.statements, 'MedicationStatement'),
    medications,
  };
}

/**
 * The orders a call checks: the service's imatinib drafts, or for patient-view the patient's active
 * imatinib order (the latest, when there are several: one answer per chart, not per order).
 */
function ordersOf({ service, request }: CdsCall, record: ReturnType<typeof recordOf>): MedicationRequest[] {
  if (service.draftOrders) return service.draftOrders(request);
  const active = record.medicationRequests.resources
    .filter((r) => r.status === 'active' && isImatinib(r, record.medications))
    .sort((a, b) => (b.authoredOn ?? '').localeCompare(a.authoredOn ?? ''));
  return active.slice(0, 1);
}

/**
 * The cards for one call: maps the FHIR data to PatientFacts for each imatinib order, runs the same
 * core as `/evaluate`, and turns the findings the service shows into cards (one card per finding,
 * however many orders share it) and the missing facts into one card. No I/O: the prefetch is
 * already resolved.
 */
export async function answerCdsCall(call: CdsCall): Promise<CdsAnswer> {
  const { service, request, prefetch, now } = call;
  const record = recordOf(request, prefetch);
  const orders = ordersOf(call, record);
  const drafts = draftMedicationRequests(request);
  const context: CardContext = { hookInstance: request.hookInstance, orders };
  const cards = new Map<string, Card>();
  const results: EvaluationResult[] = [];
  for (const order of orders) {
    const facts = factsFromFhir({ ...record, order, otherDraftOrders: drafts.filter((d) => d !== order), now });
    const result = await evaluate(facts);
    results.push(result);
    for (const finding of result.findings.filter(service.shows ?? (() => true))) {
      const card = cardFor(finding, order, context);
      if (!cards.has(card.uuid)) cards.set(card.uuid, card);
    }
  }
  // A fact is asked for only for the rules whose findings this hook would show.
  const missing = mergeMissing(results, (ruleId) => {
    const kind = ruleKinds.get(ruleId);
    return kind === undefined || (service.shows?.(kind) ?? true);
  });
  const ordered = [...cards.values()].sort((a, b) => INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator]);
  if (missing.length > 0) ordered.push(missingFactsCard(missing, context));
  return {
    cards: ordered,
    orders: orders.length,
    firedRuleIds: [...new Set(results.flatMap((r) => r.findings.map((f) => f.ruleId)))],
    missingFacts: missing.length,
  };
}
