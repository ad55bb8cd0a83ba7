import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrefetchUnavailable, resolvePrefetch } from '../../../functions/adapters/cds-hooks/prefetch.js';
import type { CdsRequest } from '../../../functions/adapters/cds-hooks/cds-request.js';
import { startFhirServer, type FhirBehaviour, type FhirServer } from '../../support/fhir-server.js';

/** Why a prefetch key could not be had, as the log line of a 412 says it (reason codes, never URLs or bodies). */

const TEMPLATES = { patient: 'Patient/{{context.patientId}}', labs: 'Observation?patient={{context.patientId}}' };

let fhir: FhirServer;
beforeAll(async () => {
  fhir = await startFhirServer({ patient: { resourceType: 'Patient', id: 'p1' }, labs: { resourceType: 'Bundle', entry: [] } });
});
afterAll(() => fhir.close());

const request = (fhirServer?: string, prefetch: Record<string, unknown> = {}) =>
  ({
    hook: 'order-sign',
    hookInstance: 'h',
    context: { userId: 'u', patientId: 'p1', draftOrders: { resourceType: 'Bundle', entry: [] } },
    prefetch,
    ...(fhirServer ? { fhirServer } : {}),
  }) as CdsRequest;

async function reasonsOf(call: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof PrefetchUnavailable) return { ...error.reasons };
    throw error;
  }
  return {};
}

describe('resolvePrefetch', () => {
  it('reads what was not prefetched from the FHIR server, and keeps what was', async () => {
    fhir.setBehaviour('serve');

    const resolved = await resolvePrefetch(request(fhir.url, { patient: { resourceType: 'Patient', id: 'given' } }), TEMPLATES);

    expect(resolved).toEqual({ patient: { resourceType: 'Patient', id: 'given' }, labs: { resourceType: 'Bundle', entry: [] } });
  });

  it('says no FHIR server was given when there is none to read from', async () => {
    expect(await reasonsOf(resolvePrefetch(request(), TEMPLATES))).toEqual({ patient: 'no-fhir-server', labs: 'no-fhir-server' });
  });

  it.each<[FhirBehaviour, string, number]>([
    ['fail', 'status', 2000],
    ['huge', 'too-large', 5000],
    ['hang', 'timeout', 300],
  ])('names the reason when the server does %s', async (behaviour, reason, timeoutMs) => {
    fhir.setBehaviour(behaviour);

    const reasons = await reasonsOf(resolvePrefetch(request(fhir.url), TEMPLATES, { timeoutMs }));

    expect(reasons).toEqual({ patient: reason, labs: reason });
  });

  it('takes an OperationOutcome in place of a key as data it could not have', async () => {
    fhir.setBehaviour('serve');
    const outcome = { resourceType: 'OperationOutcome', issue: [] };

    const reasons = await reasonsOf(resolvePrefetch(request(undefined, { patient: outcome, labs: null }), TEMPLATES));

    expect(reasons).toEqual({ patient: 'no-fhir-server' });
  });
});
