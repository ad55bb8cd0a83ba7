import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { PREFETCH } from '../../functions/adapters/cds-hooks/cds-service.js';
import type { Card } from '../../functions/adapters/cds-hooks/cards.js';
import { CDS_BASE_URL, signedCdsHandler, type SignedCdsHandler } from '../support/cds-handler.js';
import { bodyOf, lambdaContext, loadEvent } from '../support/events.js';
import { startFhirServer, type FhirServer } from '../support/fhir-server.js';
import { yearOnImatinibFacts, yearOnImatinibRecord } from '../support/year-on-imatinib.js';

/**
 * The treatment course from the EHR's history (issue "Every fact from the EHR"): a FHIR server on
 * 127.0.0.1 holds a synthetic patient's year on imatinib, and patient-view, called with no
 * prefetch, finds the same response findings as /evaluate does on the same facts written by hand.
 */

let fhir: FhirServer;
let handler: SignedCdsHandler;

beforeAll(async () => {
  fhir = await startFhirServer(yearOnImatinibRecord(new Date()));
  handler = await signedCdsHandler([fhir.url]);
});

afterAll(async () => {
  await handler.close();
  await fhir.close();
});

describe('patient-view from the FHIR server alone', () => {
  it('finds the response findings that /evaluate finds on the same facts, reading every key from the server', async () => {
    const event = loadEvent<{ body: string; rawPath: string; headers: Record<string, string> }>(
      'cds-hooks.patient-view-on-imatinib',
    );
    const body = JSON.parse(event.body);
    delete body.prefetch;
    body.context.patientId = 'pt-year';
    body.fhirServer = fhir.url;
    event.body = JSON.stringify(body);
    event.headers.authorization = `Bearer ${await handler.jwks.signToken({ aud: `${CDS_BASE_URL}${event.rawPath}` })}`;

    const result = await handler.invoke(event as never, lambdaContext());

    expect(result.statusCode).toBe(200);
    const cards = bodyOf<{ cards: Card[] }>(result).cards;
    const expected = (await evaluate(yearOnImatinibFacts)).findings.filter((f) => f.category === 'response').map((f) => f.ruleId);
    expect(expected).toEqual(
      expect.arrayContaining(['response-tryptase', 'response-n-methylhistamine', 'response-multi-endpoint']),
    );
    expect(cards.map((c) => c.source.topic?.code).filter((id) => id?.startsWith('response-'))).toEqual(expected);
    expect(fhir.paths.map((p) => p.split('?')[0]).sort()).toEqual(
      Object.values(PREFETCH)
        .map((template) => `/fhir/${template.split('?')[0]!.replace('{{context.patientId}}', 'pt-year')}`)
        .sort(),
    );
  });
});
