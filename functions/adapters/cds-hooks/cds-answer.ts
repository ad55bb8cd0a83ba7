import type {
  Condition,
  FhirResource,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Reference,
} from 'fhir/r4';
import {
  evaluate,
  INDICATOR_RANK,
  ruleKinds,
  type EvaluationResult,
  type MissingFact,
  type PatientFacts,
} from '../../core/index.js';
import { factsForOrder, isImatinib, readRecord, type FhirRecordInputs, type ReadList } from '../fhir/fhir-to-facts.js';
import { effectiveTime } from '../fhir/observations.js';
import { readResources, resourcesOf, type ReadResourceType } from '../fhir/resources.js';
import { cardFor, missingFactsCard, type Card, type CardContext } from './cards.js';
import { draftMedicationRequests, draftMedications, type CdsService } from './cds-service.js';
import type { CdsRequest } from './cds-request.js';
import { PrefetchUnavailable, type ResolvedPrefetch } from './prefetch.js';

/** Everything one CDS Hooks call is answered from, once the prefetch is resolved. */
export interface CdsCall {
  service: CdsService;
  request: CdsRequest;
  /** Every prefetch key of the service, resolved (given by the EHR or read from its FHIR server). */
  prefetch: ResolvedPrefetch;
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

/** The id of the Patient a reference names (`Patient/x`, or the end of an absolute URL); undefined for any other. */
const patientIdOf = (reference: string | undefined) =>
  /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]*)?$/.exec(reference ?? '')?.[1];

/**
 * Only the patient asked about (facts.md v3): a resource whose subject names another Patient is left
 * out, whatever the server answered (one that ignores `patient=` would send everybody's).
 */
const aboutPatient =
  (patientId: string) =>
  (resource: { subject?: { reference?: string } }): boolean => {
    const subject = patientIdOf(resource.subject?.reference);
    return subject === undefined || subject === patientId;
  };

/** The Medications the prefetched requests and statements may reference (`_include`d in their searches). */
const medicationsOf = ({ keys }: ResolvedPrefetch) =>
  ['medications', 'statements', 'medicationHistory', 'statementHistory'].flatMap((key) =>
    resourcesOf<Medication>(keys[key]?.value, 'Medication'),
  );

/** The record as the mapping reads it, from the keys of PREFETCH; a key not read gives nothing, never "none". */
function recordOf(request: CdsRequest, prefetch: ResolvedPrefetch, now: Date): FhirRecordInputs {
  const { keys } = prefetch;
  const patientId = request.context.patientId;
  const mine = aboutPatient(patientId);
  const list = <T extends FhirResource & { subject?: Reference }>(
    key: string,
    type: T['resourceType'] & ReadResourceType,
  ): ReadList<T> | undefined => {
    const answer = keys[key];
    if (answer === undefined) return undefined;
    const read = readResources<T>(answer.value, type);
    return { resources: read.resources.filter(mine), unreadable: read.unreadable, complete: answer.complete };
  };
  const observations = (key: string) => list<Observation>(key, 'Observation');
  const [labs, history, variants] = ['labs', 'history', 'variants'].map(observations);
  const patient = resourcesOf<Patient>(keys.patient?.value, 'Patient').find((p) => p.id === patientId);
  const medications = [...draftMedications(request), ...medicationsOf(prefetch)];
  const historyRead = history?.resources.map((o) => effectiveTime(o) ?? -Infinity) ?? [];
  return {
    ...(patient ? { patient } : {}),
    observations: [labs, history, variants].flatMap((l) => l?.resources ?? []),
    // Endpoint results older than the oldest one read may be missing: a history cut, or not read at all, holds no baseline.
    ...(history === undefined
      ? { historyCutAt: Infinity }
      : history.complete === false
        ? { historyCutAt: Math.min(...historyRead) }
        : {}),
    variantsComplete: variants !== undefined && variants.complete !== false,
    conditions: list<Condition>('conditions', 'Condition'),
    medicationRequests: list<MedicationRequest>('medications', 'MedicationRequest'),
    medicationStatements: list<MedicationStatement>('statements', 'MedicationStatement'),
    requestHistory: list<MedicationRequest>('medicationHistory', 'MedicationRequest'),
    statementHistory: list<MedicationStatement>('statementHistory', 'MedicationStatement'),
    medications,
    now,
  };
}

/**
 * The orders a call checks: the service's imatinib drafts, or for patient-view the patient's active
 * imatinib order (the latest, when there are several: one answer per chart, not per order). For
 * patient-view, medication lists that could not be read are a 412: "not on imatinib" cannot be said.
 */
function ordersOf({ service, request }: CdsCall, record: FhirRecordInputs): MedicationRequest[] {
  if (service.draftOrders) return service.draftOrders(request);
  const lists = [record.medicationRequests, record.requestHistory];
  if (lists.every((l) => l === undefined)) throw new PrefetchUnavailable({ medications: 'not-read' });
  const medications = record.medications ?? [];
  const active = new Map<string, MedicationRequest>();
  for (const r of lists.flatMap((l) => l?.resources ?? [])) {
    if (r.status === 'active' && isImatinib(r, medications)) active.set(r.id ?? `#${active.size}`, r);
  }
  return [...active.values()].sort((a, b) => (b.authoredOn ?? '').localeCompare(a.authoredOn ?? '')).slice(0, 1);
}

/** The facts of each imatinib order a call checks, the record read once for all of them. */
export function factsOfCall(call: CdsCall): { order: MedicationRequest; facts: PatientFacts }[] {
  const { request, prefetch, now } = call;
  const inputs = recordOf(request, prefetch, now);
  const orders = ordersOf(call, inputs);
  const drafts = draftMedicationRequests(request);
  const record = readRecord(inputs, drafts);
  return orders.map((order) => ({
    order,
    facts: factsForOrder(
      record,
      order,
      drafts.filter((d) => d !== order),
    ),
  }));
}

/**
 * The cards for one call: the facts of each imatinib order (factsOfCall), the same core as
 * `/evaluate`, and the findings the service shows as cards (one card per finding, however many
 * orders share it) and the missing facts as one card. No I/O: the prefetch is already resolved.
 */
export async function answerCdsCall(call: CdsCall): Promise<CdsAnswer> {
  const { service, request, prefetch } = call;
  const medications = [...draftMedications(request), ...medicationsOf(prefetch)];
  const ordered = factsOfCall(call);
  const context: CardContext = { hookInstance: request.hookInstance, orders: ordered.map(({ order }) => order) };
  const cards = new Map<string, Card>();
  const results: EvaluationResult[] = [];
  for (const { order, facts } of ordered) {
    const result = await evaluate(facts);
    results.push(result);
    for (const finding of result.findings.filter(service.shows ?? (() => true))) {
      const card = cardFor(finding, order, context, medications);
      if (!cards.has(card.uuid)) cards.set(card.uuid, card);
    }
  }
  // A fact is asked for only for the rules whose findings this hook would show.
  const missing = mergeMissing(results, (ruleId) => {
    const kind = ruleKinds.get(ruleId);
    return kind === undefined || (service.shows?.(kind) ?? true);
  });
  const sorted = [...cards.values()].sort((a, b) => INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator]);
  if (missing.length > 0) sorted.push(missingFactsCard(missing, context));
  return {
    cards: sorted,
    orders: ordered.length,
    firedRuleIds: [...new Set(results.flatMap((r) => r.findings.map((f) => f.ruleId)))],
    missingFacts: missing.length,
  };
}
