import type { Context } from 'aws-lambda';
import type { FieldProblem } from '../../core/index.js';
import { badRequest, conflict, serviceUnavailable } from '../http/errors.js';
import { jsonResponse, type HttpResult, type JsonEvent } from '../http/http-event.js';
import { logger } from '../logger.js';
import { NO_REASON, OTHER_REASON } from '../state/card-items.js';
import type { CardOutcome, CardRecorder } from '../state/card-records.js';
import { StateStoreUnavailable } from '../state/state-table.js';
import { callerIssuerOf } from './auth/ehr-auth.js';
import { OVERRIDE_REASON_CODES, OVERRIDE_REASON_SYSTEM } from './card-text.js';
import { callIdOf } from './cards.js';
import { serviceOf, UUID } from './cds-endpoints.js';
import { checkCdsFeedback, type CdsFeedback } from './cds-request.js';

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** Identifiers the EHR sends are logged only in the shapes they should have, so no free text slips in. */
const loggable = (value: string | undefined, shape: RegExp) =>
  value === undefined ? undefined : shape.test(value) ? value : 'unexpected-format';

type FeedbackEntry = CdsFeedback['feedback'][number];

/**
 * The override reason as it is kept: a code the cards offer (CDS Hooks 2.0 has the EHR send back
 * one of the card's `overrideReasons`), else `other`; `none` when no reason was given. Anything an
 * EHR put in a code of its own stays out of the table.
 */
function keptReasonOf(entry: FeedbackEntry): string {
  const reason = entry.overrideReason?.reason;
  if (reason?.code === undefined) return NO_REASON;
  const offered =
    (reason.system === undefined || reason.system === OVERRIDE_REASON_SYSTEM) && OVERRIDE_REASON_CODES.includes(reason.code);
  return offered ? reason.code : OTHER_REASON;
}

/** An entry as it is kept: outcome, reason code and a count; never the comment or the suggestion ids. */
const outcomeOf = (entry: FeedbackEntry): CardOutcome => ({
  card: entry.card,
  call: callIdOf(entry.card),
  outcome: entry.outcome,
  ...(entry.outcome === 'overridden' ? { overrideReason: keptReasonOf(entry) } : {}),
  acceptedSuggestions: entry.acceptedSuggestions?.length ?? 0,
});

const cardProblems = (entries: readonly number[], expected: string, found: string): FieldProblem[] =>
  entries.map((i) => ({ path: `$.feedback[${i}].card`, expected, found }));

/**
 * `POST /cds-services/{id}/feedback` (CDS Hooks 2.0, Feedback): logged as card uuid, outcome,
 * override reason code and the number of accepted suggestions (a user's comment is free text and
 * never logged). With a `recorder` (a state table) each entry is also kept against its card: a card
 * this service did not return to the caller is 400, a card that already has an outcome 409, and
 * either refuses the whole body, recording nothing.
 */
export function feedbackEndpoint(recorder?: CardRecorder) {
  return async function feedbackEndpointHandler(event: JsonEvent, context: Context): Promise<HttpResult> {
    const service = serviceOf(event);
    const checked = checkCdsFeedback(event.jsonBody);
    if (!checked.ok) throw badRequest('The body is not valid CDS Hooks feedback.', checked.problems);
    const entries = checked.value.feedback.map(outcomeOf);
    for (const entry of entries) {
      logger.info('card feedback', {
        cdsService: service.definition.id,
        card: loggable(entry.card, UUID),
        outcome: entry.outcome,
        overrideReason: loggable(entry.overrideReason, CODE),
        acceptedSuggestions: entry.acceptedSuggestions,
      });
    }
    if (!recorder) return jsonResponse(200, {});

    let recorded: Awaited<ReturnType<CardRecorder['recordFeedback']>>;
    try {
      recorded = await recorder.recordFeedback({
        caller: callerIssuerOf(context),
        service: service.definition.id,
        entries,
        now: new Date(),
      });
    } catch (error) {
      if (!(error instanceof StateStoreUnavailable)) throw error;
      logger.error('state store unavailable: feedback refused', { operation: 'record-feedback', reason: error.reason });
      throw serviceUnavailable();
    }
    if (recorded.ok) return jsonResponse(200, {});
    if (recorded.problem === 'unknown-card') {
      throw badRequest(
        'Feedback names a card this service did not return to the caller; nothing was recorded.',
        cardProblems(recorded.entries, 'the uuid of a card this service returned to the caller', 'an unknown card'),
      );
    }
    throw conflict(
      'A card already has an outcome, which stands; nothing was recorded.',
      cardProblems(recorded.entries, 'a card without an outcome yet', 'a card that already has one'),
    );
  };
}
