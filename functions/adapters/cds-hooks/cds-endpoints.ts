import type { Condition, MedicationRequest, Observation, Patient } from 'fhir/r4';
import { evaluate, type EvaluationResult, type MissingFact } from '../../core/index.js';
import { factsFromFhir, isImatinib, readResources, resourcesOf, unreadable } from '../fhir/fhir-to-facts.js';
import { badRequest, notFound, preconditionFailed } from '../http/errors.js';
import { jsonResponse, type HttpResult, type JsonEvent } from '../http/http-event.js';
import { logger } from '../logger.js';
import { cardFor, missingFactsCard, type Card, type CardContext } from './cards.js';
import { draftMedicationRequests, type CdsService } from './cds-service.js';
import { checkCdsFeedback, checkCdsRequest, type CdsRequest } from './cds-request.js';
import { PrefetchUnavailable, resolvePrefetch } from './prefetch.js';
import { discoveryDocument, serviceById } from './services/index.js';

/** `GET /cds-services` (CDS Hooks 2.0, Discovery). */
export async function discoveryEndpoint(): Promise<HttpResult> {
  return jsonResponse(200, discoveryDocument());
}

function serviceOf(event: JsonEvent): CdsService {
  const service = serviceById(event.pathParameters?.id ?? '');
  if (!service) throw notFound();
  return service;
}

function requestOf(event: JsonEvent, service: CdsService): CdsRequest {
  const checked = checkCdsRequest(event.jsonBody);
  if (!checked.ok) throw badRequest('The body is not a valid CDS Hooks request for this service.', checked.problems);
  const unreadableOrders = checked.value.context.draftOrders.entry.flatMap(({ resource }, i) =>
    resource.resourceType === 'MedicationRequest'
      ? unreadable(resource, 'DraftMedicationRequest', `$.context.draftOrders.entry[${i}].resource`)
      : [],
  );
  if (unreadableOrders.length > 0)
    throw badRequest('A draft MedicationRequest does not have the FHIR R4 types this service reads.', unreadableOrders);
  if (checked.value.hook !== service.definition.hook) {
    throw badRequest(`This service answers the ${service.definition.hook} hook.`, [
      { path: '$.hook', expected: JSON.stringify(service.definition.hook), found: 'another hook' },
    ]);
  }
  return checked.value;
}

/** Merges the missing facts of several evaluations (one per imatinib order). */
function mergeMissing(results: readonly EvaluationResult[]): MissingFact[] {
  const merged = new Map<string, Set<string>>();
  for (const { missingFacts } of results) {
    for (const { fact, neededBy } of missingFacts) merged.set(fact, new Set([...(merged.get(fact) ?? []), ...neededBy]));
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([fact, ids]) => ({ fact, neededBy: [...ids] }));
}

const RANK = { critical: 0, warning: 1, info: 2 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** hookInstance correlates log lines; the spec makes it a UUID, and anything else is not logged. */
const loggableHookInstance = (hookInstance: string) => (UUID.test(hookInstance) ? hookInstance : 'not-a-uuid');

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** Identifiers the EHR sends are logged only in the shapes they should have, so no free text slips in. */
const loggable = (value: string | undefined, shape: RegExp) =>
  value === undefined ? undefined : shape.test(value) ? value : 'unexpected-format';

/**
 * The patient's current medications, or undefined (not known) when one of them cannot be read:
 * "no strong CYP3A4 inducer" may only be said of a list read whole.
 */
function medicationsOf(prefetched: unknown): MedicationRequest[] | undefined {
  const { resources, unreadable: unread } = readResources<MedicationRequest>(prefetched, 'MedicationRequest');
  return unread > 0 ? undefined : resources.filter((m) => !isImatinib(m));
}

/**
 * `POST /cds-services/{id}`: maps the FHIR data to PatientFacts for each imatinib draft order, runs
 * the same core as `/evaluate` and answers with cards. No imatinib order: no cards.
 */
export async function serviceEndpoint(event: JsonEvent): Promise<HttpResult> {
  const started = performance.now();
  const service = serviceOf(event);
  const request = requestOf(event, service);
  logger.appendKeys({ hookInstance: loggableHookInstance(request.hookInstance), cdsService: service.definition.id });

  const orders = service.imatinibOrders(request);
  if (orders.length === 0) {
    logger.info('no imatinib order to check', { cards: 0 });
    return jsonResponse(200, { cards: [] });
  }

  let prefetch: Record<string, unknown>;
  try {
    prefetch = await resolvePrefetch(request, service.definition.prefetch);
  } catch (error) {
    if (!(error instanceof PrefetchUnavailable)) throw error;
    logger.warn('prefetch unavailable', { keys: error.keys });
    throw preconditionFailed(
      `Data this service needs was neither prefetched nor readable from fhirServer: ${error.keys.join(', ')}.`,
    );
  }

  const drafts = draftMedicationRequests(request);
  const observations = [
    ...resourcesOf<Observation>(prefetch.labs, 'Observation'),
    ...resourcesOf<Observation>(prefetch.variants, 'Observation'),
  ];
  const call: CardContext = { hookInstance: request.hookInstance, patientId: request.context.patientId };
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
      now: new Date(),
    });
    const result = await evaluate(facts);
    results.push(result);
    for (const finding of result.findings) {
      const card = cardFor(finding, order, call);
      if (!cards.has(card.uuid)) cards.set(card.uuid, card);
    }
  }
  const missing = mergeMissing(results);
  const ordered = [...cards.values()].sort((a, b) => RANK[a.indicator] - RANK[b.indicator]);
  if (missing.length > 0) ordered.push(missingFactsCard(missing, call));

  logger.info('cards', {
    orders: orders.length,
    firedRuleIds: [...new Set(results.flatMap((r) => r.findings.map((f) => f.ruleId)))],
    cards: ordered.length,
    missingFacts: missing.length,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
  return jsonResponse(200, { cards: ordered });
}

/**
 * `POST /cds-services/{id}/feedback`: accepted and logged as card uuid, outcome and override reason
 * code only; a user's comment is free text and never logged.
 */
export async function feedbackEndpoint(event: JsonEvent): Promise<HttpResult> {
  const service = serviceOf(event);
  const checked = checkCdsFeedback(event.jsonBody);
  if (!checked.ok) throw badRequest('The body is not valid CDS Hooks feedback.', checked.problems);
  for (const entry of checked.value.feedback) {
    logger.info('card feedback', {
      cdsService: service.definition.id,
      card: loggable(entry.card, UUID),
      outcome: entry.outcome,
      overrideReason: loggable(entry.overrideReason?.reason?.code, CODE),
      acceptedSuggestions: entry.acceptedSuggestions?.length ?? 0,
    });
  }
  return jsonResponse(200, {});
}
