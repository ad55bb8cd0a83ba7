import type { Context } from 'aws-lambda';
import type { MedicationRequest } from 'fhir/r4';
import { isImatinib } from '../fhir/fhir-to-facts.js';
import { unreadable } from '../fhir/resources.js';
import { knowledgeBaseInfo } from '../../core/index.js';
import { badRequest, notFound, preconditionFailed } from '../http/errors.js';
import { jsonResponse, type HttpResult, type JsonEvent } from '../http/http-event.js';
import { logger } from '../logger.js';
import { MISSING_FACTS_TOPIC } from '../state/card-items.js';
import type { CardRecorder } from '../state/card-records.js';
import { StateStoreUnavailable } from '../state/state-table.js';
import { callerIssuerOf, verifiedCallerOf } from './auth/ehr-auth.js';
import { answerCdsCall, type CdsAnswer } from './cds-answer.js';
import { callIdOf, type Card } from './cards.js';
import { draftMedications, type CdsService } from './cds-service.js';
import { checkCdsRequest, type CdsRequest } from './cds-request.js';
import type { FhirServerTrust } from './fhir-server-trust.js';
import { PrefetchUnavailable, resolvePrefetch, type ResolvedPrefetch } from './prefetch.js';
import { discoveryDocument, serviceById } from './services/index.js';

/** `GET /cds-services` (CDS Hooks 2.0, Discovery). */
export async function discoveryEndpoint(): Promise<HttpResult> {
  return jsonResponse(200, discoveryDocument());
}

/** The service the path names; 404 when this service offers none by that id. */
export function serviceOf(event: JsonEvent): CdsService {
  const service = serviceById(event.pathParameters?.id ?? '');
  if (!service) throw notFound();
  return service;
}

/**
 * The request, checked: a CDS Hooks request for this service's hook whose draft MedicationRequests
 * have the FHIR types the mapping reads. An imatinib draft must also be whole (status, intent,
 * subject), since a suggestion may update it; a draft of another drug, or one with no drug chosen
 * yet (the sandbox's order-select fires before), needs nothing more.
 */
function requestOf(event: JsonEvent, service: CdsService): CdsRequest {
  const checked = checkCdsRequest(event.jsonBody);
  if (!checked.ok) throw badRequest('The body is not a valid CDS Hooks request for this service.', checked.problems);
  const request = checked.value;
  if (request.hook !== service.definition.hook) {
    throw badRequest(`This service answers the ${service.definition.hook} hook.`, [
      { path: '$.hook', expected: JSON.stringify(service.definition.hook), found: 'another hook' },
    ]);
  }
  const medications = draftMedications(request);
  const problems = (request.context.draftOrders?.entry ?? []).flatMap(({ resource }, i) => {
    if (resource.resourceType !== 'MedicationRequest') return [];
    const at = `$.context.draftOrders.entry[${i}].resource`;
    const types = unreadable(resource, 'MedicationRequest', at);
    if (types.length > 0 || !isImatinib(resource as MedicationRequest, medications)) return types;
    return unreadable(resource, 'DraftMedicationRequest', at);
  });
  if (problems.length > 0)
    throw badRequest('A draft MedicationRequest does not have the FHIR R4 types and elements this service reads.', problems);
  return request;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** hookInstance correlates log lines; the spec makes it a UUID, and anything else is not logged. */
const loggableHookInstance = (hookInstance: string) => (UUID.test(hookInstance) ? hookInstance : 'not-a-uuid');

/** Keys answered with something else than their template asks for, and searches cut by the paging bound: reasons only. */
function logPartlyRead({ keys, notRead }: ResolvedPrefetch): void {
  const cut = Object.keys(keys).filter((key) => !keys[key]!.complete);
  if (Object.keys(notRead).length > 0 || cut.length > 0) logger.warn('prefetch partly read', { notRead, cut });
}

/** The 412's detail: the keys, and when the fhirServer was not read at all, the setting that decides. */
function unavailableDetail(error: PrefetchUnavailable): string {
  const detail = `Data this service needs was neither prefetched nor readable from fhirServer: ${error.keys.join(', ')}.`;
  return Object.values(error.reasons).includes('fhir-server-not-allowed')
    ? `${detail} fhirServer is not a FHIR server configured for the calling EHR (CDS_TRUSTED_ISSUERS, fhirServers), so it was not contacted.`
    : detail;
}

/**
 * Records the cards of an answer (card-records.ts). A store that cannot be reached withholds no
 * card: the answer goes out, unrecorded, and the log says so (feedback on those cards is then 400).
 */
async function recordCards(recorder: CardRecorder, service: CdsService, cards: readonly Card[], context: Context) {
  try {
    const { recorded, repeated } = await recorder.recordShown({
      call: callIdOf(cards[0]!.uuid),
      caller: callerIssuerOf(context),
      service: service.definition.id,
      knowledgeBaseVersion: knowledgeBaseInfo.version,
      cards: cards.map((card) => ({
        uuid: card.uuid,
        topic: card.source.topic?.code ?? MISSING_FACTS_TOPIC,
        indicator: card.indicator,
      })),
      now: new Date(),
    });
    logger.info('cards recorded', { recorded, repeated });
  } catch (error) {
    if (!(error instanceof StateStoreUnavailable)) throw error;
    logger.error('state store unavailable: cards answered but not recorded', { operation: 'record-cards', reason: error.reason });
  }
}

/**
 * `POST /cds-services/{id}`: checks the request, reads what the EHR did not prefetch from its FHIR
 * server if `fhirServers` allows that server for the verified caller, and answers with the cards of
 * answerCdsCall (the pure part), recording them when there is a `recorder` (a state table). No
 * imatinib order: no cards, and nothing read.
 */
export function serviceEndpoint(fhirServers: FhirServerTrust, recorder?: CardRecorder) {
  return async function serviceEndpointHandler(event: JsonEvent, context: Context): Promise<HttpResult> {
    const started = performance.now();
    const service = serviceOf(event);
    const request = requestOf(event, service);
    logger.appendKeys({ hookInstance: loggableHookInstance(request.hookInstance), cdsService: service.definition.id });

    // An order hook about another drug reads nothing from the EHR.
    if (service.draftOrders && service.draftOrders(request).length === 0) {
      logger.info('no imatinib order to check', { cards: 0 });
      return jsonResponse(200, { cards: [] });
    }

    const callerIssuer = verifiedCallerOf(context)?.iss;
    let answer: CdsAnswer;
    try {
      const prefetch = await resolvePrefetch(request, service.definition.prefetch, (fhirServer) =>
        fhirServers(fhirServer, callerIssuer),
      );
      logPartlyRead(prefetch);
      answer = await answerCdsCall({ service, request, prefetch, now: new Date() });
    } catch (error) {
      if (!(error instanceof PrefetchUnavailable)) throw error;
      logger.warn('prefetch unavailable', { reasons: error.reasons });
      throw preconditionFailed(unavailableDetail(error));
    }
    logger.info('cards', {
      orders: answer.orders,
      firedRuleIds: answer.firedRuleIds,
      cards: answer.cards.length,
      missingFacts: answer.missingFacts,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    if (recorder && answer.cards.length > 0) await recordCards(recorder, service, answer.cards, context);
    return jsonResponse(200, { cards: answer.cards });
  };
}
