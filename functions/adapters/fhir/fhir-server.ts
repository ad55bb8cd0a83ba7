import { ipFamilyOf, isInternalAddress } from '../internal-addresses.js';
import { isLoopbackHost } from '../loopback.js';

/**
 * A FHIR server base URL the service may read from, in one normal form so that two spellings of
 * the same server compare equal: WHATWG URL parsing (scheme and host lower-cased, default port
 * dropped, dot segments resolved), then no trailing slash (`https://fhir.example.org/r4`).
 */
export interface FhirServer {
  readonly base: string;
  /**
   * The URL names this machine (127.0.0.1, localhost or [::1]): plain http is accepted, and it is
   * the only kind of server whose connections may go to a loopback address.
   */
  readonly loopback: boolean;
}

/** Why a URL is not a FHIR server base URL the service would read from. */
export type FhirServerProblem = 'not-a-url' | 'not-http' | 'credentials-query-or-fragment' | 'plain-http' | 'internal-address';

export type FhirServerOf = { ok: true; server: FhirServer } | { ok: false; problem: FhirServerProblem };

/** The host of a URL as an IP address, brackets of IPv6 removed; undefined for a name. */
export function ipLiteralOf(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipFamilyOf(bare) === 0 ? undefined : bare;
}

/**
 * Reads `value` as a FHIR server base URL: https, or plain http to this machine only; never with
 * credentials, a query or a fragment (a base URL has none, and credentials would be sent); never
 * an internal IP address written out, since no connection to it would be allowed.
 */
export function fhirServerOf(value: string): FhirServerOf {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: 'not-a-url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'not-http' };
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    return { ok: false, problem: 'credentials-query-or-fragment' };
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback) return { ok: false, problem: 'plain-http' };
  const literal = ipLiteralOf(url.hostname);
  if (!loopback && literal !== undefined && isInternalAddress(literal)) return { ok: false, problem: 'internal-address' };
  return { ok: true, server: { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, loopback } };
}
