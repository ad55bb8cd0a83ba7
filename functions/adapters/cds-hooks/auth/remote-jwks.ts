import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { isObject } from '../../../core/index.js';

/**
 * An issuer's public keys from its JWKS URL, kept so that an outage of the EHR's JWKS costs little
 * (docs/security.md, "A JWKS outage"):
 * - each fetch gives up after `timeoutMs` and reads at most `maxBytes`; no redirect is followed;
 * - at most one fetch per `cooldownMs`, counted from the start of the last attempt, whether it
 *   succeeded or not and whatever `kid` asked for it: during an outage a token naming a key not
 *   held is refused at once, not after another wait;
 * - keys held keep working whatever happens to the JWKS: after `maxAgeMs` they are fetched again,
 *   and kept if that fails; a key the JWKS no longer lists is dropped by the next fetch that works.
 * Concurrent calls share one fetch. jose's own remote key set is not used: after a failed fetch it
 * fetches again on the next call, and it refetches keys past their age before it uses them, so
 * every call waited for a JWKS that did not answer.
 */

export interface RemoteJwksOptions {
  timeoutMs: number;
  cooldownMs: number;
  maxAgeMs: number;
  maxBytes: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/** Why no key could be had; the verifier maps these to its reason codes. */
export class JwksUnavailable extends Error {
  constructor() {
    super("The issuer's JWKS could not be fetched.");
    this.name = 'JwksUnavailable';
  }
}

/** The key for a token's header from the JWKS at `url`, fetched and held as described above. */
export function remoteJwks(url: string, options: RemoteJwksOptions): JWTVerifyGetKey {
  const { now, cooldownMs, maxAgeMs } = options;
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<boolean> | undefined;

  /** One fetch at a time; resolves to whether it brought keys. */
  function refresh(): Promise<boolean> {
    if (pending) return pending;
    attemptedAt = now();
    pending = fetchJwks(url, options)
      .then((jwks) => {
        keys = createLocalJWKSet(jwks);
        fetchedAt = now();
        return true;
      })
      .catch(() => false)
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  /** A fetch is allowed now: none running and none started within the cooldown. */
  const mayFetch = () => pending === undefined && now() - attemptedAt >= cooldownMs;

  return async function keyFor(header, token) {
    if (keys === undefined) {
      if (pending) await pending;
      else if (mayFetch()) await refresh();
      if (keys === undefined) throw new JwksUnavailable();
    } else if (now() - fetchedAt > maxAgeMs && mayFetch()) {
      // Past their age the keys are fetched again, but still used if the JWKS does not answer.
      await refresh();
    }
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A kid not held: perhaps a new key (rotation). Ask the JWKS, unless that was done just now.
      if (pending) await pending;
      else if (!mayFetch()) throw error;
      else if (!(await refresh())) throw new JwksUnavailable();
      return keys(header, token);
    }
  };
}

/** GET the JWKS within the time and size limits; anything but a JSON object with a `keys` array fails. */
async function fetchJwks(url: string, { timeoutMs, maxBytes }: RemoteJwksOptions): Promise<JSONWebKeySet> {
  const response = await fetch(url, {
    headers: { accept: 'application/json, application/jwk-set+json' },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok || response.body === null) throw new JwksUnavailable();
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body.cancel();
    throw new JwksUnavailable();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new JwksUnavailable();
    chunks.push(chunk);
  }
  const jwks: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) throw new JwksUnavailable();
  return jwks as unknown as JSONWebKeySet;
}
