import { FHIR_READ_DEFAULTS, fhirRead, FhirReadFailed } from '../fhir/fhir-client.js';
import type { FhirServer } from '../fhir/fhir-server.js';
import type { CdsRequest } from './cds-request.js';

/**
 * The data each prefetch key stands for: from the request's prefetch when the EHR sent it, else read
 * from its FHIR server (CDS Hooks 2.0, Prefetch). A key sent as `null` means the EHR found nothing,
 * which is an answer; an absent key, or an OperationOutcome in its place, means it could not fetch.
 */

/**
 * Why a prefetch key could not be had: for the log line an on-call engineer reads.
 * `fhir-server-not-allowed`: the request's fhirServer is not one the calling EHR may have read
 * (CDS_TRUSTED_ISSUERS fhirServers), so nothing was contacted.
 */
export type PrefetchFailure = FhirReadFailed['reason'] | 'no-fhir-server' | 'fhir-server-not-allowed' | 'operation-outcome';

export class PrefetchUnavailable extends Error {
  readonly keys: string[];

  constructor(readonly reasons: Readonly<Record<string, PrefetchFailure>>) {
    super(`prefetch unavailable: ${Object.keys(reasons).join(', ')}`);
    this.name = 'PrefetchUnavailable';
    this.keys = Object.keys(reasons);
  }
}

/** Fills `{{context.x}}` tokens, URL-encoding each value. */
function fillTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{context\.(\w+)\}\}/g, (_token, name: string) => encodeURIComponent(String(context[name] ?? '')));
}

const isOperationOutcome = (value: unknown) =>
  value !== null && typeof value === 'object' && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome';

/** The server a request's fhirServer stands for, if the caller may have it read; undefined otherwise. */
export type FhirServerCheck = (fhirServer: string) => FhirServer | undefined;

export interface PrefetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Resolves every key of `templates`. Throws PrefetchUnavailable (-> 412) when a key is neither in the
 * prefetch nor readable from `fhirServer`. Missing keys are read in parallel, under one deadline,
 * and only when `allowedServer` accepts the request's fhirServer: otherwise nothing is contacted and
 * the token goes nowhere.
 */
export async function resolvePrefetch(
  request: CdsRequest,
  templates: Readonly<Record<string, string>>,
  allowedServer: FhirServerCheck,
  options: PrefetchOptions = {},
): Promise<Record<string, unknown>> {
  const given = request.prefetch ?? {};
  const resolved: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const key of Object.keys(templates)) {
    if (Object.hasOwn(given, key) && !isOperationOutcome(given[key])) resolved[key] = given[key];
    else missing.push(key);
  }
  if (missing.length === 0) return resolved;
  const unavailable = (reason: PrefetchFailure) =>
    new PrefetchUnavailable(Object.fromEntries(missing.map((key) => [key, reason])));
  if (!request.fhirServer) throw unavailable('no-fhir-server');
  const server = allowedServer(request.fhirServer);
  if (!server) throw unavailable('fhir-server-not-allowed');

  const read = { accessToken: request.fhirAuthorization?.access_token, ...FHIR_READ_DEFAULTS, ...options };
  const results = await Promise.allSettled(
    missing.map((key) => fhirRead(server, fillTemplate(templates[key]!, request.context), read)),
  );
  const failures: Record<string, PrefetchFailure> = {};
  missing.forEach((key, i) => {
    const result = results[i]!;
    if (result.status === 'rejected') failures[key] = result.reason instanceof FhirReadFailed ? result.reason.reason : 'network';
    else if (isOperationOutcome(result.value)) failures[key] = 'operation-outcome';
  });
  if (Object.keys(failures).length > 0) throw new PrefetchUnavailable(failures);
  missing.forEach((key, i) => {
    resolved[key] = (results[i] as PromiseFulfilledResult<unknown>).value;
  });
  return resolved;
}
