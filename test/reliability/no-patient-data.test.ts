import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/adapters/http/http-event.js';
import { daysSinceSampleDay, shiftIsoDate } from '../../scripts/sample-event-dates.js';
import { eventNames, httpApiEvent, lambdaContext, loadEvent, withoutPrefetch, type Invoke } from '../support/events.js';
import { mutateSomewhere } from '../support/hostile.js';
import { startFhirServer, type FhirBehaviour, type FhirServer } from '../support/fhir-server.js';
import { SANDBOX_ISSUER, startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';

/**
 * No patient data in logs, error bodies or metrics: every sample event, and generated requests
 * (valid and invalid) carrying unique marker values in the places patient data goes, run through
 * both Lambda handlers with logging at DEBUG; no marker may appear in any line written to stdout or
 * stderr, nor in any error body. (The service emits no metrics: counts and timings are log fields.)
 */

const BASE = 'https://cds.example.org';
let evaluateHandler: Invoke;
let cdsHandler: Invoke;
let jwks: JwksServer;
let fhir: FhirServer;
const output: string[] = [];
let restore: (() => void)[] = [];

beforeAll(async () => {
  jwks = await startJwksServer({ audience: BASE });
  fhir = await startFhirServer(JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body).prefetch);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
  vi.stubEnv('CDS_PUBLIC_BASE_URL', BASE);
  vi.stubEnv('CDS_TRUSTED_ISSUERS', JSON.stringify([{ iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl, fhirServers: [fhir.url] }]));
  vi.resetModules();
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  evaluateHandler = (await import('../../functions/handlers/evaluate.js')).handler as unknown as Invoke;
  cdsHandler = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
});

afterAll(async () => {
  for (const undo of restore) undo();
  restore = [];
  vi.unstubAllEnvs();
  await Promise.all([jwks.close(), fhir.close()]);
});

/** Marker values unique to one case: strings and numbers nobody else would write. */
const markers = (seed: number) => ({
  text: `PHI-${seed.toString(36)}-Zq9`,
  number: 40 + (seed % 1000) / 1000 + 0.000_123_4,
});

function expectNoMarker(marker: { text: string; number: number }, result: HttpResult) {
  const everything = output.join('');
  expect(everything).not.toContain(marker.text);
  expect(everything).not.toContain(String(marker.number));
  if (result.statusCode >= 400) {
    expect(result.body).not.toContain(marker.text);
    expect(result.body).not.toContain(String(marker.number));
  }
}

async function signed(event: HttpEvent & { headers: Record<string, string>; rawPath: string }) {
  event.headers.authorization = `Bearer ${await jwks.signToken({ aud: `${BASE}${event.rawPath}` })}`;
  return event;
}

describe('no patient data leaves the service except in its answers', () => {
  it('logs something for every request, so the checks below are not vacuous', async () => {
    const before = output.length;

    await evaluateHandler(loadEvent('evaluate.kit-d816v-positive'), lambdaContext());

    expect(output.length).toBeGreaterThan(before);
    expect(output.slice(before).join('')).toContain('"firedRuleIds":["kit-d816v-caveat"]');
  });

  it('writes no value of any sample event to the logs', async () => {
    for (const name of eventNames('')) {
      const event = loadEvent<HttpEvent & { headers: Record<string, string>; rawPath: string; body?: string }>(name);
      const handler = name.startsWith('cds-hooks.') ? cdsHandler : evaluateHandler;
      if (name.startsWith('cds-hooks.') && event.headers.authorization?.includes('{{local-ehr-jwt}}')) await signed(event);
      output.length = 0;
      await handler(event, lambdaContext());
      const logged = output.join('');
      for (const value of [
        'pt-4821',
        // The birth date as loadEvent gives it today (scripts/sample-event-dates.ts).
        shiftIsoDate('1968-03-14', daysSinceSampleDay(new Date())),
        'rifampin',
        'draft-imatinib',
        'Practitioner/dr-1842',
        'Discussed with the patient',
      ]) {
        expect(logged, `${name} logged ${value}`).not.toContain(value);
      }
    }
  });

  it('writes no marker value of 500 generated patients, valid or not, to logs or error bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        patientFacts,
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e9 }),
        async (facts, choice, breakIt, seed) => {
          const marker = markers(seed);
          const marked = {
            ...facts,
            patient: { ...facts.patient, ageYears: marker.number },
            molecular: { ...facts.molecular, kitOtherMutations: [marker.text] },
            medications: { strongCyp3a4Inducers: [`${marker.text}-drug`] },
          };
          const body = breakIt ? mutateSomewhere(marked, choice, breakIt ? marker.text : marker.number, false) : marked;
          output.length = 0;
          const result = await evaluateHandler(httpApiEvent('POST', '/evaluate', JSON.stringify(body)), lambdaContext());
          expectNoMarker(marker, result);
        },
      ),
      { seed: 1_357, numRuns: 500 },
    );
  });

  it('writes no marker value of 300 CDS Hooks calls (patient id, FHIR values, tokens) to logs or error bodies', async () => {
    const sample = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.nat(), fc.boolean(), async (seed, choice, breakIt) => {
        const marker = markers(seed);
        const body = structuredClone(sample);
        body.context.patientId = marker.text;
        body.fhirAuthorization = {
          access_token: marker.text,
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'patient/*.read',
          subject: marker.text,
        };
        body.prefetch.patient.birthDate = marker.text;
        body.prefetch.labs.entry[0].resource.valueQuantity.value = marker.number;
        body.context.draftOrders.entry[0].resource.note = [{ text: marker.text }];
        const sent = breakIt ? mutateSomewhere(body, choice, marker.text, false) : body;
        const event = loadEvent<HttpEvent & { headers: Record<string, string>; rawPath: string; body: string }>(
          'cds-hooks.order-sign-fip1l1-pdgfra',
        );
        event.body = JSON.stringify(sent);
        output.length = 0;
        expectNoMarker(marker, await cdsHandler(await signed(event), lambdaContext()));
      }),
      { seed: 2_468, numRuns: 300 },
    );
  });

  it('logs feedback as card, outcome and reason code, never the comment', async () => {
    const event = loadEvent<HttpEvent & { headers: Record<string, string>; rawPath: string; body: string }>('cds-hooks.feedback');
    output.length = 0;

    await cdsHandler(await signed(event), lambdaContext());

    const logged = output.join('');
    expect(logged).toContain('"outcome":"overridden"');
    expect(logged).toContain('"overrideReason":"benefit-outweighs-risk"');
    expect(logged).not.toContain('Discussed with the patient');
  });

  it('does not log a card id or reason code that could be free text', async () => {
    const event = loadEvent<HttpEvent & { headers: Record<string, string>; rawPath: string; body: string }>('cds-hooks.feedback');
    const body = JSON.parse(event.body);
    body.feedback[0].card = 'Jane Doe card';
    body.feedback[0].overrideReason.reason.code = 'patient Jane Doe declined';
    event.body = JSON.stringify(body);
    output.length = 0;

    await cdsHandler(await signed(event), lambdaContext());

    expect(output.join('')).not.toContain('Jane');
  });

  it.each<[string, FhirBehaviour, (marker: string) => string | undefined]>([
    ['read from the listed FHIR server', 'serve', () => fhir.url],
    ['refused by the listed FHIR server', 'fail', () => fhir.url],
    ['redirected by the listed FHIR server', 'redirect', () => fhir.url],
    ['naming a FHIR server that is not listed', 'serve', (marker) => `https://${marker.toLowerCase()}.example/${marker}`],
    ['naming the metadata endpoint', 'serve', (marker) => `http://169.254.169.254/latest/${marker}`],
  ])('writes neither the FHIR token nor the URL of a call %s to logs or error bodies', async (_what, behaviour, fhirServer) => {
    const marker = markers(7_919);
    fhir.setBehaviour(behaviour, `https://${marker.text.toLowerCase()}.example`);
    const event = loadEvent<HttpEvent & { headers: Record<string, string>; rawPath: string; body: string }>(
      'cds-hooks.order-sign-fip1l1-pdgfra',
    );
    event.body = JSON.stringify(withoutPrefetch(JSON.parse(event.body), fhirServer(marker.text), marker.text));
    output.length = 0;

    const result = await cdsHandler(await signed(event), lambdaContext());
    fhir.setBehaviour('serve');

    expect(result.statusCode).toBe(behaviour === 'serve' && fhirServer(marker.text) === fhir.url ? 200 : 412);
    expectNoMarker(marker, result);
    for (const text of [output.join(''), result.body]) {
      for (const part of ['127.0.0.1', `:${fhir.port}`, '169.254.169.254']) expect(text).not.toContain(part);
    }
  });
});
