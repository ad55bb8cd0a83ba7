import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { sampleEventFor } from '../sample-event-dates.js';
import type { SampleEvent } from './sample-events.js';

/**
 * The CDS Hooks contestant of the bench: the sample order-sign call (events/cds-hooks.order-sign-
 * fip1l1-pdgfra.json, prefetch included, so no FHIR read) through the built bundle
 * dist/lambda/cds-hooks.cjs, with EHR JWT verification on, as deployed. Each call carries its own
 * ES384 token (the replay check refuses a token seen before), signed outside the timed call, as an
 * EHR signs before it sends.
 */

type CdsHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

export interface CdsOrderSign {
  handler: CdsHandler;
  /** A fresh copy of the sample event with a freshly signed token. */
  nextEvent(): Promise<SampleEvent>;
  /** The sample event with `body` in place of its own, and a freshly signed token. */
  eventWith(body: string): Promise<SampleEvent>;
}

const BASE = 'https://cds.example.org';
const ISSUER = 'urn:imatinib-sm-cds:bench-ehr';

export async function cdsOrderSign(root: string): Promise<CdsOrderSign> {
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const kid = randomUUID();
  // The bundle reads its settings when it is loaded: a trusted issuer with this run's key, inline.
  process.env.CDS_JWT_VERIFICATION = 'on';
  process.env.CDS_PUBLIC_BASE_URL = BASE;
  process.env.CDS_TRUSTED_ISSUERS = JSON.stringify([
    { iss: ISSUER, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384' }] } },
  ]);
  const { handler } = createRequire(import.meta.url)(path.join(root, 'dist/lambda/cds-hooks.cjs')) as { handler: CdsHandler };
  // Its dates moved to today, so it gets the same cards on any day (scripts/sample-event-dates.ts).
  const sample = sampleEventFor(
    JSON.parse(readFileSync(path.join(root, 'events/cds-hooks.order-sign-fip1l1-pdgfra.json'), 'utf8')) as SampleEvent & {
      rawPath: string;
      headers: Record<string, string>;
    },
    new Date(),
  );
  const sign = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
      .setIssuer(ISSUER)
      .setAudience(`${BASE}${sample.rawPath}`)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);
  return {
    handler,
    async nextEvent() {
      return { ...sample, headers: { ...sample.headers, authorization: `Bearer ${await sign()}` } };
    },
    async eventWith(body) {
      return { ...sample, body, headers: { ...sample.headers, authorization: `Bearer ${await sign()}` } };
    },
  };
}
