import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/handlers/evaluate.js';
import { httpApiEvent, lambdaContext, type Invoke } from '../support/events.js';
import { hostileObject, hostileValue, mutateSomewhere, prototypeKeys, rawBody } from '../support/hostile.js';
import { expectWellFormedAnswer } from '../support/http-invariants.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';
import { schemaValidator } from '../support/schemas.js';

/**
 * 10,000 generated requests to POST /evaluate, through the whole Lambda handler: never a 500,
 * never an unhandled rejection, every 4xx says what is wrong, every 200 matches the published
 * result schema, and the built-in prototypes are what they were.
 */

const invoke = handler as unknown as Invoke;
const validResult = schemaValidator('evaluation-result.schema.json');
const SEED = 20_261_128;
const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/fhir+json',
  'text/plain',
  'application/xml',
  '',
);

let unhandled = 0;
const countUnhandled = () => unhandled++;
let prototypesBefore: string;

beforeAll(() => {
  process.on('unhandledRejection', countUnhandled);
  prototypesBefore = prototypeKeys();
});

afterAll(() => {
  process.off('unhandledRejection', countUnhandled);
});

async function send(body: string, contentType = 'application/json') {
  const result = await invoke(httpApiEvent('POST', '/evaluate', body, { 'content-type': contentType }), lambdaContext());
  const answer = expectWellFormedAnswer(result);
  if (result.statusCode === 200) expect(validResult(answer), JSON.stringify(validResult.errors)).toBe(true);
  return result.statusCode;
}

describe('POST /evaluate under fuzzing', () => {
  it('answers 3,000 valid patients with 200 and a schema-valid result', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, async (facts) => {
        expect(await send(JSON.stringify(facts))).toBe(200);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('answers 3,000 valid patients with one value made hostile, or dropped, with 200 or a 400 that names it', async () => {
    await fc.assert(
      fc.asyncProperty(patientFacts, fc.nat(), hostileValue, fc.boolean(), async (facts, choice, value, drop) => {
        const status = await send(JSON.stringify(mutateSomewhere(facts, choice, value, drop)));
        expect([200, 400, 413]).toContain(status);
      }),
      { seed: SEED + 1, numRuns: 3_000 },
    );
  });

  it('answers 2,000 hostile objects (prototype keys, wrong types, unicode, huge values) without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileObject,
          fc.record({ patient: hostileObject, molecular: hostileObject, order: hostileObject }, { requiredKeys: [] }),
        ),
        async (body) => {
          const status = await send(JSON.stringify(body));
          expect([200, 400, 413]).toContain(status);
        },
      ),
      { seed: SEED + 2, numRuns: 2_000 },
    );
  });

  it('answers 2,000 bodies that are empty, not JSON, too deep or sent as another type with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentTypes, async (body, contentType) => {
        const status = await send(body, contentType);
        if (status === 200) expect(() => JSON.parse(body)).not.toThrow();
      }),
      { seed: SEED + 3, numRuns: 2_000 },
    );
  });

  it('leaves no unhandled rejection and the built-in prototypes unchanged', () => {
    expect(unhandled).toBe(0);
    expect(prototypeKeys()).toBe(prototypesBefore);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
