import { fhirServerOf, type FhirServer } from '../fhir/fhir-server.js';
import type { SecurityConfig } from './cds-config.js';

/**
 * Which FHIR server a call may have read, with the EHR's bearer token: CDS Hooks 2.0 leaves the
 * pairing of an EHR with its FHIR server to the service agreement, so a request's `fhirServer` is
 * read only when it equals, after normalising (fhir-server.ts), one that CDS_TRUSTED_ISSUERS lists
 * for the issuer that signed the call. With verification off there is no calling issuer, and only
 * a server on this machine (127.0.0.1, localhost, [::1]) is read.
 */
export type FhirServerTrust = (fhirServer: string, callerIssuer: string | undefined) => FhirServer | undefined;

export function fhirServerTrust(security: SecurityConfig): FhirServerTrust {
  if (security.verification === 'off') {
    return function loopbackOnly(fhirServer) {
      const checked = fhirServerOf(fhirServer);
      return checked.ok && checked.server.loopback ? checked.server : undefined;
    };
  }
  const listed = new Map(security.trustedIssuers.map(({ iss, fhirServers }) => [iss, new Set(fhirServers)]));
  return function listedForCaller(fhirServer, callerIssuer) {
    if (callerIssuer === undefined) return undefined;
    const checked = fhirServerOf(fhirServer);
    return checked.ok && listed.get(callerIssuer)?.has(checked.server.base) ? checked.server : undefined;
  };
}
