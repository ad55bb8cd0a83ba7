import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { memoryReplayStore, type ReplayStore } from './replay-cache.js';
import { remoteJwks } from './remote-jwks.js';
import type { SecurityConfig, TrustedIssuer } from '../cds-config.js';

/**
 * Verification of the JWT an EHR sends as `Authorization: Bearer <JWT>` on each CDS Hooks call
 * (CDS Hooks 2.0, "Trusting CDS Clients"). Enforced: a compact JWS signed with ES256, ES384, RS256
 * or RS384 (never `none` or a shared-secret HS*), a `kid` naming the key, an `iss` on the
 * configured allowlist with the key taken from that issuer's own JWKS, `aud` equal to the URL of
 * the service called, `exp` and `iat` present, a lifetime (`exp - iat`) of at most 5 minutes, the
 * token not expired by this service's clock (`exp` is never stretched, so the replay record, kept
 * until `exp`, always outlives the token), `iat` and `nbf` at most a small clock tolerance ahead (an
 * EHR clock running fast), and a `jti` not seen before, in any container. The `jku`
 * header is pinned: when present it must equal the issuer's configured `jwksUrl`, and the keys are
 * only ever fetched from that configured URL, because fetching whatever `jku` a token names would
 * let anyone sign with a key pair of their own and publish the public half. Every failure is one
 * `EhrJwtRejected` with a generic message and a `reason` code for logs; neither carries the token
 * or its claims.
 */

/** Signature algorithms the CDS Hooks spec allows EHRs to use (asymmetric only). */
const ALLOWED_ALGORITHMS = Object.freeze(['ES256', 'ES384', 'RS256', 'RS384'] as const);

/**
 * CDS Hooks 2.0 sets no maximum lifetime; its best-practice page asks services to remember `jti`s
 * for the longest lifetime they accept. 5 minutes is what the public sandbox (and SMART Backend
 * Services) issue, and it keeps the replay window short. No tolerance is added to it.
 */
const MAX_TOKEN_LIFETIME_SECONDS = 300;

/** A jti longer than this is not an id (the replay key must stay within DynamoDB's 2,048 bytes). */
const MAX_JTI_LENGTH = 256;

const DEFAULTS = Object.freeze({
  clockToleranceSeconds: 30,
  /** During an outage a token naming an unknown key waits at most this long (docs/security.md). */
  jwksTimeoutMs: 500,
  jwksCooldownMs: 30_000,
  jwksMaxAgeMs: 10 * 60_000,
  /** A JWKS of a few keys is a few KB; more is not a key set. */
  jwksMaxBytes: 64 * 1024,
});

/** Longer than any sensible JWT; decoding a larger header is wasted work. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export type EhrJwtRejectionReason =
  | 'missing-token'
  | 'malformed-token'
  | 'bad-alg'
  | 'no-kid'
  | 'unknown-issuer'
  | 'jku-mismatch'
  | 'unknown-kid'
  | 'jwks-unavailable'
  | 'bad-signature'
  | 'bad-audience'
  | 'no-exp'
  | 'expired'
  | 'not-yet-valid'
  | 'no-iat'
  | 'iat-in-future'
  | 'lifetime-too-long'
  | 'no-jti'
  | 'replayed';

/**
 * The token was not accepted. The message is the same for every reason, so that it can be shown;
 * `reason` is for logs and tests. No `cause` is attached: jose's errors carry the claims.
 */
export class EhrJwtRejected extends Error {
  constructor(readonly reason: EhrJwtRejectionReason) {
    super('The EHR token was not accepted.');
    this.name = 'EhrJwtRejected';
  }
}

/** What a verified token says about its caller. */
export interface VerifiedEhrJwt {
  iss: string;
  /** The EHR's client id, when the token names one. */
  sub?: string;
  jti: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export interface EhrJwtVerifier {
  /** False only when CDS_JWT_VERIFICATION=off; the caller should then log a warning at start-up. */
  readonly enabled: boolean;
  /**
   * Checks the Authorization header value of one call to the service at `expectedAudience` (its
   * full URL, as the EHR addressed it). Resolves to the caller's identity, or to undefined when
   * verification is off (nothing is checked then); throws EhrJwtRejected otherwise.
   */
  verify(authorization: string | undefined, expectedAudience: string): Promise<VerifiedEhrJwt | undefined>;
}

export interface EhrJwtVerifierOptions {
  /** The current time in epoch milliseconds; Date.now by default. */
  now?: () => number;
  /** Allowance for an EHR clock running ahead of the service's, on iat and nbf. */
  clockToleranceSeconds?: number;
  /** Where token ids are remembered against replay; one process's memory by default. */
  replays?: ReplayStore;
  /** Longest wait for an issuer's JWKS over the network. */
  jwksTimeoutMs?: number;
  /** Least time between two fetches of one issuer's JWKS. */
  jwksCooldownMs?: number;
  /** Age after which an issuer's keys are fetched again (and kept if that fails). */
  jwksMaxAgeMs?: number;
  /** Largest JWKS read. */
  jwksMaxBytes?: number;
}

interface IssuerKeys {
  /** Normalised URL the keys come from; undefined for keys given inline. */
  jwksUrl: string | undefined;
  keyFor: JWTVerifyGetKey;
}

export function createEhrJwtVerifier(config: SecurityConfig, options: EhrJwtVerifierOptions = {}): EhrJwtVerifier {
  if (config.verification === 'off') {
    return { enabled: false, verify: async () => undefined };
  }
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? DEFAULTS.clockToleranceSeconds;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new RangeError('clockToleranceSeconds must be a non-negative number');
  const jwks = {
    timeoutMs: options.jwksTimeoutMs ?? DEFAULTS.jwksTimeoutMs,
    cooldownMs: options.jwksCooldownMs ?? DEFAULTS.jwksCooldownMs,
    maxAgeMs: options.jwksMaxAgeMs ?? DEFAULTS.jwksMaxAgeMs,
    maxBytes: options.jwksMaxBytes ?? DEFAULTS.jwksMaxBytes,
    now,
  };
  const replays = options.replays ?? memoryReplayStore();
  const issuers = new Map(config.trustedIssuers.map((issuer) => [issuer.iss, keysOf(issuer, jwks)]));

  async function verify(authorization: string | undefined, expectedAudience: string): Promise<VerifiedEhrJwt> {
    if (!expectedAudience) throw new TypeError('expectedAudience must be the URL of the service called');
    const token = bearerTokenOf(authorization);
    const header = protectedHeaderOf(token);
    if (!(ALLOWED_ALGORITHMS as readonly unknown[]).includes(header.alg)) throw new EhrJwtRejected('bad-alg');
    if (typeof header.kid !== 'string' || header.kid === '') throw new EhrJwtRejected('no-kid');

    // Read before the signature is checked, only to pick the issuer's keys; jwtVerify checks iss again.
    const claimedIssuer = unverifiedClaimsOf(token).iss;
    if (typeof claimedIssuer !== 'string') throw new EhrJwtRejected('unknown-issuer');
    const issuer = issuers.get(claimedIssuer);
    if (!issuer) throw new EhrJwtRejected('unknown-issuer');
    // Keys given inline are never fetched, so a jku cannot redirect anything; it is ignored for them.
    if (header.jku !== undefined && issuer.jwksUrl !== undefined && normalisedUrl(header.jku) !== issuer.jwksUrl) {
      throw new EhrJwtRejected('jku-mismatch');
    }

    const nowMs = now();
    const nowSeconds = Math.floor(nowMs / 1000);
    const claims = await verifiedClaimsOf(token, issuer.keyFor, {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: claimedIssuer,
      audience: expectedAudience,
      requiredClaims: ['exp', 'iat', 'jti'],
      clockTolerance: tolerance,
      currentDate: new Date(nowMs),
    });
    const exp = claims.exp!;
    const iat = claims.iat!;
    // jose allowed the tolerance on exp too; here a token is refused from its exp on.
    if (exp <= nowMs / 1000) throw new EhrJwtRejected('expired');
    if (iat > nowSeconds + tolerance) throw new EhrJwtRejected('iat-in-future');
    if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) throw new EhrJwtRejected('lifetime-too-long');
    const { jti } = claims;
    if (typeof jti !== 'string' || jti === '') throw new EhrJwtRejected('no-jti');
    if (jti.length > MAX_JTI_LENGTH) throw new EhrJwtRejected('malformed-token');
    // Remembered until the token expires, from which on the exp check refuses it anyway.
    if (!(await replays.remember(claimedIssuer, jti, exp, nowSeconds))) throw new EhrJwtRejected('replayed');
    return { iss: claimedIssuer, ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}), jti, exp };
  }

  return { enabled: true, verify };
}

function keysOf(issuer: TrustedIssuer, jwks: Parameters<typeof remoteJwks>[1]): IssuerKeys {
  if (issuer.jwksUrl !== undefined) {
    return { jwksUrl: normalisedUrl(issuer.jwksUrl), keyFor: keyResolver(remoteJwks(issuer.jwksUrl, jwks)) };
  }
  return { jwksUrl: undefined, keyFor: keyResolver(createLocalJWKSet(issuer.jwks)) };
}

/** Tells a kid the issuer does not have from an issuer whose keys cannot be had. */
function keyResolver(keySet: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      // Several keys with one kid: the kid does not identify a key either.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw new EhrJwtRejected('unknown-kid');
      }
      // JwksUnavailable, and anything else that kept the keys from being had.
      throw new EhrJwtRejected('jwks-unavailable');
    }
  };
}

function bearerTokenOf(authorization: string | undefined): string {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization?.trim() ?? '');
  if (!match) throw new EhrJwtRejected('missing-token');
  const token = match[1]!;
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw new EhrJwtRejected('malformed-token');
  return token;
}

function protectedHeaderOf(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new EhrJwtRejected('malformed-token');
  }
}

function unverifiedClaimsOf(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    throw new EhrJwtRejected('malformed-token');
  }
}

async function verifiedClaimsOf(
  token: string,
  keyFor: JWTVerifyGetKey,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keyFor, options)).payload;
  } catch (error) {
    throw error instanceof EhrJwtRejected ? error : new EhrJwtRejected(reasonOf(error));
  }
}

const MISSING_CLAIM_REASONS: Record<string, EhrJwtRejectionReason> = {
  aud: 'bad-audience',
  iss: 'unknown-issuer',
  exp: 'no-exp',
  iat: 'no-iat',
  jti: 'no-jti',
};
const FAILED_CLAIM_REASONS: Record<string, EhrJwtRejectionReason> = {
  aud: 'bad-audience',
  iss: 'unknown-issuer',
  nbf: 'not-yet-valid',
};

/** Maps what jose found to a reason code; anything unforeseen means the signature could not be verified. */
function reasonOf(error: unknown): EhrJwtRejectionReason {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return MISSING_CLAIM_REASONS[error.claim] ?? 'malformed-token';
    if (error.reason === 'invalid') return 'malformed-token';
    return FAILED_CLAIM_REASONS[error.claim] ?? 'malformed-token';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'bad-alg';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed-token';
  return 'bad-signature';
}

function normalisedUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value).href;
  } catch {
    return undefined;
  }
}
