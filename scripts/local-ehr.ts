import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/**
 * A stand-in EHR for `npm run invoke`, so that sample CDS Hooks events run with JWT verification ON.
 * When the CDS settings are not in the environment, it makes a key pair for this run only and
 * trusts its public key as the issuer `urn:imatinib-sm-cds:local-ehr`, with the sample events'
 * FHIR server as the one FHIR server bound to it; events that carry
 * `Authorization: Bearer {{local-ehr-jwt}}` then get a fresh token for their URL, signed as an EHR
 * would sign it, and any other token is verified as it would be in production. Nothing here is
 * used by the deployed functions.
 */

const LOCAL_EHR_TOKEN = 'Bearer {{local-ehr-jwt}}';
const LOCAL_EHR_ISSUER = 'urn:imatinib-sm-cds:local-ehr';

/**
 * The stand-in EHR's FHIR server, as the sample events name it: port 9 (discard) of this machine,
 * where nothing answers, so an event the EHR did not prefetch shows the 412 of data that cannot be
 * had. Listed, so that the read is tried as it would be with a real EHR's server.
 */
export const LOCAL_EHR_FHIR_SERVER = 'http://127.0.0.1:9/fhir';

interface EventWithHeaders {
  rawPath?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
}

export interface LocalEhr {
  sign(event: EventWithHeaders): Promise<void>;
}

/**
 * Configures the CDS settings for a local run, unless CDS_TRUSTED_ISSUERS is already set (then the
 * caller's configuration stands and events are passed as they are).
 */
export async function localEhr(publicBaseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalEhr> {
  if (env.CDS_TRUSTED_ISSUERS !== undefined) return { sign: async () => undefined };
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  env.CDS_JWT_VERIFICATION ??= 'on';
  env.CDS_PUBLIC_BASE_URL ??= publicBaseUrl;
  env.CDS_TRUSTED_ISSUERS = JSON.stringify([
    { iss: LOCAL_EHR_ISSUER, jwks: { keys: [jwk] }, fhirServers: [LOCAL_EHR_FHIR_SERVER] },
  ]);
  const base = env.CDS_PUBLIC_BASE_URL;
  return { sign: (event) => signPlaceholder(event, privateKey, kid, base) };
}

async function signPlaceholder(event: EventWithHeaders, privateKey: CryptoKey, kid: string, base: string): Promise<void> {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  if (key === undefined || headers[key] !== LOCAL_EHR_TOKEN) return;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
    .setIssuer(LOCAL_EHR_ISSUER)
    .setSubject('local-ehr-client')
    .setAudience(`${base}${event.rawPath ?? event.path ?? ''}`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(privateKey);
  headers[key] = `Bearer ${token}`;
}
