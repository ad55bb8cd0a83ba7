/**
 * This machine's own host names: plain http is accepted only for a URL naming one of them (a JWKS,
 * a FHIR server or the service itself run locally or in tests), never for one across a network.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
