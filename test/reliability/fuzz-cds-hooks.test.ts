import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent } from '../../functions/adapters/http/http-event.js';
import { lambdaContext, loadEvent, type Invoke } from '../support/events.js';
import { hostileObject, hostileValue, mutateSomewhere, prototypeKeys, rawBody } from '../support/hostile.js';
import { expectWellFormedAnswer } from '../support/http-invariants.js';
import { schemaValidator } from '../support/schemas.js';

/**
 * 10,000 generated calls to a CDS service and 10,000 to its feedback endpoint, through the whole
 * Lambda handler, with JWT verification switched off so that the bodies are what is tested (the
 * token is fuzzed in its own test below): never a 500, never an unhandled rejection, every 4xx
 * says what is wrong, every 200 matches the CDS Hooks response rules.
 */

const SEED = 4_242;
const validCards = schemaValidator('cds-hooks-response.schema.json');
const SAMPLES = ['cds-hooks.order-sign-fip1l1-pdgfra', 'cds-hooks.order-select-kit-d816v', 'cds-hooks.order-sign-no-imatinib'];
const bodies = SAMPLES.map((name) => JSON.parse(loadEvent<{ body: string }>(name).body) as Record<string, unknown>);
const feedback = JSON.parse(loadEvent<{ body: string }>('cds-hooks.feedback').body) as Record<string, unknown>;

let invoke: Invoke;
let unhandled = 0;
const countUnhandled = () => unhandled++;
let prototypesBefore: string;

beforeAll(async () => {
  vi.stubEnv('CDS_JWT_VERIFICATION', 'off');
  vi.resetModules();
  invoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
  process.on('unhandledRejection', countUnhandled);
  prototypesBefore = prototypeKeys();
});

afterAll(() => {
  process.off('unhandledRejection', countUnhandled);
  vi.unstubAllEnvs();
});

function event(sample: string, body: string, method = 'POST'): HttpEvent {
  const base = loadEvent<HttpEvent & { body?: string; requestContext: { http: { method: string } } }>(sample);
  base.body = body;
  base.requestContext.http.method = method;
  return base;
}

async function call(sample: string, body: string) {
  const result = await invoke(event(sample, body), lambdaContext());
  const answer = expectWellFormedAnswer(result) as { cards?: unknown[] };
  if (result.statusCode === 200 && answer.cards) expect(validCards(answer), JSON.stringify(validCards.errors)).toBe(true);
  return result.statusCode;
}

/** A sample request with one value, anywhere in it (FHIR resources included), made hostile or dropped. */
const mutatedRequest = fc
  .tuple(
    fc.nat({ max: bodies.length - 1 }),
    fc.array(fc.tuple(fc.nat(), hostileValue, fc.boolean()), { minLength: 1, maxLength: 3 }),
  )
  .map(([which, mutations]) => {
    let body: unknown = { ...bodies[which]!, fhirServer: 'http://127.0.0.1:9/fhir' };
    for (const [choice, value, drop] of mutations) body = mutateSomewhere(body, choice, value, drop);
    return body;
  });

describe('POST /cds-services/{id} under fuzzing', () => {
  it('answers 8,000 sample requests with values made hostile or dropped with 200, 400 or 412', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRequest, async (body) => {
        expect([200, 400, 412]).toContain(await call('cds-hooks.order-sign-fip1l1-pdgfra', JSON.stringify(body)));
      }),
      { seed: SEED, numRuns: 8_000 },
    );
  });

  it('answers 1,000 hostile objects and 1,000 raw bodies without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(hostileObject, async (body) => {
        expect([400, 413]).toContain(await call('cds-hooks.order-select-kit-d816v', JSON.stringify(body)));
      }),
      { seed: SEED + 1, numRuns: 1_000 },
    );
    await fc.assert(
      fc.asyncProperty(rawBody, async (body) => {
        expect([400, 413]).toContain(await call('cds-hooks.order-select-kit-d816v', body));
      }),
      { seed: SEED + 2, numRuns: 1_000 },
    );
  });
});

describe('POST /cds-services/{id}/feedback under fuzzing', () => {
  it('answers 10,000 mutated, hostile and raw feedback bodies with 200 or a 4xx that says what is wrong', async () => {
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.nat(), hostileValue, fc.boolean())
          .map(([choice, value, drop]) => JSON.stringify(mutateSomewhere(feedback, choice, value, drop))),
      },
      { weight: 2, arbitrary: hostileObject.map((o) => JSON.stringify(o)) },
      { weight: 2, arbitrary: rawBody },
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        expect([200, 400, 413]).toContain(await call('cds-hooks.feedback', text));
      }),
      { seed: SEED + 3, numRuns: 10_000 },
    );
  });
});

describe('GET /cds-services under fuzzing', () => {
  it('answers 1,000 requests on random paths and methods without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.webPath(), async (method, path) => {
        const request = event('cds-hooks.discovery', '{}', method) as HttpEvent & {
          rawPath: string;
          requestContext: { http: { path: string } };
        };
        request.rawPath = `/cds-services${path}`;
        request.requestContext.http.path = request.rawPath;
        expectWellFormedAnswer(await invoke(request, lambdaContext()));
      }),
      { seed: SEED + 4, numRuns: 1_000 },
    );
  });
});

describe('after fuzzing the CDS Hooks function', () => {
  it('leaves no unhandled rejection and the built-in prototypes unchanged', () => {
    expect(unhandled).toBe(0);
    expect(prototypeKeys()).toBe(prototypesBefore);
  });
});
