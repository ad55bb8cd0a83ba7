import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';

/**
 * An EHR for tests: a JWKS served on 127.0.0.1 at a free port, and tokens signed the way the public
 * CDS Hooks sandbox signs them (ES384, `typ: JWT`, `kid`, `jku` pointing at the JWKS; iss, sub,
 * aud, exp = iat + 300, iat, jti).
 */

export const JWKS_PATH = '/.well-known/jwks.json';
/** Where the `redirect` behaviour sends JWKS requests, and serves the keys. */
const MOVED_PATH = '/moved/jwks.json';

/** The sandbox's issuer and client id. */
export const SANDBOX_ISSUER = 'https://sandbox.cds-hooks.org';
export const SANDBOX_CLIENT_ID = '48163c5e-88b5-4cb3-92d3-23b800caa927';

/** A signing key with the kid and alg it is published under. */
export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'ES384' | 'RS256' | 'RS384';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * How the server answers JWKS requests: with the keys, with a 500, not at all, with the keys padded
 * past 64 KB, with JSON that is not a key set, or with a redirect to the keys at another path.
 */
export type JwksBehaviour = 'serve' | 'fail' | 'hang' | 'huge' | 'not-a-key-set' | 'redirect';

export interface JwksServer {
  /** URL of the served JWKS, `http://127.0.0.1:<port>/.well-known/jwks.json`. */
  jwksUrl: string;
  /** The published keys: an ES384 key (the default signer) and an RS256 key. */
  es384: SigningKey;
  rs256: SigningKey;
  /** How many times the JWKS has been requested. */
  readonly jwksRequests: number;
  setBehaviour(behaviour: JwksBehaviour): void;
  /** Adds a key to the served JWKS (a key rotation). */
  publish(key: SigningKey): void;
  /**
   * A token as the sandbox makes it. `claims` and `header` override the defaults; an override of
   * `undefined` removes that member. `key` signs (the ES384 key by default); its alg and kid go into
   * the header unless `header` says otherwise.
   */
  signToken(claims?: JWTPayload, header?: Partial<JWTHeaderParameters>, key?: SigningKey): Promise<string>;
  close(): Promise<void>;
}

export interface JwksServerOptions {
  /** The `aud` of tokens: the URL of the CDS service called. */
  audience: string;
  /** The current time in epoch milliseconds, for iat and exp; Date.now by default. */
  now?: () => number;
  issuer?: string;
}

/** A fresh key pair, published under `kid`. */
export async function newSigningKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Signs `claims` under `header` as given, with nothing added. */
export async function signWith(key: SigningKey, header: Partial<JWTHeaderParameters>, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, ...header } as JWTHeaderParameters).sign(key.privateKey);
}

/** A token with `alg: none` and no signature, as an attacker would write it. */
export function unsignedToken(header: Record<string, unknown>, claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', ...header })}.${encode(claims)}.`;
}

export async function startJwksServer(options: JwksServerOptions): Promise<JwksServer> {
  const now = options.now ?? Date.now;
  const issuer = options.issuer ?? SANDBOX_ISSUER;
  const [es384, rs256] = await Promise.all([newSigningKey('ES384', 'sandbox-es384'), newSigningKey('RS256', 'sandbox-rs256')]);
  const published = [es384.publicJwk, rs256.publicJwk];
  const bodies: Record<Exclude<JwksBehaviour, 'fail' | 'hang' | 'redirect'>, () => string> = {
    serve: () => JSON.stringify({ keys: published }),
    huge: () => JSON.stringify({ keys: published, padding: 'x'.repeat(64 * 1024) }),
    'not-a-key-set': () => JSON.stringify({ error: 'maintenance' }),
  };
  let behaviour: JwksBehaviour = 'serve';
  let jwksRequests = 0;

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === MOVED_PATH) {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(bodies.serve());
      return;
    }
    if (request.method !== 'GET' || request.url !== JWKS_PATH) {
      response.writeHead(404).end();
      return;
    }
    jwksRequests++;
    if (behaviour === 'hang') return;
    if (behaviour === 'fail') return response.writeHead(500).end();
    if (behaviour === 'redirect') return response.writeHead(302, { Location: MOVED_PATH }).end();
    const body = bodies[behaviour]();
    // Written in two parts, so it goes chunked, without a Content-Length to judge it by.
    response.writeHead(200, { 'Content-Type': 'application/json' }).write(body.slice(0, 10));
    response.end(body.slice(10));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const jwksUrl = `http://127.0.0.1:${port}${JWKS_PATH}`;

  return {
    jwksUrl,
    es384,
    rs256,
    get jwksRequests() {
      return jwksRequests;
    },
    setBehaviour(next) {
      behaviour = next;
    },
    publish(key) {
      published.push(key.publicJwk);
    },
    async signToken(claims = {}, header = {}, key = es384) {
      const iat = Math.floor(now() / 1000);
      const defaults: JWTPayload = {
        iss: issuer,
        sub: SANDBOX_CLIENT_ID,
        aud: options.audience,
        exp: iat + 300,
        iat,
        jti: randomUUID(),
      };
      return signWith(key, { typ: 'JWT', kid: key.kid, jku: jwksUrl, ...header }, { ...defaults, ...claims });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
