import { evaluate, InvalidPatientFactsError, type PatientFacts } from '../../core/index.js';
import { logger } from '../logger.js';
import { badRequest } from './errors.js';
import { jsonResponse, type HttpResult, type JsonEvent } from './http-event.js';

/**
 * `POST /evaluate` (facts.md): the body is PatientFacts, the answer the EvaluationResult.
 * Invalid facts are a 400 naming every offending field.
 */
export async function evaluateEndpoint(event: JsonEvent): Promise<HttpResult> {
  const started = performance.now();
  try {
    const result = await evaluate(event.jsonBody as PatientFacts);
    logger.info('evaluated', {
      firedRuleIds: result.findings.map((f) => f.ruleId),
      missingFacts: result.missingFacts.length,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return jsonResponse(200, result);
  } catch (error) {
    if (error instanceof InvalidPatientFactsError) {
      throw badRequest('The body does not match the PatientFacts contract.', error.problems);
    }
    throw error;
  }
}
