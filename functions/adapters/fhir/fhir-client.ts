import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { ipFamilyOf, isInternalAddress, isLoopbackAddress } from '../internal-addresses.js';
import { ipLiteralOf, type FhirServer } from './fhir-server.js';

/**
 * Reads from the EHR's FHIR server what the prefetch did not bring: GET only, with the bearer token
 * the EHR gave for it, a deadline, a size cap, and no redirects (a redirect could carry the token
 * to another host). Only from a server the caller has already found allowed (FhirServer), and only
 * over connections whose address is allowed for it, checked as each connection is made. Never logs
 * URLs, tokens or bodies.
 */

export interface FhirReadOptions {
  /** Bearer token from `fhirAuthorization`; the public sandbox's open servers need none. */
  accessToken?: string;
  timeoutMs: number;
  maxBytes: number;
  /** Resolves the server's host name for each connection: dns.lookup unless a test injects one. */
  lookup?: LookupFunction;
}

/**
 * Why a read failed, for the log line an on-call engineer reads. `path-changed`: the URL built from
 * the template would not have kept its path (an id of `..`), so nothing was sent.
 */
export type FhirReadFailure =
  'timeout' | 'network' | 'status' | 'redirect' | 'too-large' | 'not-json' | 'address-refused' | 'path-changed';

export class FhirReadFailed extends Error {
  constructor(readonly reason: FhirReadFailure) {
    super(`FHIR read failed: ${reason}`);
    this.name = 'FhirReadFailed';
  }
}

export const FHIR_READ_DEFAULTS = Object.freeze({ timeoutMs: 2_000, maxBytes: 2 * 1024 * 1024 });

/**
 * The addresses a connection to `server` may go to: for a server named as 127.0.0.1, localhost or
 * [::1], this machine only; for any other, anything but the internal ranges (so a public name that
 * resolves to 127.0.0.1, or to the metadata endpoint, is refused).
 */
function allowedAddressesOf(server: FhirServer): (address: string) => boolean {
  return server.loopback ? isLoopbackAddress : (address) => !isInternalAddress(address);
}

/**
 * The HTTP client's `lookup` hook: resolves the host with `resolve`, then refuses the connection
 * when any address it got is not `allowed`. Node calls it for every connection it opens to a host
 * name and connects only to the addresses it returns, so the address checked is the address used:
 * a DNS answer that changes between look-ups cannot slip through. (Hosts written as IP addresses
 * skip it and are checked before the request.)
 */
function guardedLookup(resolve: LookupFunction, allowed: (address: string) => boolean): LookupFunction {
  return function guardedLookup(hostname, options, callback) {
    resolve(hostname, { ...options, all: true }, (error, answer) => {
      if (error) return callback(error, '');
      const addresses: LookupAddress[] = Array.isArray(answer) ? answer : [{ address: answer, family: ipFamilyOf(answer) }];
      if (addresses.length === 0) return callback(new FhirReadFailed('network'), '');
      if (!addresses.every(({ address }) => allowed(address))) return callback(new FhirReadFailed('address-refused'), '');
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

async function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new FhirReadFailed('too-large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FhirReadFailed('too-large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One GET over a fresh connection (no agent: no socket is reused from a check made for another read). */
async function get(url: URL, headers: Record<string, string>, lookup: LookupFunction, signal: AbortSignal) {
  // Loaded on the first read, not at cold start: most calls come fully prefetched.
  const client = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = client.request(url, { method: 'GET', headers, agent: false, lookup, signal }, resolve);
    request.on('error', reject);
    request.end();
  });
}

function failureOf(error: unknown, deadline: AbortSignal): FhirReadFailed {
  if (error instanceof FhirReadFailed) return error;
  return new FhirReadFailed(deadline.aborted ? 'timeout' : 'network');
}

/** The server's base path, without a trailing slash (`/fhir`; empty for a server at the root). */
const basePathOf = (server: FhirServer) => new URL(server.base).pathname.replace(/\/$/, '');

/**
 * The URL of `relativeUrl` (a prefetch query, tokens filled in) under `server`, or undefined when
 * URL parsing would change its path: a dot segment (`Patient/..`, also as `%2e%2e`) would make it
 * name another resource, or none, so such a URL is never built. Whatever the query holds, the URL
 * keeps the server's origin: it follows the base and a slash, after which nothing is read as a host.
 */
export function fhirUrl(server: FhirServer, relativeUrl: string): URL | undefined {
  const url = new URL(`${server.base}/${relativeUrl}`);
  const path = relativeUrl.split(/[?#]/)[0]!;
  return url.origin === new URL(server.base).origin && url.pathname === `${basePathOf(server)}/${path}` ? url : undefined;
}

/**
 * The URL of a `next` page link the server gave, if it stays on the server: the same origin, under
 * the base path, with no credentials or fragment. A link elsewhere is never followed (the token
 * would go with it).
 */
export function pageUrl(server: FhirServer, link: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  const base = basePathOf(server);
  const underBase = url.pathname === base || url.pathname.startsWith(`${base}/`);
  const clean = url.username === '' && url.password === '' && url.hash === '';
  return url.origin === new URL(server.base).origin && underBase && clean ? url : undefined;
}

/**
 * GETs `relativeUrl` (a prefetch query, tokens filled in) from `server` and parses the JSON: fhirGet
 * of fhirUrl. A query whose path parsing would change is refused (`path-changed`) before anything
 * is sent.
 */
export async function fhirRead(server: FhirServer, relativeUrl: string, options: FhirReadOptions): Promise<unknown> {
  const url = fhirUrl(server, relativeUrl);
  if (url === undefined) throw new FhirReadFailed('path-changed');
  return fhirGet(server, url, options);
}

/**
 * GETs `url` (on `server`: from fhirUrl or pageUrl) and parses the JSON. The request, the answer and
 * its body share one deadline.
 */
export async function fhirGet(server: FhirServer, url: URL, options: FhirReadOptions): Promise<unknown> {
  const allowed = allowedAddressesOf(server);
  const literal = ipLiteralOf(url.hostname);
  if (literal !== undefined && !allowed(literal)) throw new FhirReadFailed('address-refused');

  const headers: Record<string, string> = { Accept: 'application/fhir+json' };
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const lookup = guardedLookup(options.lookup ?? (dnsLookup as LookupFunction), allowed);
  let text: string;
  try {
    const response = await get(url, headers, lookup, deadline);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.destroy();
      // Never followed: the Location could be any host, and the token would go with it.
      throw new FhirReadFailed(status >= 300 && status < 400 ? 'redirect' : 'status');
    }
    try {
      text = await readCapped(response, options.maxBytes);
    } finally {
      response.destroy();
    }
  } catch (error) {
    throw failureOf(error, deadline);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FhirReadFailed('not-json');
  }
}
