import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { HttpEvent } from '../../functions/adapters/http/http-event.js';
import type { Card } from '../../functions/adapters/cds-hooks/cards.js';
import type { Condition, MedicationRequest, MedicationStatement, Observation } from 'fhir/r4';
import { evaluate, ruleKinds } from '../../functions/core/index.js';
import { factsFromFhir } from '../../functions/adapters/fhir/fhir-to-facts.js';
import { PREFETCH } from '../../functions/adapters/cds-hooks/cds-service.js';
import { readResources, resourcesOf } from '../../functions/adapters/fhir/resources.js';
import { bodyOf, lambdaContext, loadEvent, withoutPrefetch as withoutPrefetchIn, type Invoke } from '../support/events.js';
import { CDS_BASE_URL as BASE, signedSampleEvent } from '../support/cds-handler.js';
import { startFhirServer, type FhirServer } from '../support/fhir-server.js';
import { newSigningKey, SANDBOX_ISSUER, startJwksServer, unsignedToken, type JwksServer } from '../support/jwks-server.js';
import { schemaValidator } from '../support/schemas.js';

const OTHER_ISSUER = 'https://other-ehr.example.net';
/** The prefetch keys every service declares. */
const KEYS = Object.keys(PREFETCH);
const validResponse = schemaValidator('cds-hooks-response.schema.json');
const samplePrefetch = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body).prefetch;
/** Where the sample event without prefetch says its FHIR server is: a loopback port where nothing answers. */
const unreachableFhir = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-missing-prefetch').body).fhirServer;

let jwks: JwksServer;
let otherJwks: JwksServer;
/** The sandbox EHR's FHIR server, another EHR's, and one nobody lists: each counts its connections. */
let fhir: FhirServer;
let otherFhir: FhirServer;
let unlisted: FhirServer;
let invoke: Invoke;
let warn: MockInstance;

type MutableEvent = HttpEvent & { headers: Record<string, string>; body?: string; rawPath: string };

/** A sample event, its body changed by `edit`, signed the way the public sandbox signs calls. */
const signedEvent = (name: string, edit?: (body: any) => void, token?: string): Promise<MutableEvent> =>
  signedSampleEvent(jwks, name, edit, token);

const cardsOf = (result: { body: string }) => bodyOf<{ cards: Card[] }>(result as never).cards;
const ruleIdsOf = (cards: Card[]) => cards.map((c) => c.source.topic?.code ?? 'missing-facts');

/** The findings evaluate() gives on what the FHIR mapping reads from a request's record, for `order`. */
async function findingsOfRecord(body: any, order?: MedicationRequest) {
  const { prefetch } = body;
  const requests = readResources<MedicationRequest>(prefetch.medications, 'MedicationRequest');
  const facts = factsFromFhir({
    patient: prefetch.patient,
    observations: ['labs', 'history', 'variants'].flatMap((key) => resourcesOf<Observation>(prefetch[key], 'Observation')),
    conditions: readResources<Condition>(prefetch.conditions, 'Condition'),
    medicationRequests: requests,
    medicationStatements: readResources<MedicationStatement>(prefetch.statements, 'MedicationStatement'),
    requestHistory: readResources<MedicationRequest>(prefetch.medicationHistory, 'MedicationRequest'),
    statementHistory: readResources<MedicationStatement>(prefetch.statementHistory, 'MedicationStatement'),
    order:
      order ?? requests.resources.find((r) => r.status === 'active' && r.medicationCodeableConcept?.text?.includes('imatinib'))!,
    otherDraftOrders: [],
    now: new Date(),
  });
  return (await evaluate(facts)).findings;
}

/** The rule ids evaluate() fires on the facts the FHIR mapping reads from a sample event's first draft order. */
async function findingsOfSample(name: string): Promise<string[]> {
  const body = JSON.parse(loadEvent(name).body!);
  return (await findingsOfRecord(body, body.context.draftOrders.entry[0].resource)).map((f) => f.ruleId);
}

beforeAll(async () => {
  jwks = await startJwksServer({ audience: `${BASE}/cds-services` });
  otherJwks = await startJwksServer({ audience: `${BASE}/cds-services`, issuer: OTHER_ISSUER });
  [fhir, otherFhir, unlisted] = await Promise.all([
    startFhirServer(samplePrefetch),
    startFhirServer(samplePrefetch),
    startFhirServer(samplePrefetch),
  ]);
  vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
  vi.stubEnv('CDS_PUBLIC_BASE_URL', BASE);
  vi.stubEnv(
    'CDS_TRUSTED_ISSUERS',
    JSON.stringify([
      { iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl, fhirServers: [fhir.url, unreachableFhir] },
      { iss: OTHER_ISSUER, jwksUrl: otherJwks.jwksUrl, fhirServers: [otherFhir.url] },
    ]),
  );
  vi.resetModules();
  invoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
  warn = vi.spyOn((await import('../../functions/adapters/logger.js')).logger, 'warn');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([jwks, otherJwks, fhir, otherFhir, unlisted].map((server) => server.close()));
});

describe('CDS Hooks discovery', () => {
  it('lists the order-select, order-sign and patient-view services with prefetch templates and usage requirements', async () => {
    const result = await invoke(await signedEvent('cds-hooks.discovery'), lambdaContext());

    expect(result.statusCode).toBe(200);
    const { services } = bodyOf<{ services: Record<string, any>[] }>(result);
    expect(services.map((s) => [s.id, s.hook])).toEqual([
      ['imatinib-sm-order-select', 'order-select'],
      ['imatinib-sm-order-sign', 'order-sign'],
      ['imatinib-sm-patient-view', 'patient-view'],
    ]);
    for (const service of services) {
      expect(service.prefetch.patient).toBe('Patient/{{context.patientId}}');
      expect(Object.values(service.prefetch).every((t) => String(t).includes('{{context.patientId}}'))).toBe(true);
      expect(service.usageRequirements).toMatch(/LOINC/);
      expect(service.description.length).toBeGreaterThan(20);
    }
  });
});

describe('CDS Hooks order-sign, as the public sandbox calls it', () => {
  it('answers the FIP1L1-PDGFRA patient with the expected cards, most urgent first', async () => {
    const result = await invoke(await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra'), lambdaContext());

    expect(result.statusCode).toBe(200);
    const cards = cardsOf(result);
    expect(validResponse({ cards }), JSON.stringify(validResponse.errors)).toBe(true);
    expect(ruleIdsOf(cards)).toEqual([...(await findingsOfSample('cds-hooks.order-sign-fip1l1-pdgfra')), 'missing-facts']);
    expect(ruleIdsOf(cards)).toContain('fip1l1-pdgfra-starting-dose');
  });

  it('suggests updating the draft order to 100 mg once daily, on the 100 mg tablet, as the whole resource', async () => {
    const event = await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra');
    const draft = JSON.parse(event.body!).context.draftOrders.entry[0].resource;

    const card = cardsOf(await invoke(event, lambdaContext())).find(
      (c) => c.source.topic?.code === 'fip1l1-pdgfra-starting-dose',
    )!;

    expect(card.selectionBehavior).toBe('at-most-one');
    const [action] = card.suggestions![0]!.actions;
    expect(action).toMatchObject({
      type: 'update',
      resource: { resourceType: 'MedicationRequest', id: draft.id, status: 'draft', subject: draft.subject },
    });
    expect(action!.resource!.dosageInstruction).toEqual([
      expect.objectContaining({
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: expect.objectContaining({ value: 100, code: 'mg' }) }],
      }),
    ]);
    // The product, coding and text alike, names the strength given: nothing but FHIR elements in it.
    expect(action!.resource!.medicationCodeableConcept).toEqual({
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '403878', display: 'imatinib 100 MG Oral Tablet' }],
      text: 'imatinib 100 MG Oral Tablet',
    });
  });

  it('offers to cancel the draft on the card whose finding suggests it, as a delete of that draft', async () => {
    const event = await signedEvent('cds-hooks.order-select-kit-d816v');
    const draft = JSON.parse(event.body!).context.draftOrders.entry[0].resource;

    const cards = cardsOf(await invoke(event, lambdaContext()));
    const cancelling = cards.filter((c) => c.suggestions?.some((s) => s.actions.some((a) => a.type === 'delete')));

    expect(cancelling.map((c) => c.indicator)).toEqual(['critical']);
    expect(cancelling[0]!.suggestions![0]!.actions).toEqual([
      { type: 'delete', description: 'Remove the draft imatinib order', resourceId: `MedicationRequest/${draft.id}` },
    ]);
    expect(validResponse({ cards }), JSON.stringify(validResponse.errors)).toBe(true);
  });

  it('suggests no new order anywhere (the knowledge base offers dose changes and cancellations only)', async () => {
    const cards = cardsOf(await invoke(await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra'), lambdaContext()));

    const created = cards.flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions.filter((a) => a.type === 'create'));

    expect(created).toEqual([]);
  });

  it('gives warning and critical cards override reasons, and cites the evidence in the detail', async () => {
    const cards = cardsOf(await invoke(await signedEvent('cds-hooks.order-select-kit-d816v'), lambdaContext()));
    // Knowledge base v3: on a start the D816V order check speaks, and the caveat is silent (one card, not two).
    const orderCheck = cards.find((c) => c.source.topic?.code === 'kit-d816v-imatinib-order')!;

    expect(orderCheck.indicator).toBe('critical');
    expect(orderCheck.overrideReasons!.length).toBeGreaterThan(0);
    expect(orderCheck.detail).toContain('https://pubmed.ncbi.nlm.nih.gov/16779792/');
    expect(orderCheck.detail).toContain(
      '**Why this card:** KIT D816V is detected (as kitD816V, or among the other KIT variants);',
    );
    expect(cards.filter((c) => c.indicator === 'info').every((c) => c.overrideReasons === undefined)).toBe(true);
  });

  it('lists what is not on record on a card of its own', async () => {
    const cards = cardsOf(await invoke(await signedEvent('cds-hooks.order-select-kit-d816v'), lambdaContext()));
    const missing = cards.at(-1)!;

    expect(missing.summary).toMatch(/^Not on record/);
    expect(missing.detail).toContain('`patient.hepaticImpairment`');
    expect(missing.detail).toContain('`molecular.kitOtherMutations`');
  });

  it('gives the same card uuids for the same hook instance', async () => {
    const first = cardsOf(await invoke(await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra'), lambdaContext()));
    const second = cardsOf(await invoke(await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra'), lambdaContext()));

    expect(second.map((c) => c.uuid)).toEqual(first.map((c) => c.uuid));
    expect(new Set(first.map((c) => c.uuid)).size).toBe(first.length);
  });

  it('does not claim "no strong CYP3A4 inducer" when a current medication cannot be read', async () => {
    const event = await signedEvent('cds-hooks.order-select-kit-d816v', (body) => {
      body.prefetch.medications.entry.push({
        resource: { resourceType: 'MedicationRequest', status: 'active', medicationCodeableConcept: { coding: 'rifampin' } },
      });
    });

    const missing = cardsOf(await invoke(event, lambdaContext())).at(-1)!;

    expect(missing.detail).toContain('`medications.active`');
  });

  it('answers a request without an imatinib order with no cards', async () => {
    const result = await invoke(await signedEvent('cds-hooks.order-sign-no-imatinib'), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ cards: [] });
  });

  it('answers the order-sign the public sandbox sends (one 400 mg tablet a day as {pill}, category as one object) with the starting-dose card for FIP1L1-PDGFRA', async () => {
    const result = await invoke(await signedEvent('cds-hooks.order-sign-sandbox-pill-count'), lambdaContext());

    expect(result.statusCode).toBe(200);
    const card = cardsOf(result).find((c) => c.source.topic?.code === 'fip1l1-pdgfra-starting-dose');
    expect(card?.suggestions?.[0]?.actions[0]).toMatchObject({ type: 'update', resource: { id: 'request-123' } });
  });

  it("answers the sandbox's order-select before a drug is chosen (a draft with no drug and no intent) with no cards", async () => {
    const result = await invoke(await signedEvent('cds-hooks.order-select-bare-draft'), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ cards: [] });
  });

  it('still answers 400 to an imatinib draft that lacks what a MedicationRequest must have, naming the field', async () => {
    const event = await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra', (body) => {
      delete body.context.draftOrders.entry[0].resource.intent;
    });

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([expect.objectContaining({ path: '$.context.draftOrders.entry[0].resource.intent' })]);
  });

  it('checks only the selected orders on order-select', async () => {
    const event = await signedEvent('cds-hooks.order-select-kit-d816v', (body) => {
      body.context.selections = ['MedicationRequest/some-other-order'];
    });

    expect(bodyOf(await invoke(event, lambdaContext()))).toEqual({ cards: [] });
  });
});

/** A sample order-sign call without prefetch: everything is to be read from `fhirServer`, with a bearer token. */
const withoutPrefetch = (fhirServer: string | undefined, edit: (body: any) => void = () => undefined, token?: string) =>
  signedEvent(
    'cds-hooks.order-sign-fip1l1-pdgfra',
    (body) => {
      withoutPrefetchIn(body, fhirServer);
      edit(body);
    },
    token,
  );

/** The reasons of the last "prefetch unavailable" log line. */
const lastPrefetchReasons = () =>
  (warn.mock.calls.filter(([message]) => message === 'prefetch unavailable').at(-1)?.[1] as { reasons: object } | undefined)
    ?.reasons;

describe('CDS Hooks patient-view', () => {
  it('answers a patient on imatinib with the findings the same facts give, all but the information about the molecular picture', async () => {
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib');

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    const cards = cardsOf(result);
    expect(validResponse({ cards }), JSON.stringify(validResponse.errors)).toBe(true);
    const findings = await findingsOfRecord(JSON.parse(event.body!));
    expect(ruleIdsOf(cards)).toEqual([
      ...findings.filter((f) => f.category !== 'therapy-selection' || f.indicator !== 'info').map((f) => f.ruleId),
      'missing-facts',
    ]);
    expect(ruleIdsOf(cards)).toEqual(
      expect.arrayContaining(['neutropenia-thrombocytopenia-hold', 'response-tryptase', 'levothyroxine-tsh']),
    );
  });

  it('asks only for the facts that would decide a card it shows', async () => {
    const hidden = [...ruleKinds].filter(([, kind]) => kind.category === 'therapy-selection' && kind.indicator === 'info');
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib', (body) => {
      // The KIT status unknown: the information cards about the molecular picture would ask for it.
      body.prefetch.variants = { resourceType: 'Bundle', type: 'searchset', entry: [] };
    });

    const missing = cardsOf(await invoke(event, lambdaContext())).at(-1)!;

    expect(missing.source.topic).toBeUndefined();
    expect(hidden.length).toBeGreaterThan(0);
    for (const [id] of hidden) expect(missing.detail).not.toContain(`\`${id}\``);
  });

  it('answers a patient not on imatinib with no cards', async () => {
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib', (body) => {
      for (const key of ['medications', 'medicationHistory']) {
        body.prefetch[key].entry = body.prefetch[key].entry.filter((e: any) => e.resource.id !== 'imatinib-2025');
      }
    });

    expect(bodyOf(await invoke(event, lambdaContext()))).toEqual({ cards: [] });
  });
});

describe('CDS Hooks: a real record in the prefetch', () => {
  it("answers a history of 200 results (a body far over /evaluate's 64 KB) as the same record without them", async () => {
    const plain = cardsOf(await invoke(await signedEvent('cds-hooks.patient-view-on-imatinib'), lambdaContext()));
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib', (body) => {
      const [tryptase] = body.prefetch.history.entry;
      // Years before the course began, so outside every window: they change no fact.
      const old = Array.from({ length: 200 }, (_, i) => {
        const entry = structuredClone(tryptase);
        entry.resource.id = `tryptase-old-${i}`;
        entry.resource.effectiveDateTime = `${2015 + (i % 5)}-0${1 + (i % 9)}-1${i % 10}`;
        return entry;
      });
      body.prefetch.history.entry.push(...old);
    });
    expect(Buffer.byteLength(event.body!)).toBeGreaterThan(64 * 1024);

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(cardsOf(result).map((c) => c.uuid)).toEqual(plain.map((c) => c.uuid));
  });

  it('answers 413 to a body over 5 MB', async () => {
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib');
    event.body = `${event.body!}${' '.repeat(5 * 1024 * 1024 - Buffer.byteLength(event.body!) + 1)}`;

    expect((await invoke(event, lambdaContext())).statusCode).toBe(413);
  });
});

describe('CDS Hooks prefetch', () => {
  afterEach(() => fhir.setBehaviour('serve'));

  it('reads what was not prefetched from fhirServer with the bearer token, and answers as if prefetched', async () => {
    const prefetched = ruleIdsOf(cardsOf(await invoke(await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra'), lambdaContext())));

    const result = await invoke(await withoutPrefetch(fhir.url), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(ruleIdsOf(cardsOf(result))).toEqual(prefetched);
    expect(fhir.authorizations.slice(-KEYS.length)).toEqual(Array(KEYS.length).fill('Bearer fhir-access-token'));
    expect(fhir.paths.slice(-KEYS.length)).toContain('/fhir/Patient/pt-4821');
  });

  it('fetches only the keys the EHR did not send, and reads again a key sent as null rather than take it for "none"', async () => {
    const before = fhir.paths.length;

    const event = await withoutPrefetch(fhir.url, (body) => {
      body.prefetch = { ...samplePrefetch, medications: null };
      delete body.prefetch.conditions;
    });
    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(
      fhir.paths
        .slice(before)
        .map((p) => p.split('?')[0])
        .sort(),
    ).toEqual(['/fhir/Condition', '/fhir/MedicationRequest']);
  });

  it.each([
    ['answers 500', 'fail'],
    ['sends more than 2 MB', 'huge'],
  ] as const)('answers 412 when the FHIR server %s', async (_what, behaviour) => {
    fhir.setBehaviour(behaviour);

    const result = await invoke(await withoutPrefetch(fhir.url), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(result.body).not.toContain('fhir-access-token');
  });

  it('answers 412 within its deadline when the FHIR server does not answer', async () => {
    fhir.setBehaviour('hang');
    const started = Date.now();

    const result = await invoke(await withoutPrefetch(fhir.url), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('answers 412 when nothing was prefetched and the FHIR server cannot be reached', async () => {
    const result = await invoke(await signedEvent('cds-hooks.order-sign-missing-prefetch'), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(bodyOf(result).detail).toBe(
      `Data this service needs was neither prefetched nor readable from fhirServer: ${KEYS.join(', ')}.`,
    );
    expect(Object.values(lastPrefetchReasons() ?? {})).toEqual(Array(KEYS.length).fill('network'));
  });
});

describe('CDS Hooks: an answer that is not what was asked for is never "none"', () => {
  afterEach(() => fhir.setBehaviour('serve'));

  const NOT_A_BUNDLE: [string, unknown][] = [
    ['200 {"message":"session expired"}', { message: 'session expired' }],
    ['null', null],
    ['[]', []],
    ['a Patient resource', { resourceType: 'Patient', id: 'pt-4821' }],
  ];
  const rifampin = 'rifampin';

  it.each(NOT_A_BUNDLE.filter(([, value]) => value === null || (value as { resourceType?: string }).resourceType))(
    'takes a medication search prefetched as %s as not read: the drugs are unknown, not "none"',
    async (_what, value) => {
      const event = await signedEvent('cds-hooks.order-select-kit-d816v', (body) => {
        body.prefetch.medications = value;
        body.prefetch.medicationHistory = value;
      });

      const cards = cardsOf(await invoke(event, lambdaContext()));

      expect(cards.at(-1)!.detail).toContain('`medications.active`');
      expect(cards.map((c) => c.detail).join('\n')).not.toContain(rifampin);
    },
  );

  it.each(NOT_A_BUNDLE.filter(([, value]) => value !== null && !(value as { resourceType?: string }).resourceType))(
    'answers 400 naming the key to a prefetch of %s, which is no FHIR resource at all',
    async (_what, value) => {
      const event = await signedEvent('cds-hooks.order-select-kit-d816v', (body) => {
        body.prefetch.medications = value;
      });

      const result = await invoke(event, lambdaContext());

      expect(result.statusCode).toBe(400);
      expect(bodyOf<{ errors: { path: string }[] }>(result).errors.map((e) => e.path)).toContain('$.prefetch.medications');
    },
  );

  it.each(NOT_A_BUNDLE)('takes a medication search the FHIR server answers with %s as not read', async (_what, body) => {
    fhir.answerWith('/fhir/MedicationRequest', body);

    const result = await invoke(await withoutPrefetch(fhir.url), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(cardsOf(result).at(-1)!.detail).toContain('`medications.active`');
    expect(warn).toHaveBeenCalledWith(
      'prefetch partly read',
      expect.objectContaining({ notRead: expect.objectContaining({ medications: expect.any(String) }) }),
    );
  });

  it('answers 412 on patient-view when no medication list could be read: "not on imatinib" cannot be said', async () => {
    const event = await signedEvent('cds-hooks.patient-view-on-imatinib', (body) => {
      body.prefetch.medications = null;
      body.prefetch.medicationHistory = { resourceType: 'Patient', id: 'pt-5107' };
    });

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(bodyOf(result).detail).toContain('medications');
    expect(lastPrefetchReasons()).toEqual({ medications: 'not-read' });
  });

  it('uses no prefetched Patient whose id is not the patient asked about', async () => {
    const event = await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra', (body) => {
      body.prefetch.patient.id = 'another-patient';
    });

    const missing = cardsOf(await invoke(event, lambdaContext())).at(-1)!;

    expect(missing.detail).toContain('`patient.ageYears`');
  });
});

describe("CDS Hooks: the FHIR server is the calling EHR's", () => {
  afterAll(() => {
    expect(unlisted.connections).toBe(0);
  });

  it('reads the listed server written another way (dot segments, trailing slash)', async () => {
    const { port } = new URL(fhir.url);

    const result = await invoke(await withoutPrefetch(`http://127.0.0.1:${port}/r4/../fhir/`), lambdaContext());

    expect(result.statusCode).toBe(200);
  });

  it('lets another trusted EHR read its own server, with its own token', async () => {
    const token = await otherJwks.signToken({ aud: `${BASE}/cds-services/imatinib-sm-order-sign` });

    const result = await invoke(await withoutPrefetch(otherFhir.url, undefined, token), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(otherFhir.authorizations.at(-1)).toBe('Bearer fhir-access-token');
  });

  it.each<[string, () => string]>([
    ['a server on this machine nobody lists', () => unlisted.url],
    ["another trusted EHR's server", () => otherFhir.url],
    ['plain http to a host name', () => `http://fhir.ehr.test:${new URL(fhir.url).port}/fhir`],
    ['https to a host name nobody lists', () => 'https://fhir.ehr.test/fhir'],
    ['the cloud metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials'],
    ['the listed server with credentials added', () => fhir.url.replace('http://', 'http://admin:pw@')],
  ])('answers 412 naming the setting, and contacts nothing, for %s', async (_what, fhirServer) => {
    const connections = [fhir, otherFhir, unlisted].map((server) => server.connections);

    const result = await invoke(await withoutPrefetch(fhirServer()), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(bodyOf(result).detail).toMatch(/CDS_TRUSTED_ISSUERS, fhirServers\), so it was not contacted/);
    expect(result.body).not.toContain(fhirServer());
    expect(result.body).not.toContain('fhir-access-token');
    expect(lastPrefetchReasons()).toEqual(Object.fromEntries(KEYS.map((k) => [k, 'fhir-server-not-allowed'])));
    expect([fhir, otherFhir, unlisted].map((server) => server.connections)).toEqual(connections);
  });

  it('sends the token nowhere when the request names no fhirServer', async () => {
    const connections = [fhir, otherFhir, unlisted].map((server) => server.connections);

    const result = await invoke(await withoutPrefetch(undefined), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(Object.values(lastPrefetchReasons() ?? {})).toEqual(Array(KEYS.length).fill('no-fhir-server'));
    expect([fhir, otherFhir, unlisted].map((server) => server.connections)).toEqual(connections);
  });
});

describe('CDS Hooks with verification off (npm start)', () => {
  let offInvoke: Invoke;

  beforeAll(async () => {
    vi.stubEnv('CDS_JWT_VERIFICATION', 'off');
    vi.resetModules();
    offInvoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
    vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
  });

  it('reads a FHIR server on this machine', async () => {
    const connections = fhir.connections;

    const result = await offInvoke(await withoutPrefetch(fhir.url.replace('127.0.0.1', 'localhost')), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(fhir.connections).toBeGreaterThan(connections);
  });

  it.each(['https://fhir.ehr.test/fhir', 'http://169.254.169.254/latest/meta-data'])(
    'reads nothing else, and answers 412: %s',
    async (fhirServer) => {
      const result = await offInvoke(await withoutPrefetch(fhirServer), lambdaContext());

      expect(result.statusCode).toBe(412);
      expect(bodyOf(result).detail).toMatch(/so it was not contacted/);
    },
  );
});

describe('CDS Hooks security', () => {
  const serviceEvent = 'cds-hooks.order-sign-fip1l1-pdgfra';
  const aud = `${BASE}/cds-services/imatinib-sm-order-sign`;

  it.each<[string, () => Promise<string | undefined>]>([
    ['no token', async () => undefined],
    [
      'an unsigned token (alg none)',
      async () =>
        unsignedToken(
          { alg: 'none', typ: 'JWT', kid: jwks.es384.kid },
          {
            iss: SANDBOX_ISSUER,
            aud,
            exp: Math.floor(Date.now() / 1000) + 60,
            iat: Math.floor(Date.now() / 1000),
            jti: 'none-1',
          },
        ),
    ],
    ['a token for another service URL', () => jwks.signToken({ aud: `${BASE}/cds-services/imatinib-sm-order-select` })],
    [
      'an expired token',
      () => jwks.signToken({ aud, iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 }),
    ],
    ['a token from an issuer not on the allowlist', () => jwks.signToken({ aud, iss: 'https://ehr.example.net' })],
    [
      "a token whose jku points at the signer's own keys",
      async () => jwks.signToken({ aud }, { jku: 'https://attacker.example/jwks.json' }),
    ],
    [
      'a token signed by a key not in the JWKS',
      async () => jwks.signToken({ aud }, {}, await newSigningKey('ES384', jwks.es384.kid)),
    ],
    ['a token without kid', () => jwks.signToken({ aud }, { kid: undefined })],
  ])('answers 401, without detail, to %s', async (_what, makeToken) => {
    const event = loadEvent<MutableEvent>(serviceEvent);
    const token = await makeToken();
    if (token === undefined) delete event.headers.authorization;
    else event.headers.authorization = `Bearer ${token}`;

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(401);
    expect(result.headers['WWW-Authenticate']).toBe('Bearer');
    expect(bodyOf(result)).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'The request could not be authenticated.',
      requestId: 'test-request-id',
    });
  });

  it('answers 401 to a replayed token', async () => {
    const token = await jwks.signToken({ aud });
    const first = await invoke(await signedEvent(serviceEvent, undefined, token), lambdaContext());

    const replay = await invoke(await signedEvent(serviceEvent, undefined, token), lambdaContext());

    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(401);
  });

  it('answers 401 to the sample event with a forged token', async () => {
    expect((await invoke(loadEvent('cds-hooks.order-sign-bad-jwt'), lambdaContext())).statusCode).toBe(401);
  });

  it('answers a CORS preflight without a token', async () => {
    const event = loadEvent<MutableEvent>(serviceEvent);
    delete event.headers.authorization;
    (event.requestContext as { http: { method: string } }).http.method = 'OPTIONS';
    event.headers.origin = 'https://sandbox.cds-hooks.org';

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(204);
    expect(result.headers['Access-Control-Allow-Headers']).toContain('Authorization');
  });
});

describe('CDS Hooks request validation', () => {
  it.each<[string, string, (body: any) => void, string]>([
    [
      'a request without patientId',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => delete b.context.patientId,
      '$.context.patientId',
    ],
    [
      'draftOrders that are not a Bundle',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => (b.context.draftOrders.resourceType = 'List'),
      '$.context.draftOrders.resourceType',
    ],
    [
      'an order-select request without selections',
      'cds-hooks.order-select-kit-d816v',
      (b) => delete b.context.selections,
      '$.context.selections',
    ],
    [
      'a request for the other hook',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => Object.assign(b, { hook: 'order-select' }) && (b.context.selections = ['MedicationRequest/draft-imatinib-2']),
      '$.hook',
    ],
    [
      'fhirAuthorization without fhirServer fields',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => (b.fhirAuthorization = { token_type: 'Bearer' }),
      '$.fhirAuthorization.access_token',
    ],
    [
      'a draft order without intent',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => delete b.context.draftOrders.entry[0].resource.intent,
      '$.context.draftOrders.entry[0].resource.intent',
    ],
    [
      'a draft order whose dose is text',
      'cds-hooks.order-sign-fip1l1-pdgfra',
      (b) => (b.context.draftOrders.entry[0].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value = '400'),
      '$.context.draftOrders.entry[0].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value',
    ],
  ])('answers 400 naming the field for %s', async (_what, name, edit, path) => {
    const result = await invoke(await signedEvent(name, edit), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(bodyOf<{ errors: { path: string }[] }>(result).errors.map((e) => e.path)).toContain(path);
  });

  const hooks = ['cds-hooks.order-select-kit-d816v', 'cds-hooks.order-sign-fip1l1-pdgfra', 'cds-hooks.patient-view-on-imatinib'];
  it.each(hooks.flatMap((name) => ['.', '..', 'pt/4821', '../Patient', 'p'.repeat(65), ''].map((id) => [name, id])))(
    'answers %s with 400 naming $.context.patientId when it is %j, reading nothing',
    async (name, patientId) => {
      const before = fhir.connections;
      const event = await signedEvent(name, (b) => {
        withoutPrefetchIn(b, fhir.url);
        b.context.patientId = patientId;
      });

      const result = await invoke(event, lambdaContext());

      expect(result.statusCode).toBe(400);
      expect(bodyOf<{ errors: { path: string }[] }>(result).errors.map((e) => e.path)).toEqual(['$.context.patientId']);
      expect(fhir.connections).toBe(before);
    },
  );

  it('answers 404 for a service it does not offer, and 405 for a GET on a service', async () => {
    const unknown = await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra');
    unknown.rawPath = '/cds-services/warfarin-dosing';
    (unknown.requestContext as { http: { path: string } }).http.path = unknown.rawPath;
    unknown.pathParameters = { id: 'warfarin-dosing' };
    unknown.headers.authorization = `Bearer ${await jwks.signToken({ aud: `${BASE}${unknown.rawPath}` })}`;
    const get = await signedEvent('cds-hooks.order-sign-fip1l1-pdgfra');
    (get.requestContext as { http: { method: string } }).http.method = 'GET';

    expect((await invoke(unknown, lambdaContext())).statusCode).toBe(404);
    expect((await invoke(get, lambdaContext())).statusCode).toBe(405);
  });
});

describe('CDS Hooks feedback', () => {
  it('accepts feedback on a card', async () => {
    const result = await invoke(await signedEvent('cds-hooks.feedback'), lambdaContext());

    expect(result.statusCode).toBe(200);
  });

  it('answers 400 to feedback with an unknown outcome, or accepted without the suggestions', async () => {
    const bogus = await signedEvent('cds-hooks.feedback', (b) => (b.feedback[0].outcome = 'ignored'));
    const accepted = await signedEvent('cds-hooks.feedback', (b) => (b.feedback[0].outcome = 'accepted'));

    expect((await invoke(bogus, lambdaContext())).statusCode).toBe(400);
    expect((await invoke(accepted, lambdaContext())).statusCode).toBe(400);
  });
});
