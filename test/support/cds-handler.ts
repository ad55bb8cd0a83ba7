import { vi } from 'vitest';
import type { Invoke } from './events.js';
import { SANDBOX_ISSUER, startJwksServer, type JwksServer } from './jwks-server.js';

/** The public base URL the CDS Hooks handler is configured with in the tests. */
export const CDS_BASE_URL = 'https://cds.example.org';

export interface SignedCdsHandler {
  invoke: Invoke;
  jwks: JwksServer;
  close(): Promise<void>;
}

/**
 * The CDS Hooks handler as deployed (EHR JWT verification on), trusting a stand-in EHR that signs
 * as the public sandbox does with a JWKS on 127.0.0.1, and whose FHIR servers are `fhirServers`.
 * Loaded afresh, since it reads its settings at cold start.
 */
export async function signedCdsHandler(fhirServers: string[] = []): Promise<SignedCdsHandler> {
  const jwks = await startJwksServer({ audience: `${CDS_BASE_URL}/cds-services` });
  vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
  vi.stubEnv('CDS_PUBLIC_BASE_URL', CDS_BASE_URL);
  vi.stubEnv('CDS_TRUSTED_ISSUERS', JSON.stringify([{ iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl, fhirServers }]));
  vi.resetModules();
  const invoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
  return {
    invoke,
    jwks,
    async close() {
      vi.unstubAllEnvs();
      await jwks.close();
    },
  };
}
