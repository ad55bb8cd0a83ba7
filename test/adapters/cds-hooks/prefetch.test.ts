import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_PAGES,
  PrefetchUnavailable,
  resolvePrefetch,
  type FhirServerCheck,
} from '../../../functions/adapters/cds-hooks/prefetch.js';
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

describe('what is not what the template asks for is not read, never "none found"', () => {
  const SEARCH = { medications: 'MedicationRequest?patient={{context.patientId}}&status=active' };

  it.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['[]', [], 'not-a-bundle'],
    ['a JSON error body', { message: 'session expired' }, 'not-a-bundle'],
    ['another resource', { resourceType: 'Patient', id: 'p1' }, 'not-a-bundle'],
  ])('leaves a search prefetched as %s not read', async (_what, value, reason) => {
    const resolved = await resolvePrefetch(request(undefined, { medications: value }), SEARCH, allowing());

    expect(resolved.keys).toEqual({});
    expect(resolved.notRead).toEqual({ medications: reason });
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['[]', [], 'not-a-bundle'],
    ['200 {"message":"session expired"}', { message: 'session expired' }, 'not-a-bundle'],
    ['a Patient', { resourceType: 'Patient', id: 'p1' }, 'not-a-bundle'],
  ])('leaves a search the server answers with %s not read', async (_what, body, reason) => {
    fhir.setBehaviour('serve');
    fhir.answerWith('/fhir/MedicationRequest', body);

    const resolved = await resolvePrefetch(request(fhir.url), SEARCH, allowing(fhir.url));

    expect(resolved.notRead).toEqual({ medications: reason });
  });

  it('uses no Patient whose id is not the patient asked about, prefetched or read', async () => {
    fhir.setBehaviour('serve');
    fhir.answerWith('/fhir/Patient/', { resourceType: 'Patient', id: 'someone-else' });

    const given = await resolvePrefetch(
      request(undefined, { patient: { resourceType: 'Patient', id: 'p2' }, labs: RESOURCES.labs }),
      TEMPLATES,
      allowing(),
    );
    const read = await resolvePrefetch(request(fhir.url, { labs: RESOURCES.labs }), TEMPLATES, allowing(fhir.url));

    expect(given.notRead).toEqual({ patient: 'wrong-patient' });
    expect(read.notRead).toEqual({ patient: 'wrong-patient' });
  });

  it('fills no template with a patient id that is not a FHIR id, and contacts nothing', async () => {
    fhir.setBehaviour('serve');
    const before = fhir.connections;

    for (const patientId of ['..', '.', 'a/b', 'x?y']) {
      const call = request(fhir.url);
      call.context.patientId = patientId;
      expect(await reasonsOf(resolvePrefetch(call, TEMPLATES, allowing(fhir.url)))).toEqual({
        patient: 'invalid-patient-id',
        labs: 'invalid-patient-id',
      });
    }
    expect(fhir.connections).toBe(before);
  });
});

describe('searches of more than one page', () => {
  const LABS = { labs: 'Observation?patient={{context.patientId}}' };
  const page = (n: number, next?: string) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [{ resource: { resourceType: 'Observation', id: `o${n}` } }],
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
  });

  it('follows next links on the same server, and reads the pages as one', async () => {
    fhir.setBehaviour('serve');
    fhir.answerWith('/fhir/Observation', page(1, `${fhir.url}/page-2`));
    fhir.answerWith('/fhir/page-2', page(2));

    const { keys } = await resolvePrefetch(request(fhir.url), LABS, allowing(fhir.url));

    expect(keys.labs!.complete).toBe(true);
    expect((keys.labs!.value as { entry: unknown[] }).entry).toHaveLength(2);
  });

  it(`stops after ${MAX_PAGES} pages and says the search was cut`, async () => {
    fhir.setBehaviour('serve');
    fhir.answerWith('/fhir/Observation', page(1, `${fhir.url}/page-2`));
    for (let n = 2; n <= MAX_PAGES + 2; n++) fhir.answerWith(`/fhir/page-${n}`, page(n, `${fhir.url}/page-${n + 1}`));

    const { keys } = await resolvePrefetch(request(fhir.url), LABS, allowing(fhir.url));

    expect(keys.labs!.complete).toBe(false);
    expect((keys.labs!.value as { entry: unknown[] }).entry).toHaveLength(MAX_PAGES);
  });

  it('follows no next link to another server, and says the search was cut', async () => {
    fhir.setBehaviour('serve');
    fhir.answerWith('/fhir/Observation', page(1, `${unlisted.url}/page-2`));

    const { keys } = await resolvePrefetch(request(fhir.url), LABS, allowing(fhir.url));

    expect(keys.labs!.complete).toBe(false);
    expect(unlisted.connections).toBe(0);
  });

  it('says a prefetched search with a next page was cut when no server may be read for it', async () => {
    const { keys } = await resolvePrefetch(
      request(undefined, { labs: page(1, 'https://fhir.example.org/r4/page-2') }),
      LABS,
      allowing(),
    );

    expect(keys.labs).toEqual({ value: expect.objectContaining({ resourceType: 'Bundle' }), complete: false });
  });

  it('says a search whose total is above its matches was cut', async () => {
    const { keys } = await resolvePrefetch(request(undefined, { labs: { ...page(1), total: 3 } }), LABS, allowing());

    expect(keys.labs!.complete).toBe(false);
  });
});
