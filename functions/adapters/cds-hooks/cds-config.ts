import type { JSONWebKeySet } from 'jose';
import { isObject } from '../../core/index.js';
import { fhirServerOf, type FhirServerProblem } from '../fhir/fhir-server.js';
import { isLoopbackHost } from '../loopback.js';
import { stateTableNameOf } from '../state/state-table.js';

/**
 * The CDS Hooks function's configuration, read from the environment once at cold start and checked
 * whole, so a bad setting stops the function with the setting named (never its value) before any
 * call is answered (docs/security.md):
 * - `CDS_JWT_VERIFICATION`: `on` (the default, also when empty) or `off`. Nothing else switches
 *   verification off, and any other value is an error rather than a guess.
 * - `CDS_TRUSTED_ISSUERS`: a JSON array of `{ "iss": string, "jwksUrl": string }` or
 *   `{ "iss": string, "jwks": { "keys": [...] } }`, exactly one of the two per issuer: the EHRs
 *   allowed to call (CDS Hooks 2.0 security). Each may add `"fhirServers": [base URL, ...]`: the
 *   FHIR servers the service agreement binds to that EHR, the only ones its calls may have read
 *   (https; plain http only to 127.0.0.1, localhost or [::1] written out). None listed: its calls
 *   are answered from prefetch alone. Required while verification is on; checked when set even
 *   while it is off.
 * - `CDS_PUBLIC_BASE_URL`: the public URL the EHR calls (`https://cds.example.org`), from which each
 *   call's expected JWT audience is built. Required while verification is on; never taken from
 *   request headers, which the caller controls.
 */

/**
 * An EHR allowed to call, with where its public keys come from and the FHIR servers it may have
 * read (normalised base URLs, fhir-server.ts).
 */
export type TrustedIssuer = { readonly iss: string; readonly fhirServers: readonly string[] } & (
  { readonly jwksUrl: string; readonly jwks?: never } | { readonly jwks: JSONWebKeySet; readonly jwksUrl?: never }
);

export interface SecurityConfig {
  readonly verification: 'on' | 'off';
  readonly trustedIssuers: readonly TrustedIssuer[];
}

export class SecurityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityConfigError';
  }
}

const ISSUERS = 'CDS_TRUSTED_ISSUERS';
const VERIFICATION = 'CDS_JWT_VERIFICATION';

/** Key types of the accepted algorithms: EC for ES256/ES384, RSA for RS256/RS384. */
const PUBLIC_KEY_TYPES = new Set(['EC', 'RSA']);

/** JWK members that only private or symmetric keys have: such a key has no place in a config. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const ISSUER_MEMBERS = new Set(['iss', 'jwksUrl', 'jwks', 'fhirServers']);

const MAX_ISSUER_BYTES = 1024;

export function loadSecurityConfig(env: Readonly<Record<string, string | undefined>> = process.env): SecurityConfig {
  const verification = verificationOf(env[VERIFICATION]);
  const raw = env[ISSUERS]?.trim() ?? '';
  if (raw === '') {
    if (verification === 'off') return { verification, trustedIssuers: [] };
    throw new SecurityConfigError(
      `${ISSUERS} is not set: give the EHRs allowed to call as a JSON array of {"iss", "jwksUrl" or "jwks", "fhirServers"}, or set ${VERIFICATION}=off explicitly.`,
    );
  }
  const trustedIssuers = issuersOf(raw);
  if (trustedIssuers.length === 0 && verification === 'on') {
    throw new SecurityConfigError(`${ISSUERS} is an empty array: no EHR could call while ${VERIFICATION} is on.`);
  }
  return { verification, trustedIssuers };
}

function verificationOf(value: string | undefined): 'on' | 'off' {
  const setting = value?.trim() ?? '';
  if (setting === '' || setting === 'on') return 'on';
  if (setting === 'off') return 'off';
  throw new SecurityConfigError(`${VERIFICATION} must be "on" or "off".`);
}

function issuersOf(raw: string): TrustedIssuer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SecurityConfigError(`${ISSUERS} is not valid JSON.`);
  }
  if (!Array.isArray(parsed)) throw new SecurityConfigError(`${ISSUERS} must be a JSON array of issuers.`);
  const issuers = parsed.map((entry, index) => issuerOf(entry, `${ISSUERS}[${index}]`));
  const seen = new Set<string>();
  issuers.forEach(({ iss }, index) => {
    if (seen.has(iss)) throw new SecurityConfigError(`${ISSUERS}[${index}].iss repeats an earlier issuer.`);
    seen.add(iss);
  });
  return issuers;
}

function issuerOf(entry: unknown, where: string): TrustedIssuer {
  if (!isObject(entry)) throw new SecurityConfigError(`${where} must be an object.`);
  const unknown = Object.keys(entry).filter((key) => !ISSUER_MEMBERS.has(key));
  if (unknown.length > 0) {
    // A misspelt "jwksURL" would otherwise surface as a confusing "neither jwksUrl nor jwks".
    throw new SecurityConfigError(`${where} has unknown member(s); allowed are iss, jwksUrl, jwks and fhirServers.`);
  }
  const { iss, jwksUrl, jwks } = entry;
  if (typeof iss !== 'string' || iss.trim() === '') throw new SecurityConfigError(`${where}.iss must be a non-empty string.`);
  // The replay record's key is "jti#<iss>#<jti>" (docs/security.md): no "#" keeps it unambiguous,
  // and the bound keeps it within DynamoDB's 2,048 bytes with the longest jti accepted.
  if (iss.includes('#') || Buffer.byteLength(iss) > MAX_ISSUER_BYTES) {
    throw new SecurityConfigError(`${where}.iss must have no "#" and at most ${MAX_ISSUER_BYTES} bytes.`);
  }
  if ((jwksUrl === undefined) === (jwks === undefined)) {
    throw new SecurityConfigError(`${where} must have exactly one of jwksUrl and jwks.`);
  }
  const fhirServers = checkedFhirServers(entry.fhirServers, `${where}.fhirServers`);
  if (jwksUrl !== undefined) return { iss, fhirServers, jwksUrl: checkedJwksUrl(jwksUrl, `${where}.jwksUrl`) };
  return { iss, fhirServers, jwks: checkedJwks(jwks, `${where}.jwks`) };
}

const FHIR_SERVER_PROBLEMS: Record<FhirServerProblem, string> = {
  'not-a-url': 'must be an absolute URL',
  'not-http': 'must be an https URL',
  'credentials-query-or-fragment': 'must be a base URL, without credentials, query or fragment',
  'plain-http': 'must use https (plain http only for 127.0.0.1, localhost or [::1])',
  'internal-address':
    'names an internal address, which is never connected to (a server on this machine is written as 127.0.0.1, localhost or [::1])',
};

/** The FHIR servers bound to one issuer, each checked and normalised as requests will be compared. */
function checkedFhirServers(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SecurityConfigError(`${where} must be an array of FHIR server base URLs.`);
  const servers = value.map((entry: unknown, index) => {
    if (typeof entry !== 'string') throw new SecurityConfigError(`${where}[${index}] must be a string.`);
    const checked = fhirServerOf(entry.trim());
    if (!checked.ok) throw new SecurityConfigError(`${where}[${index}] ${FHIR_SERVER_PROBLEMS[checked.problem]}.`);
    return checked.server.base;
  });
  return [...new Set(servers)];
}

function checkedJwksUrl(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new SecurityConfigError(`${where} must be a string.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SecurityConfigError(`${where} must be an absolute URL.`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!secure) throw new SecurityConfigError(`${where} must use https (plain http only for 127.0.0.1 or localhost).`);
  return url.href;
}

function checkedJwks(value: unknown, where: string): JSONWebKeySet {
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) {
    throw new SecurityConfigError(`${where} must be a JWKS: an object whose "keys" is a non-empty array.`);
  }
  value.keys.forEach((key: unknown, index) => {
    const at = `${where}.keys[${index}]`;
    if (!isObject(key)) throw new SecurityConfigError(`${at} must be an object.`);
    if (typeof key.kty !== 'string' || !PUBLIC_KEY_TYPES.has(key.kty))
      throw new SecurityConfigError(`${at}.kty must be "EC" or "RSA".`);
    // Tokens must name their key, and a key without a kid can never be chosen.
    if (typeof key.kid !== 'string' || key.kid === '') throw new SecurityConfigError(`${at}.kid must be a non-empty string.`);
    if (SECRET_MEMBERS.some((member) => member in key)) {
      throw new SecurityConfigError(`${at} holds private key material; configure the public key only.`);
    }
  });
  return value as unknown as JSONWebKeySet;
}

export interface CdsConfig {
  security: SecurityConfig;
  publicBaseUrl?: string;
  /** The DynamoDB table of the service's state (CDS_STATE_TABLE); none: in memory, nothing kept. */
  stateTable?: string;
}

/**
 * The base URL each call's JWT audience is built from. Only scheme, host, port and path: a query or
 * a fragment would end up inside every audience (no EHR signs such an `aud`, so every call would
 * fail, or the URL is not what the operator meant), and userinfo has no place in a public URL.
 */
function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must use https (http only for a loopback host)');
  }
  // `new URL` drops an empty userinfo ("https://@host"), query or fragment: read the text as well.
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?#]/)[0]!;
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must not carry credentials (userinfo)');
  }
  if (value.includes('?') || value.includes('#')) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL must be a base URL without a query or a fragment');
  }
  return value.replace(/\/+$/, '');
}

export function loadCdsConfig(env: Readonly<Record<string, string | undefined>> = process.env): CdsConfig {
  const security = loadSecurityConfig(env);
  const base = env.CDS_PUBLIC_BASE_URL?.trim();
  if (security.verification === 'on' && !base) {
    throw new SecurityConfigError('CDS_PUBLIC_BASE_URL is required while CDS_JWT_VERIFICATION is on (it fixes the JWT audience)');
  }
  const stateTable = stateTableNameOf(env);
  return { security, ...(base ? { publicBaseUrl: parseBaseUrl(base) } : {}), ...(stateTable ? { stateTable } : {}) };
}
