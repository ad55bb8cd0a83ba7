import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, withoutPrefetch as withoutPrefetchIn } from '../support/events.js';
import { startFhirServer, type FhirServer } from '../support/fhir-server.js';
import { SANDBOX_ISSUER, startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { startLocalDynamo, type LocalDynamo } from '../../scripts/local-dynamodb.js';
import { startOffline, type Offline } from './offline.js';

/**
 * End to end over real HTTP: the built bundles under serverless-offline on 127.0.0.1, with EHR JWT
 * verification on, and a JWKS and the EHR's FHIR server served by the test, as a deployment would
 * run them (less API Gateway's own JWT authorizer of /evaluate, which serverless-offline does not
 * play).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);
const samplePrefetch = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body).prefetch;
let service: Offline;
let jwks: JwksServer;
/** The EHR's FHIR server, listed for it, and a server on this machine that nobody lists. */
let fhir: FhirServer;
let unlisted: FhirServer;

beforeAll(async () => {
  jwks = await startJwksServer({ audience: 'unused' });
  [fhir, unlisted] = await Promise.all([startFhirServer(samplePrefetch), startFhirServer(samplePrefetch)]);
  service = await startOffline((baseUrl) => ({
    CDS_JWT_VERIFICATION: 'on',
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl, fhirServers: [fhir.url] }]),
    CDS_PUBLIC_BASE_URL: baseUrl,
    // No state table: serverless.yml would name the deployed one, which is not here.
    CDS_STATE_TABLE: '',
  }));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await Promise.all([jwks?.close(), fhir?.close(), unlisted?.close()]);
});

const facts = (name: string) => JSON.parse(loadEvent<{ body: string }>(name).body) as unknown;
const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', body, headers });

describe('POST /evaluate over HTTP', () => {
  it('answers valid facts with the findings', async () => {
    const response = await post(`${service.baseUrl}/evaluate`, JSON.stringify(facts('evaluate.kit-d816v-positive')));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { findings: { ruleId: string }[] };
    expect(body.findings.map((f) => f.ruleId)).toEqual(['kit-d816v-caveat']);
  });

  it('answers a misspelt field with a 400 that names it', async () => {
    const response = await post(`${service.baseUrl}/evaluate`, JSON.stringify({ molecular: { kitD816v: 'detected' } }));

    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('$.molecular.kitD816v');
  });

  it('answers a body over 64 KB with 413', async () => {
    const response = await post(`${service.baseUrl}/evaluate`, `{"patient":{},"x":"${'a'.repeat(70_000)}"}`);

    expect(response.status).toBe(413);
  });

  it('answers a GET with 405 and an XML body with 415', async () => {
    expect((await fetch(`${service.baseUrl}/evaluate`)).status).toBe(405);
    expect((await post(`${service.baseUrl}/evaluate`, '<facts/>', { 'content-type': 'application/xml' })).status).toBe(415);
  });
});

describe('CDS Hooks over HTTP, with the EHR JWT verified', () => {
  const sign = (pathname: string) => jwks.signToken({ aud: `${service.baseUrl}${pathname}` });

  it('serves discovery to a signed call and refuses an unsigned one', async () => {
    const signed = await fetch(`${service.baseUrl}/cds-services`, {
      headers: { authorization: `Bearer ${await sign('/cds-services')}` },
    });
    const unsigned = await fetch(`${service.baseUrl}/cds-services`);

    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { services: unknown[] }).services).toHaveLength(3);
    expect(unsigned.status).toBe(401);
  });

  it('answers a signed order-sign call with cards', async () => {
    const pathname = '/cds-services/imatinib-sm-order-sign';
    const body = loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body;

    const response = await post(`${service.baseUrl}${pathname}`, body, {
      'content-type': 'application/json',
      authorization: `Bearer ${await sign(pathname)}`,
    });

    expect(response.status).toBe(200);
    const { cards } = (await response.json()) as { cards: { source: { topic?: { code: string } } }[] };
    expect(cards.map((c) => c.source.topic?.code)).toContain('fip1l1-pdgfra-starting-dose');
  });

  describe('reading what the EHR did not prefetch', () => {
    const pathname = '/cds-services/imatinib-sm-order-sign';
    const withoutPrefetch = (fhirServer: string) => {
      const body = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body);
      return JSON.stringify(withoutPrefetchIn(body, fhirServer));
    };
    const call = async (fhirServer: string) =>
      post(`${service.baseUrl}${pathname}`, withoutPrefetch(fhirServer), {
        'content-type': 'application/json',
        authorization: `Bearer ${await sign(pathname)}`,
      });

    it('reads it from the FHIR server listed for the EHR, with the EHR token', async () => {
      const response = await call(fhir.url);

      expect(response.status).toBe(200);
      expect(fhir.authorizations.slice(-5)).toEqual(Array(5).fill('Bearer fhir-access-token'));
    });

    it('answers 412 without contacting a FHIR server that is not listed for the EHR', async () => {
      const response = await call(unlisted.url);

      expect(response.status).toBe(412);
      expect(((await response.json()) as { detail: string }).detail).toContain('CDS_TRUSTED_ISSUERS, fhirServers');
      expect(unlisted.connections).toBe(0);
    });
  });
});

describe("the CDS committee's report, through the built function and a local DynamoDB", () => {
  // Its own serverless-offline (the built dist/lambda/cds-hooks.cjs) with CDS_STATE_TABLE and
  // AWS_ENDPOINT_URL_DYNAMODB pointing at dynalite on 127.0.0.1, started here; the report is
  // `npm run feedback-report -- --json` run as the committee runs it, with the same settings.
  let dynamo: LocalDynamo;
  let stateful: Offline;
  const pathname = '/cds-services/imatinib-sm-order-sign';
  const signFor = (p: string) => jwks.signToken({ aud: `${stateful.baseUrl}${p}` });
  type Card = {
    uuid: string;
    source: { topic?: { code: string } };
    suggestions?: { uuid: string }[];
    overrideReasons?: unknown[];
  };

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    stateful = await startOffline((baseUrl) => ({
      ...dynamo.env,
      CDS_JWT_VERIFICATION: 'on',
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl }]),
      CDS_PUBLIC_BASE_URL: baseUrl,
    }));
  }, 120_000);

  afterAll(async () => {
    await stateful?.stop();
    await dynamo?.close();
  });

  const orderSign = async (hookInstance: string) => {
    const body = JSON.parse(loadEvent<{ body: string }>('cds-hooks.order-sign-fip1l1-pdgfra').body);
    body.hookInstance = hookInstance;
    const response = await post(`${stateful.baseUrl}${pathname}`, JSON.stringify(body), {
      'content-type': 'application/json',
      authorization: `Bearer ${await signFor(pathname)}`,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { cards: Card[] }).cards;
  };
  const feedback = async (entries: object[]) =>
    post(`${stateful.baseUrl}${pathname}/feedback`, JSON.stringify({ feedback: entries }), {
      'content-type': 'application/json',
      authorization: `Bearer ${await signFor(`${pathname}/feedback`)}`,
    });
  const at = new Date().toISOString();

  it('gets back the exact counts of order-sign calls (one retried), an accepted card and an overridden one', async () => {
    const hookInstance = randomUUID();
    const first = await orderSign(hookInstance);
    const retried = await orderSign(hookInstance);
    const second = await orderSign(randomUUID());
    const acceptedCard = first.find((card) => card.suggestions?.length)!;
    const overriddenCard = second.find((card) => card.overrideReasons)!;
    const comment = `not kept ${randomUUID()}`;

    const accepted = await feedback([
      {
        card: acceptedCard.uuid,
        outcome: 'accepted',
        acceptedSuggestions: [{ id: acceptedCard.suggestions![0]!.uuid }],
        outcomeTimestamp: at,
      },
    ]);
    const overridden = await feedback([
      {
        card: overriddenCard.uuid,
        outcome: 'overridden',
        overrideReason: {
          reason: { system: 'urn:imatinib-sm-cds:override-reason', code: 'benefit-outweighs-risk' },
          userComment: comment,
        },
        outcomeTimestamp: at,
      },
    ]);
    const unknown = await feedback([{ card: randomUUID(), outcome: 'overridden', outcomeTimestamp: at }]);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    // Not execFileSync: the local DynamoDB answers from this process's event loop.
    const { stdout } = await execFileAsync(
      'npm',
      ['run', '--silent', 'feedback-report', '--', '--json', '--since', day(-1), '--until', day(1)],
      {
        cwd: ROOT,
        env: { ...process.env, ...dynamo.env },
      },
    );
    const report = JSON.parse(stdout) as {
      rules: { ruleId: string; shown: number; accepted: number; overridden: number; overrideReasons: Record<string, number> }[];
    };

    expect(retried.map((card) => card.uuid)).toEqual(first.map((card) => card.uuid));
    expect([accepted.status, overridden.status, unknown.status]).toEqual([200, 200, 400]);
    const expected = new Map<
      string,
      { shown: number; accepted: number; overridden: number; overrideReasons: Record<string, number> }
    >();
    for (const card of [...first, ...second].filter((c) => c.source.topic)) {
      const row = expected.get(card.source.topic!.code) ?? { shown: 0, accepted: 0, overridden: 0, overrideReasons: {} };
      row.shown++;
      if (card === acceptedCard) row.accepted++;
      if (card === overriddenCard)
        Object.assign(row, { overridden: row.overridden + 1, overrideReasons: { 'benefit-outweighs-risk': 1 } });
      expected.set(card.source.topic!.code, row);
    }
    expect(
      new Map(
        report.rules.map(({ ruleId, shown, accepted: a, overridden: o, overrideReasons }) => [
          ruleId,
          { shown, accepted: a, overridden: o, overrideReasons },
        ]),
      ),
    ).toEqual(expected);
    const stored = JSON.stringify(await dynamo.scan());
    for (const value of ['pt-4821', 'dr-1842', 'enc-77', comment]) expect(stored).not.toContain(value);
  });
});
