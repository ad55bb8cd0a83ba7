/**
 * Charts as EHRs send them (test/fixtures/charts/), read from a real FHIR server. This file starts,
 * once, on 127.0.0.1:
 * - a FHIR R4 server from npm: Medplum's FHIR router over its in-memory repository, in a child
 *   process (test/support/medplum/server.ts), loaded with every chart through its FHIR API;
 * - a stand-in EHR's JWKS (signedCdsHandler), so every call is signed and verified as deployed.
 * Each chart is then called twice through the CDS Hooks handler: with the prefetch an EHR would send
 * (the service's own templates run against the server, first page only: the service follows the
 * `next` links), and with no prefetch at all (the service reads everything itself). Both must give
 * the same facts, those the chart states, and the same cards; every suggested resource must be
 * valid FHIR R4 by @medplum/core's validateResource (on the same server).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Medication, MedicationRequest } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../functions/adapters/cds-hooks/cards.js';
import { factsOfCall } from '../../functions/adapters/cds-hooks/cds-answer.js';
import type { CdsRequest } from '../../functions/adapters/cds-hooks/cds-request.js';
import { PREFETCH } from '../../functions/adapters/cds-hooks/cds-service.js';
import { resolvePrefetch } from '../../functions/adapters/cds-hooks/prefetch.js';
import { suggestedOrder } from '../../functions/adapters/cds-hooks/suggested-order.js';
import { serviceById } from '../../functions/adapters/cds-hooks/services/index.js';
import { fhirServerOf } from '../../functions/adapters/fhir/fhir-server.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { daysSinceSampleDay, shiftJsonDates } from '../../scripts/sample-event-dates.js';
import { CDS_BASE_URL, signedCdsHandler, type SignedCdsHandler } from '../support/cds-handler.js';
import { bodyOf, lambdaContext, loadEvent } from '../support/events.js';
import { startMedplumFhirServer, type MedplumFhirServer } from '../support/medplum-fhir-server.js';

const CHARTS_DIR = path.resolve(import.meta.dirname, '../fixtures/charts');

type Hook = 'order-sign' | 'patient-view';

/** A chart: the resources a FHIR server holds for one patient, and the facts they must give. */
interface Chart {
  title: string;
  codedAs: string;
  patientId: string;
  hooks: Hook[];
  draftOrders?: MedicationRequest[];
  resources: { resourceType: string; id: string }[];
  mustGive: {
    /** Facts (dotted paths) and their exact values. */
    facts: Record<string, unknown>;
    /** Facts that must stay unknown. */
    unknown?: string[];
    /** List facts that must hold these entries, and those that must not. */
    contains?: Record<string, string[]>;
    lacks?: Record<string, string[]>;
  };
}

/** Every chart, its dates moved from the day it was written for to today (scripts/sample-event-dates.ts). */
const charts: [string, Chart][] = readdirSync(CHARTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [
    f.replace(/\.json$/, ''),
    JSON.parse(shiftJsonDates(readFileSync(path.join(CHARTS_DIR, f), 'utf8'), daysSinceSampleDay(new Date()))) as Chart,
  ]);

const SERVICE: Record<Hook, { id: string; sample: string }> = {
  'order-sign': { id: 'imatinib-sm-order-sign', sample: 'cds-hooks.order-sign-fip1l1-pdgfra' },
  'patient-view': { id: 'imatinib-sm-patient-view', sample: 'cds-hooks.patient-view-on-imatinib' },
};

let fhir: MedplumFhirServer;
let handler: SignedCdsHandler;
/** Suggested resources validated, over all charts: the check must have run on some. */
let validated = 0;

beforeAll(async () => {
  [fhir] = await Promise.all([startMedplumFhirServer()]);
  handler = await signedCdsHandler([fhir.url]);
  await fhir.load(charts.flatMap(([, chart]) => chart.resources));
}, 90_000);

afterAll(async () => {
  await Promise.all([handler?.close(), fhir?.close()]);
  expect(validated).toBeGreaterThan(0);
});

/** The CDS Hooks request of a chart for a hook, with the prefetch given (none: everything is read). */
function requestOf(name: string, chart: Chart, hook: Hook, prefetch?: Record<string, unknown>): CdsRequest {
  return {
    hook,
    hookInstance: `5e1f0c3a-0000-4000-8000-${name.length.toString().padStart(4, '0')}${hook.length.toString().padStart(8, '0')}`,
    fhirServer: fhir.url,
    fhirAuthorization: {
      access_token: 'chart-token',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'cds',
    },
    context: {
      userId: 'Practitioner/dr-1',
      patientId: chart.patientId,
      ...(hook === 'order-sign'
        ? { draftOrders: { resourceType: 'Bundle', entry: (chart.draftOrders ?? []).map((resource) => ({ resource })) } }
        : {}),
    },
    ...(prefetch ? { prefetch } : {}),
  } as CdsRequest;
}

/** What an EHR prefetches: each template of the service run against its server, the first page as the server gives it. */
async function prefetchOf(chart: Chart): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(PREFETCH).map(async ([key, template]) => [
      key,
      await fhir.get(template.replaceAll('{{context.patientId}}', chart.patientId)),
    ]),
  );
  return Object.fromEntries(entries);
}

async function cardsOf(request: CdsRequest, hook: Hook): Promise<Card[]> {
  const event = loadEvent<{ body: string; rawPath: string; headers: Record<string, string> }>(SERVICE[hook].sample);
  event.body = JSON.stringify(request);
  event.headers.authorization = `Bearer ${await handler.jwks.signToken({ aud: `${CDS_BASE_URL}${event.rawPath}` })}`;
  const result = await handler.invoke(event as never, lambdaContext());
  expect(result.statusCode, result.body).toBe(200);
  return bodyOf<{ cards: Card[] }>(result).cards;
}

/** The facts the service builds for the chart's order, through the same pure path the handler takes. */
async function factsOf(request: CdsRequest, hook: Hook): Promise<PatientFacts> {
  const allow = (url: string) => (url === fhir.url ? (fhirServerOf(url) as { ok: true; server: never }).server : undefined);
  const prefetch = await resolvePrefetch(request, PREFETCH, allow);
  const [first] = factsOfCall({ service: serviceById(SERVICE[hook].id)!, request, prefetch, now: new Date() });
  return first!.facts;
}

const at = (facts: PatientFacts, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], facts);

const cases = charts.flatMap(([name, chart]) =>
  chart.hooks.map((hook) => [`${name} (${hook}): ${chart.title}`, name, chart, hook] as const),
);

// One chart at a time: the server is one process, and a search that pages past the service's paging
// budget (3 s a key) would be cut, which is the service's answer under load, not the chart's.
describe('charts as EHRs send them, from a real FHIR server', () => {
  it.each(cases)('%s', async (_title, name, chart, hook) => {
    const prefetched = requestOf(name, chart, hook, await prefetchOf(chart));
    const selfFetched = requestOf(name, chart, hook);

    const [factsPrefetched, factsRead, cardsPrefetched, cardsRead] = await Promise.all([
      factsOf(prefetched, hook),
      factsOf(selfFetched, hook),
      cardsOf(prefetched, hook),
      cardsOf(selfFetched, hook),
    ]);

    expect(factsRead).toEqual(factsPrefetched);
    expect(cardsRead).toEqual(cardsPrefetched);
    const { facts, unknown = [], contains = {}, lacks = {} } = chart.mustGive;
    for (const [fact, value] of Object.entries(facts)) expect(at(factsRead, fact), fact).toEqual(value);
    for (const fact of unknown) expect(at(factsRead, fact), fact).toBeUndefined();
    for (const [fact, entries] of Object.entries(contains))
      expect(at(factsRead, fact), fact).toEqual(expect.arrayContaining(entries));
    for (const [fact, entries] of Object.entries(lacks))
      for (const entry of entries) expect(at(factsRead, fact), fact).not.toContain(entry);
    const suggested = cardsRead
      .flatMap((c) => c.suggestions ?? [])
      .flatMap((s) => s.actions.flatMap((a) => (a.resource ? [a.resource] : [])));
    for (const resource of suggested) expect(await fhir.validate(resource), JSON.stringify(resource)).toEqual([]);
    validated += suggested.length;
  });
});

describe('suggested orders a pharmacy can dispense, valid FHIR R4', () => {
  const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
  const tablets = (count: number) => ({ value: count, unit: 'tablet', system: 'http://unitsofmeasure.org', code: '{tbl}' });
  const draftOf = (extra: Partial<MedicationRequest>): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    id: 'draft-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '403879', display: 'imatinib 400 MG Oral Tablet' }] },
    dosageInstruction: [
      { timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: tablets(1) }] },
    ],
    ...extra,
  });

  it("answers the public sandbox's draft (category as one object) with a valid update naming the 100 mg tablet", async () => {
    const event = loadEvent<{ body: string; rawPath: string; headers: Record<string, string> }>(
      'cds-hooks.order-sign-sandbox-pill-count',
    );
    event.headers.authorization = `Bearer ${await handler.jwks.signToken({ aud: `${CDS_BASE_URL}${event.rawPath}` })}`;

    const cards = bodyOf<{ cards: Card[] }>(await handler.invoke(event as never, lambdaContext())).cards;
    const [update] = cards.flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions);

    expect(update!.resource).toMatchObject({
      category: [{ coding: [{ code: 'community' }] }],
      medicationCodeableConcept: { coding: [{ code: '403878' }] },
      dispenseRequest: { expectedSupplyDuration: { value: 30, code: 'd' } },
    });
    expect(await fhir.validate(update!.resource!)).toEqual([]);
  });

  it('recomputes the quantity to dispense for the new dose, and says so', async () => {
    const draft = draftOf({ dispenseRequest: { quantity: tablets(60), numberOfRepeatsAllowed: 2 } });

    const { resource, notes } = suggestedOrder(draft, 100);

    expect(resource.dispenseRequest).toEqual({ quantity: tablets(30), numberOfRepeatsAllowed: 2 });
    expect(notes.join(' ')).toContain('30 tablets for 30 days');
    expect(await fhir.validate(resource)).toEqual([]);
  });

  it('leaves out a dispense request it cannot recompute, and says so', async () => {
    const draft = draftOf({
      dispenseRequest: { quantity: { value: 24, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' } },
    });

    const { resource, notes } = suggestedOrder(draft, 100);

    expect(resource.dispenseRequest).toBeUndefined();
    expect(notes.join(' ')).toContain('dispense request was left out');
    expect(await fhir.validate(resource)).toEqual([]);
  });

  it('names the 100 mg tablet in place of a product known only by its Medication, and drops that Medication', async () => {
    const gleevec: Medication = {
      resourceType: 'Medication',
      id: 'gleevec',
      code: { text: 'Gleevec 400 mg tablet' },
      ingredient: [
        {
          itemCodeableConcept: { text: 'imatinib' },
          strength: {
            numerator: { value: 400, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' },
            denominator: tablets(1),
          },
        },
      ],
    };
    const draft = draftOf({ medicationReference: { reference: '#gleevec' }, contained: [gleevec] });
    delete draft.medicationCodeableConcept;

    const { resource } = suggestedOrder(draft, 100);

    expect(resource).not.toHaveProperty('medicationReference');
    expect(resource).not.toHaveProperty('contained');
    expect(resource.medicationCodeableConcept?.coding?.[0]?.code).toBe('403878');
    expect(await fhir.validate(resource)).toEqual([]);
  });

  it('leaves out what no FHIR R4 MedicationRequest has, and wraps a single value where FHIR has a list', async () => {
    const draft = {
      ...draftOf({}),
      category: { text: 'outpatient' },
      note: { text: 'one note' },
      reason: 'not an element',
    } as unknown as MedicationRequest;

    const { resource, notes } = suggestedOrder(draft, 100);

    expect(resource).toMatchObject({ category: [{ text: 'outpatient' }], note: [{ text: 'one note' }] });
    expect(resource).not.toHaveProperty('reason');
    expect(notes.join(' ')).toContain('reason');
    expect(await fhir.validate(resource)).toEqual([]);
  });
});
