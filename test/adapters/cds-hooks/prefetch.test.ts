import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrefetchUnavailable, resolvePrefetch, type FhirServerCheck } from '../../../functions/adapters/cds-hooks/prefetch.js';
import type { CdsRequest } from '../../../functions/adapters/cds-hooks/cds-request.js';
import { fhirServerOf } from '../../../functions/adapters/fhir/fhir-server.js';
import { startFhirServer, type FhirBehaviour, type FhirServer } from '../../support/fhir-server.js';

/** Why a prefetch key could not be had, as the log line of a 412 says it (reason codes, never URLs or bodies). */

const TEMPLATES = { patient: 'Patient/{{context.patientId}}', labs: 'Observation?patient={{context.patientId}}' };
const RESOURCES = { patient: { resourceType: 'Patient', id: 'p1' }, labs: { resourceType: 'Bundle', entry: [] } };

let fhir: FhirServer;
let unlisted: FhirServer;
beforeAll(async () => {
  [fhir, unlisted] = await Promise.all([startFhirServer(RESOURCES), startFhirServer(RESOURCES)]);
});
afterAll(() => Promise.all([fhir.close(), unlisted.close()]));

/** Allows exactly the servers given, as the trusted-issuer list would. */
const allowing =
  (...servers: string[]): FhirServerCheck =>
  (fhirServer) => {
    const checked = fhirServerOf(fhirServer);
    return checked.ok && servers.includes(fhirServer) ? checked.server : undefined;
  };

const request = (fhirServer?: string, prefetch: Record<string, unknown> = {}) =>
  ({
    hook: 'order-sign',
    hookInstance: 'h',
    context: { userId: 'u', patientId: 'p1', draftOrders: { resourceType: 'Bundle', entry: [] } },
    prefetch,
    fhirAuthorization: { access_token: 'fhir-access-token', token_type: 'Bearer', expires_in: 300, scope: 's', subject: 's' },
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

    const resolved = await resolvePrefetch(
      request(fhir.url, { patient: { resourceType: 'Patient', id: 'p1' } }),
      TEMPLATES,
      allowing(fhir.url),
    );

    expect(resolved.keys).toEqual({
      patient: { value: { resourceType: 'Patient', id: 'p1' }, complete: true },
      labs: { value: { ...RESOURCES.labs, type: 'searchset' }, complete: true },
    });
  });

  it('says no FHIR server was given when there is none to read from, and sends the token nowhere', async () => {
    const before = [fhir.connections, unlisted.connections];

    const reasons = await reasonsOf(resolvePrefetch(request(), TEMPLATES, allowing(fhir.url, unlisted.url)));

    expect(reasons).toEqual({ patient: 'no-fhir-server', labs: 'no-fhir-server' });
    expect([fhir.connections, unlisted.connections]).toEqual(before);
  });

  it('contacts nothing when the FHIR server is not allowed for the caller', async () => {
    const reasons = await reasonsOf(resolvePrefetch(request(unlisted.url), TEMPLATES, allowing(fhir.url)));

    expect(reasons).toEqual({ patient: 'fhir-server-not-allowed', labs: 'fhir-server-not-allowed' });
    expect(unlisted.connections).toBe(0);
  });

  // A short deadline where the server hangs; the default one elsewhere, so a busy machine cannot turn a 500 into a timeout.
  it.each<[FhirBehaviour, string, number]>([
    ['fail', 'status', 2_000],
    ['huge', 'too-large', 5_000],
    ['hang', 'timeout', 300],
  ])('names the reason when the server %s', async (behaviour, reason, timeoutMs) => {
    fhir.setBehaviour(behaviour);

    const reasons = await reasonsOf(resolvePrefetch(request(fhir.url), TEMPLATES, allowing(fhir.url), { timeoutMs }));

    expect(reasons).toEqual({ patient: reason, labs: reason });
  });

  it('takes an OperationOutcome in place of a key as data it could not have', async () => {
    fhir.setBehaviour('serve');
    const outcome = { resourceType: 'OperationOutcome', issue: [] };

    const reasons = await reasonsOf(
      resolvePrefetch(request(undefined, { patient: outcome, labs: null }), TEMPLATES, allowing(fhir.url)),
    );

    expect(reasons).toEqual({ patient: 'no-fhir-server' });
  });
});
