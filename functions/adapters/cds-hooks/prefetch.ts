import { FHIR_READ_DEFAULTS, fhirRead } from '../fhir/fhir-client.js';
import type { CdsRequest } from './cds-request.js';

/**
 * The data each prefetch key stands for: from the request's prefetch when the EHR sent it, else read
 * from its FHIR server (CDS Hooks 2.0, Prefetch). A key sent as `null` means the EHR found nothing,
 * which is an answer; an absent key, or an OperationOutcome in its place, means it could not fetch.
 */

export class PrefetchUnavailable extends Error {
  constructor(readonly keys: string[]) {
    super(`prefetch unavailable: ${keys.join(', ')}`);
    this.name = 'PrefetchUnavailable';
  }
}

/** Fills `{{context.x}}` tokens, URL-encoding each value. */
export function fillTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{context\.(\w+)\}\}/g, (_token, name: string) => encodeURIComponent(String(context[name] ?? '')));
}

const isOperationOutcome = (value: unknown) =>
  value !== null && typeof value === 'object' && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome';

export interface PrefetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Resolves every key of `templates`. Throws PrefetchUnavailable (-> 412) when a key is neither in the
 * prefetch nor readable from `fhirServer`. Missing keys are read in parallel, under one deadline.
 */
export async function resolvePrefetch(
  request: CdsRequest,
  templates: Readonly<Record<string, string>>,
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
  const { fhirServer } = request;
  if (!fhirServer) throw new PrefetchUnavailable(missing);

  const read = { accessToken: request.fhirAuthorization?.access_token, ...FHIR_READ_DEFAULTS, ...options };
  const results = await Promise.allSettled(
    missing.map((key) => fhirRead(fhirServer, fillTemplate(templates[key]!, request.context), read)),
  );
  const failed = missing.filter(
    (_key, i) => results[i]!.status === 'rejected' || isOperationOutcome((results[i] as PromiseFulfilledResult<unknown>).value),
  );
  if (failed.length > 0) throw new PrefetchUnavailable(failed);
  missing.forEach((key, i) => {
    resolved[key] = (results[i] as PromiseFulfilledResult<unknown>).value;
  });
  return resolved;
}
