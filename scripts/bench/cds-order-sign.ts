import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
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

/** The EHR of the bench: its key, the settings that trust it, and the signed sample call. */
export interface SignedOrderSign {
  /**
   * The settings the cds-hooks bundle reads when it is loaded: verification on, this run's public
   * key inline as the trusted issuer's JWKS (no JWKS fetch, no network), no state table.
   */
  env: Record<string, string>;
  /** A fresh copy of the sample event with a freshly signed token. */
  nextEvent(): Promise<SampleEvent>;
  /** The sample event with `body` in place of its own, and a freshly signed token. */
  eventWith(body: string): Promise<SampleEvent>;
  /** A freshly signed token for the sample call, as its authorization header carries it (without "Bearer"). */
  nextToken(): Promise<string>;
  /**
   * One ES384 verification of `token` as jose's jwtVerify does it with a prepared public key (the
   * floor under the bundle's EHR JWT check: signature, issuer, audience and times, nothing else).
   */
  verify(token: string): Promise<unknown>;
}

export interface CdsOrderSign extends SignedOrderSign {
  handler: CdsHandler;
}

const BASE = 'https://cds.example.org';
const ISSUER = 'urn:imatinib-sm-cds:bench-ehr';

export async function signedOrderSign(root: string): Promise<SignedOrderSign> {
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const kid = randomUUID();
  const env = {
    CDS_JWT_VERIFICATION: 'on',
    CDS_PUBLIC_BASE_URL: BASE,
    CDS_TRUSTED_ISSUERS: JSON.stringify([
      { iss: ISSUER, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384' }] } },
    ]),
  };
  // Its dates moved to today, so it gets the same cards on any day (scripts/sample-event-dates.ts).
  const sample = sampleEventFor(
    JSON.parse(readFileSync(path.join(root, 'events/cds-hooks.order-sign-fip1l1-pdgfra.json'), 'utf8')) as SampleEvent & {
      rawPath: string;
      headers: Record<string, string>;
    },
    new Date(),
  );
  const audience = `${BASE}${sample.rawPath}`;
  const sign = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);
  const verifyOptions = { algorithms: ['ES384'], issuer: ISSUER, audience };
  return {
    env,
    nextToken: sign,
    verify: (token) => jwtVerify(token, publicKey, verifyOptions),
    async nextEvent() {
      return { ...sample, headers: { ...sample.headers, authorization: `Bearer ${await sign()}` } };
    },
    async eventWith(body) {
      return { ...sample, body, headers: { ...sample.headers, authorization: `Bearer ${await sign()}` } };
    },
  };
}

export async function cdsOrderSign(root: string): Promise<CdsOrderSign> {
  const signed = await signedOrderSign(root);
  // The bundle reads its settings when it is loaded: a trusted issuer with this run's key, inline.
  Object.assign(process.env, signed.env);
  const { handler } = createRequire(import.meta.url)(path.join(root, 'dist/lambda/cds-hooks.cjs')) as { handler: CdsHandler };
  return { ...signed, handler };
}
