import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT, type JWTHeaderParameters } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEhrJwtVerifier,
  EhrJwtRejected,
  type EhrJwtRejectionReason,
  type EhrJwtVerifier,
  type EhrJwtVerifierOptions,
} from '../../../../functions/adapters/cds-hooks/auth/ehr-jwt.js';
import {
  loadSecurityConfig,
  SecurityConfigError,
  type TrustedIssuer,
} from '../../../../functions/adapters/cds-hooks/cds-config.js';
import {
  newSigningKey,
  SANDBOX_CLIENT_ID,
  SANDBOX_ISSUER,
  signWith,
  startJwksServer,
  unsignedToken,
  type JwksServer,
  type SigningKey,
} from '../../../support/jwks-server.js';

const SERVICE_URL = 'https://cds.example.org/cds-services/imatinib-sm-order-check';
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const TOLERANCE = 30;
const INLINE_ISSUER = 'https://ehr.example.org';

let ehr: JwksServer;
let inlineKey: SigningKey;

beforeAll(async () => {
  [ehr, inlineKey] = await Promise.all([
    startJwksServer({ audience: SERVICE_URL, now: () => NOW_MS }),
    newSigningKey('ES256', 'ehr-2026-01'),
  ]);
});

afterAll(() => ehr.close());

afterEach(() => ehr.setBehaviour('serve'));

const bearer = (token: string) => `Bearer ${token}`;

function verifierFor(options: EhrJwtVerifierOptions = {}): EhrJwtVerifier {
  const trustedIssuers: TrustedIssuer[] = [
    { iss: SANDBOX_ISSUER, jwksUrl: ehr.jwksUrl, fhirServers: [] },
    { iss: INLINE_ISSUER, jwks: { keys: [inlineKey.publicJwk] }, fhirServers: [] },
  ];
  return createEhrJwtVerifier(
    { verification: 'on', trustedIssuers },
    { now: () => NOW_MS, clockToleranceSeconds: TOLERANCE, ...options },
  );
}

async function rejectionOf(verifier: EhrJwtVerifier, authorization: string | undefined, audience = SERVICE_URL) {
  const outcome = await verifier.verify(authorization, audience).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(EhrJwtRejected);
  return outcome as EhrJwtRejected;
}

describe('createEhrJwtVerifier accepts', () => {
  it('a sandbox-style ES384 token whose jku is the configured JWKS URL, returning the caller', async () => {
    const token = await ehr.signToken({ jti: 'call-1' });

    const caller = await verifierFor().verify(bearer(token), SERVICE_URL);

    expect(caller).toEqual({ iss: SANDBOX_ISSUER, sub: SANDBOX_CLIENT_ID, jti: 'call-1', exp: NOW + 300 });
  });

  it('an RS256 token signed with the other key of the JWKS', async () => {
    const token = await ehr.signToken({}, {}, ehr.rs256);

    await expect(verifierFor().verify(bearer(token), SERVICE_URL)).resolves.toMatchObject({ iss: SANDBOX_ISSUER });
  });

  it('a token from an issuer whose keys are configured inline, without fetching anything', async () => {
    const before = ehr.jwksRequests;
    const token = await ehr.signToken({ iss: INLINE_ISSUER }, { jku: undefined }, inlineKey);

    await expect(verifierFor().verify(bearer(token), SERVICE_URL)).resolves.toMatchObject({ iss: INLINE_ISSUER });
    expect(ehr.jwksRequests).toBe(before);
  });

  it('a token without jku, and an aud given as an array holding the service URL', async () => {
    const token = await ehr.signToken({ aud: ['https://other.example.org', SERVICE_URL] }, { jku: undefined });

    await expect(verifierFor().verify(bearer(token), SERVICE_URL)).resolves.toBeDefined();
  });

  it('a token lasting exactly 5 minutes, in its last second', async () => {
    const token = await ehr.signToken({ iat: NOW - 299, exp: NOW + 1 });

    await expect(verifierFor().verify(bearer(token), SERVICE_URL)).resolves.toBeDefined();
  });

  it('a token issued up to the clock tolerance in the future (an EHR clock running fast), lasting 5 minutes', async () => {
    const token = await ehr.signToken({ iat: NOW + TOLERANCE, exp: NOW + TOLERANCE + 300 });

    await expect(verifierFor().verify(bearer(token), SERVICE_URL)).resolves.toBeDefined();
  });

  it('"bearer" in any case, as the scheme is case-insensitive', async () => {
    const token = await ehr.signToken();

    await expect(verifierFor().verify(`bearer ${token}`, SERVICE_URL)).resolves.toBeDefined();
  });

  it('many tokens while fetching the JWKS once', async () => {
    const verifier = verifierFor();
    const before = ehr.jwksRequests;

    for (let i = 0; i < 3; i++) await verifier.verify(bearer(await ehr.signToken()), SERVICE_URL);

    expect(ehr.jwksRequests - before).toBe(1);
  });
});

describe('createEhrJwtVerifier rejects, naming the reason', () => {
  const cases: [string, () => Promise<string | undefined>, EhrJwtRejectionReason][] = [
    ['no Authorization header', async () => undefined, 'missing-token'],
    ['an empty Authorization header', async () => '', 'missing-token'],
    ['a scheme other than Bearer', async () => `Basic ${Buffer.from('ehr:secret').toString('base64')}`, 'missing-token'],
    ['Bearer with no token', async () => 'Bearer ', 'missing-token'],
    ['a token that is not a JWS', async () => bearer('not-a-jwt'), 'malformed-token'],
    ['three segments that are not base64url JSON', async () => bearer('a.b.c'), 'malformed-token'],
    ['a JWE (five segments)', async () => bearer('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'), 'malformed-token'],
    [
      'an unsigned token (alg none)',
      async () => bearer(unsignedToken({ kid: ehr.es384.kid, jku: ehr.jwksUrl }, decodeJwt(await ehr.signToken()))),
      'bad-alg',
    ],
    [
      'an HS256 token (a shared secret, which the spec does not allow)',
      async () => {
        const claims = decodeJwt(await ehr.signToken());
        const secret = new TextEncoder().encode('a secret the service was never given!!');
        return bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: ehr.es384.kid }).sign(secret));
      },
      'bad-alg',
    ],
    ['a token with no kid', async () => bearer(await ehr.signToken({}, { kid: undefined })), 'no-kid'],
    ['a kid the issuer does not publish', async () => bearer(await ehr.signToken({}, { kid: 'retired-key' })), 'unknown-kid'],
    [
      'an issuer not on the allowlist',
      async () => bearer(await ehr.signToken({ iss: 'https://evil.example.org' })),
      'unknown-issuer',
    ],
    ['a token with no iss', async () => bearer(await ehr.signToken({ iss: undefined })), 'unknown-issuer'],
    [
      "a jku other than the issuer's configured JWKS URL",
      async () => bearer(await ehr.signToken({}, { jku: 'https://evil.example.org/jwks.json' })),
      'jku-mismatch',
    ],
    [
      'a signature by a key not in the JWKS, under a published kid',
      async () => bearer(await ehr.signToken({}, {}, await newSigningKey('ES384', ehr.es384.kid))),
      'bad-signature',
    ],
    [
      'a token with a claim changed after signing',
      async () => {
        const [header, , signature] = (await ehr.signToken()).split('.');
        const claims = { ...decodeJwt(await ehr.signToken()), sub: 'someone-else' };
        return bearer(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`);
      },
      'bad-signature',
    ],
    [
      'a token for another service',
      async () => bearer(await ehr.signToken({ aud: 'https://cds.example.org/cds-services/other' })),
      'bad-audience',
    ],
    ['a token with no aud', async () => bearer(await ehr.signToken({ aud: undefined })), 'bad-audience'],
    ['a token with no exp', async () => bearer(await ehr.signToken({ exp: undefined })), 'no-exp'],
    [
      'a token at its exp (no tolerance is added to exp)',
      async () => bearer(await ehr.signToken({ iat: NOW - 300, exp: NOW })),
      'expired',
    ],
    [
      'a token expired by less than the clock tolerance',
      async () => bearer(await ehr.signToken({ iat: NOW - 300 - TOLERANCE + 1, exp: NOW - TOLERANCE + 1 })),
      'expired',
    ],
    ['a token with no iat', async () => bearer(await ehr.signToken({ iat: undefined })), 'no-iat'],
    [
      'a token issued in the future beyond the clock tolerance',
      async () => bearer(await ehr.signToken({ iat: NOW + TOLERANCE + 1, exp: NOW + TOLERANCE + 1 + 300 })),
      'iat-in-future',
    ],
    [
      'a token not valid before a later time',
      async () => bearer(await ehr.signToken({ nbf: NOW + TOLERANCE + 1 })),
      'not-yet-valid',
    ],
    [
      'a token living 5 minutes and 1 second (no tolerance is added to the lifetime)',
      async () => bearer(await ehr.signToken({ iat: NOW, exp: NOW + 301 })),
      'lifetime-too-long',
    ],
    [
      'a token issued in the future within the tolerance, living longer than 5 minutes',
      async () => bearer(await ehr.signToken({ iat: NOW + TOLERANCE, exp: NOW + TOLERANCE + 301 })),
      'lifetime-too-long',
    ],
    ['a token with no jti', async () => bearer(await ehr.signToken({ jti: undefined })), 'no-jti'],
    ['a token with an empty jti', async () => bearer(await ehr.signToken({ jti: '' })), 'no-jti'],
    [
      'a token whose jti is longer than 256 characters',
      async () => bearer(await ehr.signToken({ jti: 'j'.repeat(257) })),
      'malformed-token',
    ],
  ];

  it.each(cases)('%s', async (_name, authorization, reason) => {
    const rejection = await rejectionOf(verifierFor(), await authorization());

    expect(rejection.reason).toBe(reason);
  });

  it('a token used a second time', async () => {
    const verifier = verifierFor();
    const token = await ehr.signToken();
    await verifier.verify(bearer(token), SERVICE_URL);

    const rejection = await rejectionOf(verifier, bearer(token));

    expect(rejection.reason).toBe('replayed');
  });

  it('a token whose JWKS cannot be fetched (server error)', async () => {
    ehr.setBehaviour('fail');

    const rejection = await rejectionOf(verifierFor(), bearer(await ehr.signToken()));

    expect(rejection.reason).toBe('jwks-unavailable');
  });

  it('a token whose JWKS does not arrive within the timeout', async () => {
    ehr.setBehaviour('hang');

    const rejection = await rejectionOf(verifierFor({ jwksTimeoutMs: 100 }), bearer(await ehr.signToken()));

    expect(rejection.reason).toBe('jwks-unavailable');
  });

  it('with a generic message that quotes nothing from the token', async () => {
    const token = await ehr.signToken({ aud: 'https://elsewhere.example.org', jti: 'jti-that-must-not-leak' });

    const rejection = await rejectionOf(verifierFor(), bearer(token));

    expect(rejection.message).toBe('The EHR token was not accepted.');
    expect(rejection.cause).toBeUndefined();
    const everything = JSON.stringify({ ...rejection, message: rejection.message, stack: rejection.stack });
    for (const part of [...token.split('.'), 'jti-that-must-not-leak', 'elsewhere.example.org', SANDBOX_CLIENT_ID]) {
      expect(everything).not.toContain(part);
    }
  });
});

describe('replay protection', () => {
  it('refuses a replay after 10,000 other tokens (the store drops no unexpired id)', async () => {
    const verifier = verifierFor();
    // ES256 with the inline issuer: the cheapest signature this test can make 10,001 times.
    const sign = (claims: object) =>
      signWith(inlineKey, { kid: inlineKey.kid }, { iss: INLINE_ISSUER, aud: SERVICE_URL, iat: NOW, ...claims });
    const first = await sign({ exp: NOW + 300, jti: 'first' });
    await verifier.verify(bearer(first), SERVICE_URL);
    const others = await Promise.all(
      Array.from({ length: 10_001 }, (_, i) => sign({ exp: NOW + 100 + (i % 200), jti: `other-${i}` })),
    );
    for (const token of others) await verifier.verify(bearer(token), SERVICE_URL);

    expect((await rejectionOf(verifier, bearer(first))).reason).toBe('replayed');
  }, 30_000);

  it('treats the same jti from two issuers as two tokens', async () => {
    const verifier = verifierFor();
    const jti = randomUUID();

    await verifier.verify(bearer(await ehr.signToken({ jti })), SERVICE_URL);
    const fromInline = await ehr.signToken({ jti, iss: INLINE_ISSUER }, { jku: undefined }, inlineKey);

    await expect(verifier.verify(bearer(fromInline), SERVICE_URL)).resolves.toMatchObject({ jti });
  });
});

describe('a JWKS outage', () => {
  /** A clock the test moves, and tokens signed for it. */
  let clock = NOW_MS;
  const at = async (header: Partial<JWTHeaderParameters> = {}, key?: SigningKey) => {
    const iat = Math.floor(clock / 1000);
    return bearer(await ehr.signToken({ iat, exp: iat + 300 }, header, key));
  };
  const withKid = (kid: string) => at({ kid });
  const outageVerifier = () => {
    clock = NOW_MS;
    return verifierFor({ now: () => clock });
  };

  it('answers a token naming an unknown key within 1 s while the JWKS hangs, with the default timeout', async () => {
    const verifier = outageVerifier();
    ehr.setBehaviour('hang');
    const started = performance.now();

    const rejection = await rejectionOf(verifier, await withKid('unknown-during-outage'));

    expect(performance.now() - started).toBeLessThan(1_000);
    expect(rejection.reason).toBe('jwks-unavailable');
  });

  it('asks the hanging JWKS at most once per cooldown, whatever kid 20 tokens name, and refuses the rest at once', async () => {
    const verifier = outageVerifier();
    await verifier.verify(await at(), SERVICE_URL);
    ehr.setBehaviour('hang');
    clock += 30_000;
    const before = ehr.jwksRequests;
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => withKid(`junk-${i}`)));

    const first = await rejectionOf(verifier, tokens[0]);
    const started = performance.now();
    const rest = await Promise.all(tokens.slice(1).map((token) => rejectionOf(verifier, token)));

    expect(first.reason).toBe('jwks-unavailable');
    expect(rest.map((r) => r.reason)).toEqual(Array(19).fill('unknown-kid'));
    expect(performance.now() - started).toBeLessThan(200);
    expect(ehr.jwksRequests - before).toBe(1);
  });

  it('asks again once the cooldown (30 s) has passed, and then takes a newly published key', async () => {
    const verifier = outageVerifier();
    await verifier.verify(await at(), SERVICE_URL);
    const rotated = await newSigningKey('ES384', 'rotated-in');
    ehr.publish(rotated);
    const before = ehr.jwksRequests;

    const tooSoon = await rejectionOf(verifier, await at({}, rotated));
    clock += 30_000;
    const later = await verifier.verify(await at({}, rotated), SERVICE_URL);

    expect(tooSoon.reason).toBe('unknown-kid');
    expect(later).toMatchObject({ iss: SANDBOX_ISSUER });
    expect(ehr.jwksRequests - before).toBe(1);
  });

  it('keeps accepting tokens signed with cached keys throughout, past their 10-minute age too', async () => {
    const verifier = outageVerifier();
    await verifier.verify(await at(), SERVICE_URL);
    ehr.setBehaviour('hang');
    const before = ehr.jwksRequests;
    const accepted: unknown[] = [];

    for (const minutes of [1, 5, 11, 11.1, 30]) {
      clock = NOW_MS + minutes * 60_000;
      accepted.push(await verifier.verify(await at(), SERVICE_URL));
    }

    expect(accepted.every((caller) => caller !== undefined)).toBe(true);
    // Past their age the keys were asked for again, once per cooldown: at 11 and at 30 minutes.
    expect(ehr.jwksRequests - before).toBe(2);
  });

  it.each([
    ['a JWKS larger than 64 KB', 'huge'],
    ['an answer that is not a key set', 'not-a-key-set'],
    ['a redirect, even to the same server (never followed)', 'redirect'],
  ] as const)('refuses tokens when the first fetch brings %s', async (_what, behaviour) => {
    ehr.setBehaviour(behaviour);

    const rejection = await rejectionOf(outageVerifier(), await at());

    expect(rejection.reason).toBe('jwks-unavailable');
  });
});

describe('verification switched off', () => {
  it('accepts anything, checks nothing, and says that it is off', async () => {
    const verifier = createEhrJwtVerifier(loadSecurityConfig({ CDS_JWT_VERIFICATION: 'off' }));

    expect(verifier.enabled).toBe(false);
    await expect(verifier.verify(undefined, SERVICE_URL)).resolves.toBeUndefined();
    await expect(verifier.verify('Bearer garbage', SERVICE_URL)).resolves.toBeUndefined();
  });

  it('is on by default', () => {
    expect(verifierFor().enabled).toBe(true);
  });
});

describe('loadSecurityConfig', () => {
  const issuers = (value: unknown) => JSON.stringify(value);

  it('reads remote and inline issuers, with verification on by default', () => {
    const config = loadSecurityConfig({
      CDS_TRUSTED_ISSUERS: issuers([
        { iss: SANDBOX_ISSUER, jwksUrl: 'https://sandbox.cds-hooks.org/.well-known/jwks.json' },
        { iss: INLINE_ISSUER, jwks: { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] } },
      ]),
    });

    expect(config.verification).toBe('on');
    expect(config.trustedIssuers.map((issuer) => issuer.iss)).toEqual([SANDBOX_ISSUER, INLINE_ISSUER]);
  });

  it.each(['http://127.0.0.1:8080/jwks.json', 'http://localhost/jwks.json'])(
    'allows plain http to the loopback host %s',
    (jwksUrl) => {
      expect(() => loadSecurityConfig({ CDS_TRUSTED_ISSUERS: issuers([{ iss: 'local', jwksUrl }]) })).not.toThrow();
    },
  );

  it('needs no issuers when verification is off', () => {
    expect(loadSecurityConfig({ CDS_JWT_VERIFICATION: 'off' })).toEqual({ verification: 'off', trustedIssuers: [] });
  });

  const remote = { iss: SANDBOX_ISSUER, jwksUrl: 'https://sandbox.cds-hooks.org/.well-known/jwks.json' };
  const inlineJwks = { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] };

  it.each<[string, Record<string, string>, RegExp]>([
    ['issuers that are not JSON', { CDS_TRUSTED_ISSUERS: '[{iss: sandbox}]' }, /^CDS_TRUSTED_ISSUERS is not valid JSON/],
    ['issuers that are not an array', { CDS_TRUSTED_ISSUERS: issuers(remote) }, /^CDS_TRUSTED_ISSUERS must be a JSON array/],
    ['no issuers while verification is on', {}, /^CDS_TRUSTED_ISSUERS is not set.*CDS_JWT_VERIFICATION=off/],
    ['an empty issuer list while verification is on', { CDS_TRUSTED_ISSUERS: '[]' }, /^CDS_TRUSTED_ISSUERS is an empty array/],
    [
      'an issuer with both jwksUrl and jwks',
      { CDS_TRUSTED_ISSUERS: issuers([{ ...remote, jwks: inlineJwks }]) },
      /^CDS_TRUSTED_ISSUERS\[0\] must have exactly one of jwksUrl and jwks/,
    ],
    [
      'an issuer with neither',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x' }]) },
      /^CDS_TRUSTED_ISSUERS\[0\] must have exactly one/,
    ],
    ['an issuer without iss', { CDS_TRUSTED_ISSUERS: issuers([{ jwks: inlineJwks }]) }, /^CDS_TRUSTED_ISSUERS\[0\]\.iss must be/],
    [
      'a misspelt member',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwksURL: remote.jwksUrl }]) },
      /^CDS_TRUSTED_ISSUERS\[0\] has unknown member/,
    ],
    [
      'plain http to a host other than loopback',
      { CDS_TRUSTED_ISSUERS: issuers([remote, { iss: 'x', jwksUrl: 'http://ehr.example.org/jwks.json' }]) },
      /^CDS_TRUSTED_ISSUERS\[1\]\.jwksUrl must use https/,
    ],
    [
      'a jwksUrl that is not a URL',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwksUrl: 'jwks.json' }]) },
      /\.jwksUrl must be an absolute URL/,
    ],
    ['a repeated issuer', { CDS_TRUSTED_ISSUERS: issuers([remote, remote]) }, /^CDS_TRUSTED_ISSUERS\[1\]\.iss repeats/],
    [
      'an inline JWKS without keys',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwks: { keys: [] } }]) },
      /\.jwks must be a JWKS/,
    ],
    [
      'an inline key holding private material',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwks: { keys: [{ ...inlineJwks.keys[0], d: 'secret' }] } }]) },
      /\.jwks\.keys\[0\] holds private key material/,
    ],
    [
      'an inline symmetric key',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwks: { keys: [{ kty: 'oct', kid: 'k', k: 'secret' }] } }]) },
      /\.jwks\.keys\[0\]\.kty must be "EC" or "RSA"/,
    ],
    [
      'an inline key without kid',
      { CDS_TRUSTED_ISSUERS: issuers([{ iss: 'x', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }]) },
      /\.jwks\.keys\[0\]\.kid must be/,
    ],
    [
      'a verification setting other than on or off',
      { CDS_JWT_VERIFICATION: 'false', CDS_TRUSTED_ISSUERS: issuers([remote]) },
      /^CDS_JWT_VERIFICATION must be "on" or "off"/,
    ],
    ['verification set to "OFF" in capitals', { CDS_JWT_VERIFICATION: 'OFF' }, /^CDS_JWT_VERIFICATION must be "on" or "off"/],
  ])('refuses %s, naming the setting', (_name, env, message) => {
    expect(() => loadSecurityConfig(env)).toThrow(SecurityConfigError);
    expect(() => loadSecurityConfig(env)).toThrow(message);
  });

  it('checks the issuers even while verification is off', () => {
    expect(() => loadSecurityConfig({ CDS_JWT_VERIFICATION: 'off', CDS_TRUSTED_ISSUERS: 'nope' })).toThrow(
      /CDS_TRUSTED_ISSUERS is not valid JSON/,
    );
  });
});

describe('signWith (test support)', () => {
  it('signs exactly the header and claims given', async () => {
    const token = await signWith(ehr.es384, { kid: 'k' }, { iss: 'x' });

    expect(decodeJwt(token)).toEqual({ iss: 'x' });
  });
});
