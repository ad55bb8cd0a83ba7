import { describeSchemaErrors, type FieldProblem } from '../../core/index.js';
import validateCdsRequest from './generated/validate-cds-hooks-request.cjs';
import validateCdsFeedback from './generated/validate-cds-hooks-feedback.cjs';

/** The parts of a CDS Hooks 2.0 request this service reads (schemas/cds-hooks-request.schema.json). */
export interface CdsRequest {
  hook: 'order-select' | 'order-sign' | 'patient-view';
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: {
    access_token: string;
    token_type: 'Bearer';
    expires_in: number;
    scope: string;
    subject: string;
    patient?: string;
  };
  context: {
    userId: string;
    patientId: string;
    encounterId?: string;
    selections?: string[];
    /** Required by the order hooks; patient-view has none. */
    draftOrders?: { resourceType: 'Bundle'; entry: { resource: { resourceType: string; id?: string } }[] };
  };
  prefetch?: Record<string, unknown>;
}

export interface CdsFeedback {
  feedback: {
    card: string;
    outcome: 'accepted' | 'overridden';
    acceptedSuggestions?: { id: string }[];
    overrideReason?: { reason?: { system?: string; code?: string }; userComment?: string };
    outcomeTimestamp: string;
  }[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Validates a CDS Hooks request body; problems name each field, never echo a value. */
export function checkCdsRequest(body: unknown): Checked<CdsRequest> {
  return validateCdsRequest(body)
    ? { ok: true, value: body as CdsRequest }
    : { ok: false, problems: describeSchemaErrors(validateCdsRequest.errors ?? [], body) };
}

export function checkCdsFeedback(body: unknown): Checked<CdsFeedback> {
  return validateCdsFeedback(body)
    ? { ok: true, value: body as CdsFeedback }
    : { ok: false, problems: describeSchemaErrors(validateCdsFeedback.errors ?? [], body) };
}
